"""The IT orders as JSON under /api/v1/orders (docs/api.md, in the OpenAPI document): the IT contact's queue, one
order, placing an order, working one of its tasks, a person's orders and access register, the organisation's orders.

For IT contacts with their browser session, as the pages are (writes carry the X-CSRF-Token header); the services
check the scope again, so another organisation's order is 403, audited, whatever the route.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from accounts.models import Organisation
from app.kit.api_bodies import read_body, validated
from app.kit.api_parsing import json_object, parse_id
from app.kit.errors import NotFound, ValidationFailed
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.provisioning.orders import (
    api_answers,
    api_json,
    group_queries,
    order_queries,
    people,
    queries,
    register,
    scope,
    storing,
    working,
)
from app.provisioning.orders.answers import AnswersInvalid
from app.provisioning.orders.api_bodies import BOTH, NewOrder, TaskStep, names_both, order_refusal, task_refusal
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order

ORDER_PATH = "/api/v1/orders/{order_id}"
# Answers hold lists of up to 50 texts of 200 characters (the clinics, the people named): more than the bed API's 4 KiB.
MAX_ORDER_BODY_BYTES = 64 * 1024


def _order_id(request: Request) -> int:
    return parse_id(request.path_params["order_id"], field="order_id")


async def _order_answer(session: AsyncSession, view: order_queries.OrderView, language: str) -> api_answers.Order:
    """The order with who has each task (its fulfilling group, the member holding it) and a handover's receiver."""
    receiving = await session.get(Organisation, view.order.receiving_organisation_id) \
        if view.order.receiving_organisation_id else None
    return api_json.order_json(view, language, await group_queries.who_has(session, view), receiving)


def order_draft(body: Mapping[str, Any]) -> OrderDraft:
    order = validated(NewOrder, body, functools.partial(order_refusal, body))
    if names_both(body):
        raise ValidationFailed(BOTH, details={"field": "person_id"})
    new_person = None if order.new_person is None else NewPerson(order.new_person.full_name, order.new_person.hsa_id)
    return OrderDraft(
        catalogue_key=order.catalogue, event_key=order.event, answers=order.answers, planned_date=order.planned_date,
        person_id=order.person_id, new_person=new_person, subject_organisation_id=order.subject_organisation_id,
        note=order.note)


async def _check_references(session: AsyncSession, draft: OrderDraft) -> None:
    """An unknown catalogue or person in the body is the body's fault (422 naming the field), not a missing page."""
    try:
        await storing.catalogue_row(session, draft.catalogue_key)
    except NotFound as error:
        raise ValidationFailed(error.message, details={"field": "catalogue"}) from None
    if draft.person_id is not None:
        try:
            await people.person_of(session, draft.person_id)
        except NotFound as error:
            raise ValidationFailed(error.message, details={"field": "person_id"}) from None


@requires(permissions.ORDERS_PLACE)
async def queue(request: Request) -> Response:
    """Every open task of the caller's organisation's orders: overdue orders first, then by date."""
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        entries = await queries.queue(uow.session, current_actor(request), app_services.clock.now())
        return JSONResponse(api_json.queue_json(entries, language_of(request)))


@requires(permissions.ORDERS_PLACE)
async def organisation_orders(request: Request) -> Response:
    """Orders placed by the caller's organisation, or about it, that are not about one person."""
    actor = current_actor(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        found = await queries.orders_of_organisation(uow.session, actor, scope.placing_organisation(actor),
                                                     app_services.clock.now())
        language = language_of(request)
        return JSONResponse({"orders": [api_json.summary_json(summary, language) for summary in found]})


@requires(permissions.ORDERS_PLACE)
async def person_orders(request: Request) -> Response:
    """A person of the caller's organisation: their orders, newest first, and the systems they have now."""
    person_id = parse_id(request.path_params["person_id"], field="person_id")
    actor = current_actor(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        person = await queries.person_for(uow.session, actor, person_id)
        found = await queries.orders_for_person(uow.session, actor, person_id, app_services.clock.now())
        held = await register.access_register(uow.session, person_id)
        language = language_of(request)
        return JSONResponse({
            "person": {"id": person.id, "full_name": person.full_name, "hsa_id": person.hsa_id},
            "orders": [api_json.summary_json(summary, language) for summary in found],
            "register": [api_json.access_json(access) for access in held],
        })


@requires(permissions.ORDERS_PLACE)
async def one_order(request: Request) -> Response:
    order_id = _order_id(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        view = await order_queries.order_view(uow.session, current_actor(request), order_id, app_services.clock.now())
        return JSONResponse(await _order_answer(uow.session, view, language_of(request)))


@requires(permissions.ORDERS_PLACE)
async def place(request: Request) -> Response:
    """201 with the order as read back, and its address in Location."""
    draft = order_draft(await json_object(request, max_bytes=MAX_ORDER_BODY_BYTES))
    actor = current_actor(request)
    app_services = services(request)
    try:
        async with app_services.unit_of_work() as uow:
            await _check_references(uow.session, draft)
            placed = await place_order(uow, actor=actor, draft=draft)
            view = await order_queries.order_view(uow.session, actor, placed.request_id, app_services.clock.now())
            body = await _order_answer(uow.session, view, language_of(request))
    except AnswersInvalid as error:
        # The problems name each question; their messages go out in the caller's language like the error's own.
        error.details["problems"] = api_json.answer_problems(error, language_of(request))
        raise
    return JSONResponse(body, status_code=201, headers={"Location": ORDER_PATH.format(order_id=placed.request_id)})


@requires(permissions.ORDERS_PLACE)
async def act_on_task(request: Request) -> Response:
    """200 with the whole order after the step: one task's move can unblock others and complete the order."""
    order_id = _order_id(request)
    task_key = request.path_params["task_key"]
    step = await read_body(request, TaskStep, task_refusal)
    actor = current_actor(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        await working.act_on_task(uow, actor=actor, request_id=order_id, task_key=task_key, action=step.action,
                                  external_reference=step.external_reference, reason=step.reason)
        view = await order_queries.order_view(uow.session, actor, order_id, app_services.clock.now())
        body = await _order_answer(uow.session, view, language_of(request))
    return JSONResponse(body)


# The fixed paths come before /api/v1/orders/{order_id}, which would otherwise take "queue" for an id.
routes: list[BaseRoute] = [
    Route("/api/v1/orders/queue", queue, methods=["GET"], name="api_orders_queue"),
    Route("/api/v1/orders/organisation", organisation_orders, methods=["GET"], name="api_orders_organisation"),
    Route("/api/v1/orders/people/{person_id}", person_orders, methods=["GET"], name="api_orders_person"),
    Route("/api/v1/orders", place, methods=["POST"], name="api_orders_place"),
    Route(ORDER_PATH, one_order, methods=["GET"], name="api_order"),
    Route(ORDER_PATH + "/tasks/{task_key}", act_on_task, methods=["POST"], name="api_order_task"),
]
