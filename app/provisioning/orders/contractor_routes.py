"""The municipality's IT-order administrator's page of care providers and their main contractors (issue 23 item 10):
who works under whom, the changes planned with their dates and lead times, and the form that plans one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from accounts.models import Organisation
from app.kit.errors import DomainError, PermissionDenied, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.orders import contractors, scope

DONE_MESSAGES: Final = {"planned": _("The change is planned: the organisation tree changes on its date."),
                        "applied": _("The change took effect today.")}


async def _page(request: Request, *, error: DomainError | None = None, typed: Mapping[str, str] | None = None,
                status_code: int = 200) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        listed = await contractors.providers(uow.session, actor)
        keeper = await uow.session.get(Organisation, scope.keeping_organisation(actor))
        changes = await contractors.planned_changes(uow.session, actor)
    names = {provider.id: provider.name for provider in listed}
    return render(request, "orders/contractors.html", {
        "providers": listed, "names": names, "keeper": keeper, "changes": changes, "error": error,
        "typed": dict(typed or {}), "done": DONE_MESSAGES.get(request.query_params.get("done", ""))},
        status_code=status_code)


@requires(permissions.ORDERS_CATALOGUES)
async def page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.ORDERS_CATALOGUES)
async def plan(request: Request) -> Response:
    form = await form_text(request, "organisation_id", "contractor_id", "effective_date", "note")
    try:
        organisation_id, contractor_id = positive_id(form["organisation_id"]), positive_id(form["contractor_id"])
        if organisation_id is None or contractor_id is None:
            raise ValidationFailed(_("Choose the care provider and its new main contractor."),
                                   details={"field": "organisation_id"})
        effective = _date(form["effective_date"])
        async with services(request).unit_of_work() as uow:
            change = await contractors.plan_change(uow, actor=current_actor(request), organisation_id=organisation_id,
                                                   contractor_id=contractor_id, effective=effective, note=form["note"])
            done = "applied" if change.applied_at else "planned"
    except (ValidationFailed, PermissionDenied) as error:
        return await _page(request, error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"/orders/contractors?done={done}", status_code=303)


def _date(text: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Write the date as YYYY-MM-DD, e.g. 2026-03-14."),
                               details={"field": "effective_date"}) from None


routes: list[BaseRoute] = [
    Route("/orders/contractors", page, methods=["GET"], name="orders_contractors"),
    Route("/orders/contractors", plan, methods=["POST"], name="orders_contractors_plan"),
]
