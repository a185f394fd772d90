"""The IT orders as JSON under /api/v1/orders (docs/api.md, in the OpenAPI document): the IT contact's queue, one
order, placing an order, working one of its tasks, a person's orders and access register, the organisation's orders.

For IT contacts with their browser session, as the pages are (writes carry the X-CSRF-Token header); the services
check the scope again, so another organisation's order is 403, audited, whatever the route.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.api_parsing import json_object, parse_id
from app.kit.errors import NotFound, ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.provisioning.orders import api_json, people, queries, reading, register, scope, store, working
from app.provisioning.orders.answers import AnswersInvalid
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order

ORDER_PATH = "/api/v1/orders/{order_id}"
# Answers hold lists of up to 50 texts of 200 characters (the clinics, the people named): more than the bed API's 4 KiB.
MAX_ORDER_BODY_BYTES = 64 * 1024
MAX_KEY = 60  # catalogue, event and task keys, action names
ORDER_FIELDS = ("catalogue", "event", "answers", "planned_date", "person_id", "new_person", "subject_organisation_id",
                "note")
NEW_PERSON_FIELDS = ("full_name", "hsa_id")
TASK_FIELDS = ("action", "external_reference", "reason")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class TaskStep:
    action: str
    external_reference: str | None
    reason: str | None


def _order_id(request: Request) -> int:
    return parse_id(request.path_params["order_id"], field="order_id")


def _known_fields(body: Mapping[str, object], known: Sequence[str], *, within: str = "") -> None:
    for key in body:
        if key not in known:
            raise ValidationFailed(_("Unknown field {key}; the fields here are: {known}."),
                                   details={"field": within + key}, key=key, known=", ".join(known))


def _text(body: Mapping[str, object], field: str, *, required: bool = False, limit: int | None = None,
          within: str = "") -> str | None:
    """The text of a field; the services trim it and check what it must say (a reason, a note's length)."""
    value = body.get(field)
    if value is None and required:
        raise ValidationFailed(_("The field {key} is missing."), details={"field": within + field},
                               key=within + field)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_("{field} must be text."), details={"field": within + field}, field=within + field)
    if value is not None and limit is not None and len(value) > limit:
        raise ValidationFailed(_("{field} must be a text of at most {limit} characters."),
                               details={"field": within + field}, field=within + field, limit=limit)
    return value


def _id(body: Mapping[str, object], field: str) -> int | None:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed(_("{field} must be a whole number from 1 to {max}."), details={"field": field},
                               field=field, max=MAX_ID)
    return value


def _planned_date(body: Mapping[str, object]) -> date | None:
    text = _text(body, "planned_date", limit=10)
    if text is None:
        return None  # the service says why an order needs its date
    try:
        if not ISO_DATE.fullmatch(text):  # fromisoformat would also take 20260401 and 2026-W14-3
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Give a date as YYYY-MM-DD."), details={"field": "planned_date"}) from None


def _new_person(value: object) -> NewPerson | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed(_("new_person must be an object with full_name and, if known, hsa_id."),
                               details={"field": "new_person"})
    _known_fields(value, NEW_PERSON_FIELDS, within="new_person.")
    full_name = _text(value, "full_name", required=True, limit=people.MAX_NAME, within="new_person.")
    return NewPerson(full_name or "", _text(value, "hsa_id", limit=MAX_KEY, within="new_person."))


def order_draft(body: Mapping[str, Any]) -> OrderDraft:
    _known_fields(body, ORDER_FIELDS)
    answers = body.get("answers", {})
    if not isinstance(answers, dict):
        raise ValidationFailed(_("The answers must be an object: each question's key and its answer."),
                               details={"field": "answers"})
    person_id, new_person = _id(body, "person_id"), _new_person(body.get("new_person"))
    if person_id is not None and new_person is not None:
        raise ValidationFailed(_("Name the person either by person_id or as new_person, not both."),
                               details={"field": "person_id"})
    return OrderDraft(
        catalogue_key=_text(body, "catalogue", required=True, limit=MAX_KEY) or "",
        event_key=_text(body, "event", required=True, limit=MAX_KEY) or "", answers=answers,
        planned_date=_planned_date(body), person_id=person_id, new_person=new_person,
        subject_organisation_id=_id(body, "subject_organisation_id"), note=_text(body, "note"))


def task_step(body: Mapping[str, Any]) -> TaskStep:
    _known_fields(body, TASK_FIELDS)
    return TaskStep(_text(body, "action", required=True, limit=MAX_KEY) or "",
                    _text(body, "external_reference"), _text(body, "reason"))


async def _check_references(session: AsyncSession, draft: OrderDraft) -> None:
    """An unknown catalogue or person in the body is the body's fault (422 naming the field), not a missing page."""
    try:
        await store.catalogue_row(session, draft.catalogue_key)
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
        view = await reading.order_view(uow.session, current_actor(request), order_id, app_services.clock.now())
        return JSONResponse(api_json.order_json(view, language_of(request)))


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
            view = await reading.order_view(uow.session, actor, placed.request_id, app_services.clock.now())
            body = api_json.order_json(view, language_of(request))
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
    step = task_step(await json_object(request))
    actor = current_actor(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        await working.act_on_task(uow, actor=actor, request_id=order_id, task_key=task_key, action=step.action,
                                  external_reference=step.external_reference, reason=step.reason)
        view = await reading.order_view(uow.session, actor, order_id, app_services.clock.now())
        body = api_json.order_json(view, language_of(request))
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
