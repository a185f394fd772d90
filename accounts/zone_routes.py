"""The organisation's time zone page: its administrator sets (or clears, to inherit) the zone its people read times in.

Parse, authorise (``USERS_MANAGE``: the organisation's administrators), call ``accounts.zones``, render. The service
checks again that the zone is the administrator's own organisation's and audits the change.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions, zones
from accounts.guard import requires
from app.kit.errors import DomainError, ValidationFailed
from app.kit.forms import form_text
from app.kit.i18n import _, format_moment
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render

PATH = "/admin/time-zone"


def _example(request: Request, zone_name: str, now: datetime) -> str:
    return format_moment(now, ZoneInfo(zone_name), language_of(request))


async def _page(request: Request, *, error: DomainError | None = None, typed: str | None = None,
                saved: bool = False, status_code: int = 200) -> Response:
    app_services = services(request)
    actor = current_actor(request)
    assert actor.organisation_id is not None
    async with app_services.unit_of_work() as uow:
        facts = await zones.zone_facts(uow.session, actor.organisation_id)
    organisation = facts.organisation
    effective = organisation.timezone or facts.inherited or app_services.settings.timezone
    now = app_services.clock.now()
    return render(request, "organisation_zone.html", {
        "organisation": organisation, "inherited": facts.inherited, "inherited_from": facts.inherited_from,
        "effective": effective, "installation_zone": app_services.settings.timezone,
        "now_there": _example(request, str(effective), now), "zone_names": sorted(zones.zone_names()),
        "typed": (organisation.timezone or "") if typed is None else typed, "error": error,
        "saved": _("The time zone is saved.") if saved else None}, status_code=status_code)


@requires(permissions.USERS_MANAGE)
async def zone_page(request: Request) -> Response:
    return await _page(request, saved=bool(request.query_params.get("saved")))


@requires(permissions.USERS_MANAGE)
async def zone_submit(request: Request) -> Response:
    form = await form_text(request, "timezone")
    actor = current_actor(request)
    assert actor.organisation_id is not None
    try:
        async with services(request).unit_of_work() as uow:
            await zones.set_organisation_zone(uow.session, actor=actor, organisation_id=actor.organisation_id,
                                              timezone=form["timezone"])
    except ValidationFailed as error:
        return await _page(request, error=error, typed=form["timezone"], status_code=error.status)
    return RedirectResponse(f"{PATH}?saved=1", status_code=303)


routes = [
    Route(PATH, zone_page, methods=["GET"], name="organisation_zone"),
    Route(PATH, zone_submit, methods=["POST"], name="organisation_zone_set"),
]
