"""The IT contact's people: the list, one person's orders and access register, an organisation's orders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import MAX_ID, form_text
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.orders import order_forms, queries, register, scope
from app.provisioning.orders.order_routes import LABELS, local_time, zone_of
from app.provisioning.orders.people import NewPerson, add_person, people_of

DONE_MESSAGES: Final = {"added": _("The person is added. Order for them from their page.")}


def _person_id(request: Request) -> int:
    found: int = request.path_params["person_id"]  # the route's int converter has read it
    if found > MAX_ID:
        raise NotFound(_("There is no such person."))
    return found


async def _people_page(request: Request, *, error: DomainError | None = None,
                       typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        listed = await people_of(uow.session, scope.placing_organisation(actor))
    return render(request, "orders/people.html", {
        "people": listed, "error": error, "typed": dict(typed or {}),
        "field": error.details.get("field") if error is not None else None}, status_code=status_code)


@requires(permissions.ORDERS_PLACE)
async def people_page(request: Request) -> Response:
    return await _people_page(request)


@requires(permissions.ORDERS_PLACE)
async def add(request: Request) -> Response:
    actor = current_actor(request)
    form = await form_text(request, "full_name", "hsa_id")
    try:
        async with services(request).unit_of_work() as uow:
            person = await add_person(uow, actor=actor, organisation_id=scope.placing_organisation(actor),
                                      person=NewPerson(form["full_name"], form["hsa_id"] or None))
    except ValidationFailed as error:
        return await _people_page(request, error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"/orders/people/{person.id}?done=added", status_code=303)


@requires(permissions.ORDERS_PLACE)
async def person_page(request: Request) -> Response:
    """The person's orders, what they hold now, and the orders to start for them (prefilled from both)."""
    app_services = services(request)
    actor = current_actor(request)
    person_id = _person_id(request)
    async with app_services.unit_of_work() as uow:
        person = await queries.person_for(uow.session, actor, person_id)
        orders = await queries.orders_for_person(uow.session, actor, person_id, app_services.clock.now())
        held = await register.access_register(uow.session, person_id)
        events = [choice for choice in await order_forms.event_choices(uow.session, actor)
                  if choice.event.scope == "person"]
        zone = await zone_of(uow.session, person.organisation_id)
    return render(request, "orders/person.html", {
        "person": person, "orders": orders, "held": held, "events": events,
        "at": local_time(request, zone),
        "done": DONE_MESSAGES.get(request.query_params.get("done", "")), **LABELS})


@requires(permissions.ORDERS_PLACE)
async def organisation_orders(request: Request) -> Response:
    """What the organisation ordered, and for a subcontractor what its main contractor ordered for it."""
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        organisation_id = scope.placing_organisation(actor)
        orders = await queries.orders_of_organisation(uow.session, actor, organisation_id, app_services.clock.now())
    return render(request, "orders/organisation_orders.html", {
        "orders": orders, **LABELS})


routes: list[BaseRoute] = [
    Route("/orders/people", people_page, methods=["GET"], name="orders_people"),
    Route("/orders/people", add, methods=["POST"], name="orders_people_add"),
    Route("/orders/people/{person_id:int}", person_page, methods=["GET"], name="orders_person"),
    Route("/orders/organisation", organisation_orders, methods=["GET"], name="orders_organisation"),
]
