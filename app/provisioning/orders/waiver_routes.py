"""The IT-order administrator's page of removal tasks proposed as not applicable: each with its reason, who
proposed it and what the person's access register lists, to confirm or refuse (issue 23 item 1)."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.forms import MAX_ID, form_text
from app.kit.i18n import _
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import render
from app.provisioning.orders import waivers
from app.provisioning.orders.order_routes import local_time, zone_of

DONE_MESSAGES: Final = {"confirmed": _("Confirmed: the task is not applicable."),
                        "refused": _("Refused: the task stays on the IT contact's list.")}
DECISIONS: Final = {"confirm": True, "refuse": False}


async def _page(request: Request, *, error: DomainError | None = None, error_id: int | None = None,
                status_code: int = 200) -> Response:
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        pending = await waivers.pending_list(uow.session, actor)
        zone = await zone_of(uow.session, actor.organisation_id) if actor.organisation_id else None
    return render(request, "orders/confirmations.html", {
        "pending": pending, "error": error, "error_id": error_id,
        "at": local_time(request, zone or reader_zone(request)),
        "done": DONE_MESSAGES.get(request.query_params.get("done", ""))}, status_code=status_code)


@requires(permissions.ORDERS_CATALOGUES)
async def confirmations_page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.ORDERS_CATALOGUES)
async def decide(request: Request) -> Response:
    waiver_id: int = request.path_params["waiver_id"]
    if waiver_id > MAX_ID:
        raise NotFound(_("There is no such proposal."))
    form = await form_text(request, "decision", "note")
    if form["decision"] not in DECISIONS:
        raise ValidationFailed(_("Unknown action."), details={"field": "decision"})
    try:
        async with services(request).unit_of_work() as uow:
            await waivers.decide(uow, actor=current_actor(request), waiver_id=waiver_id,
                                 confirm=DECISIONS[form["decision"]], note=form["note"] or None)
    except (ValidationFailed, Conflict) as error:
        return await _page(request, error=error, error_id=waiver_id, status_code=error.status)
    done = "confirmed" if DECISIONS[form["decision"]] else "refused"
    return RedirectResponse(f"/orders/confirmations?done={done}", status_code=303)


routes: list[BaseRoute] = [
    Route("/orders/confirmations", confirmations_page, methods=["GET"], name="orders_confirmations"),
    Route("/orders/confirmations/{waiver_id:int}", decide, methods=["POST"], name="orders_confirmation_decide"),
]
