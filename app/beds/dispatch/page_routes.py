"""The coordinator's announcements page (``/board/announce``): a plain form (CSRF, no JavaScript needed) to announce a
patient to a hospital and hold a bed, and the authority's open announcements with their state, ETA and hold in the
reader's zone, each with Arrived and Cancel (with a reason). A refusal is said beside the form, naming its field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import queries as bed_queries
from app.beds.dispatch import announcements, hold_report, queries
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import AGE_BANDS, FLAGS, URGENCIES
from app.beds.dispatch.wording import FLAG_NAMES, URGENCY_NAMES
from app.kit.api_parsing import parse_id
from app.kit.errors import DomainError, PermissionDenied
from app.kit.i18n import _
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render


def _text(form: FormData, name: str) -> str:
    raw = form.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _whole(form: FormData, name: str) -> int:
    text = _text(form, name)
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise announcements.refuse(_("{field} must be a whole number."), name)
    return int(text)


def draft_of(form: FormData) -> announcements.AnnouncementDraft:
    return announcements.AnnouncementDraft(
        hospital_id=_whole(form, "hospital_id"), section_type_id=_whole(form, "section_type_id"),
        category=_text(form, "category"), urgency=_text(form, "urgency"), age_band=_text(form, "age_band"),
        flags=tuple(raw for raw in form.getlist("flags") if isinstance(raw, str)),
        eta_minutes=_whole(form, "eta_minutes"), note=_text(form, "note") or None, hold=form.get("hold") == "1")


async def _page(request: Request, *, error: DomainError | None = None, form: FormData | None = None,
                status_code: int = 200) -> Response:
    actor = current_actor(request)
    language = language_of(request)
    async with services(request).unit_of_work() as uow:
        hospitals = await bed_queries.hospitals(uow.session, actor=actor)
        section_types = await bed_queries.section_types(uow.session)
        categories = await queries.categories(uow.session)
        found = await queries.announcements_for(uow.session, actor=actor, state="open")
    name_key = "name_ro" if language == "ro" else "name_en"
    return render(request, "announce.html", {
        "hospitals": [(row["id"], row["name"]) for row in hospitals],
        "section_types": sorted(((row["id"], row[name_key]) for row in section_types), key=lambda pair: pair[1]),
        "categories": [(row["code"], row[name_key]) for row in categories],
        "category_names": {row["code"]: row[name_key] for row in categories},
        "urgencies": [(code, URGENCY_NAMES[code]) for code in URGENCIES], "age_bands": AGE_BANDS,
        "flags": [(code, FLAG_NAMES[code]) for code in FLAGS], "announcements": [_moments(row) for row in found],
        "type_key": "section_type_name_ro" if language == "ro" else "section_type_name_en",
        "error": error, "form": form, "made": request.query_params.get("made"),
    }, status_code=status_code)


def _moments(row: dict[str, Any]) -> dict[str, Any]:
    """The ETA and the hold's end as moments, for the page's ``local_time`` (the reader's zone)."""
    hold = row["hold"]
    held = hold is not None and hold["released_at"] is None
    return {**row, "eta_moment": datetime.fromisoformat(row["eta_at"]),
            "held_until": datetime.fromisoformat(hold["expires_at"]) if held else None}


@requires(permissions.DISPATCH_ANNOUNCE)
async def announce_page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.DISPATCH_ANNOUNCE)
async def announce(request: Request) -> Response:
    form = await request.form()
    app_services = services(request)
    try:
        draft = draft_of(form)
        async with app_services.unit_of_work() as uow:
            row = await announcements.announce(uow, actor=current_actor(request), draft=draft,
                                               limits=DispatchLimits.of(app_services.settings))
            made = row.id
    except DomainError as error:
        if error.status >= 500 or error.status in (401, 403):
            raise
        return await _page(request, error=error, form=form, status_code=error.status)
    return RedirectResponse(f"/board/announce?made={made}", status_code=303)


@requires(permissions.DISPATCH_ANNOUNCE)
async def step(request: Request) -> Response:
    """Arrived or Cancel, from the list (the announcement named in the form; the service checks whose it is)."""
    form = await request.form()
    announcement_id = parse_id(_text(form, "announcement_id"), field="announcement_id")
    try:
        async with services(request).unit_of_work() as uow:
            if _text(form, "step") == "cancel":
                await announcements.cancel(uow, actor=current_actor(request), announcement_id=announcement_id,
                                           reason=_text(form, "reason"))
            else:
                await announcements.arrive(uow, actor=current_actor(request), announcement_id=announcement_id)
    except DomainError as error:
        if error.status in (401, 403, 404) or error.status >= 500:
            raise
        return await _page(request, error=error, status_code=error.status)
    return RedirectResponse("/board/announce", status_code=303)


ENDING_NAMES = {"arrived": _("arrived"), "cancelled": _("cancelled"), "expired": _("expired"), "held": _("still held")}


@requires(permissions.AUDIT_READ)
async def holds_page(request: Request) -> Response:
    """Holds per hospital per day, for the bed board's auditors and administrators (the history's other views)."""
    if not permissions.may(current_actor(request), permissions.BOARD_VIEW):
        raise PermissionDenied(_("The bed board's history is read by the bed board's auditors and administrators."))
    raw = request.query_params.get("days", "7")
    days = int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= hold_report.MAX_DAYS else 7
    app_services = services(request)
    zone, now = reader_zone(request), app_services.clock.now()
    since, until = hold_report.window(now.astimezone(zone).date(), days, zone)
    async with app_services.session_factory() as session:
        found = await hold_report.holds_by_day(session, since=since, until=until, now=now, zone=zone)
    return render(request, "hold_report.html", {"days": days, "rows": found, "endings": ENDING_NAMES})



routes: list[BaseRoute] = [
    Route("/board/announce", announce_page, methods=["GET"], name="announce"),
    Route("/board/announce", announce, methods=["POST"], name="announce_post"),
    Route("/board/announce/step", step, methods=["POST"], name="announce_step"),
    Route("/audit/holds", holds_page, methods=["GET"], name="history_holds"),
]

