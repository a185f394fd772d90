"""The admin's page of update intervals: one number of hours per section type, saved one type at a time.

A plain form per type (works without JavaScript): POST, then back to the page saying what was saved; a value
out of 1..168 comes back with the message next to its box and nothing changed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.models import MAX_UPDATE_INTERVAL_HOURS, MIN_UPDATE_INTERVAL_HOURS
from app.beds.nomenclature import intervals
from app.kit.errors import NotFound, ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render


async def _page(request: Request, *, errors: dict[int, Any] | None = None, typed: dict[int, str] | None = None,
                status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        types = await intervals.type_intervals(uow, actor=current_actor(request))
    saved = request.query_params.get("saved", "")
    return render(request, "nomenclature_intervals.html", {
        "types": types, "errors": errors or {}, "typed": typed or {},
        "saved_id": int(saved) if saved.isdigit() and len(saved) < 10 else None,
        "min_hours": MIN_UPDATE_INTERVAL_HOURS, "max_hours": MAX_UPDATE_INTERVAL_HOURS,
    }, status_code=status_code)


@requires(permissions.NOMENCLATURE_IMPORT)
async def intervals_page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.NOMENCLATURE_IMPORT)
async def set_interval(request: Request) -> Response:
    type_id = int(request.path_params["type_id"])
    if not 1 <= type_id <= MAX_ID:
        raise NotFound(_("There is no such section type."))
    typed = (await request.form()).get("hours")
    text = typed if isinstance(typed, str) else ""
    try:
        hours = intervals.parse_hours(text)
        async with services(request).unit_of_work() as uow:
            await intervals.set_interval(uow, actor=current_actor(request), section_type_id=type_id, hours=hours)
    except ValidationFailed as error:
        return await _page(request, errors={type_id: error}, typed={type_id: text}, status_code=error.status)
    return RedirectResponse(f"/admin/nomenclature/intervals?saved={type_id}#type-{type_id}", status_code=303)


routes: list[BaseRoute] = [
    Route("/admin/nomenclature/intervals", intervals_page, methods=["GET"], name="nomenclature_intervals"),
    Route("/admin/nomenclature/intervals/{type_id:int}", set_interval, methods=["POST"],
          name="nomenclature_interval_set"),
]
