"""The operator screen: one hospital's sections, free beds typed and saved fast, nothing lost.

Works as plain forms (JavaScript off: each save posts and the page comes back) and, with
static/js/operator.js, in place: the same endpoints answer JSON when asked for it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.beds import queries, service
from app.beds.admission_pages import Refusal, status_context
from app.beds.errors import SectionVersionConflict
from app.beds.forms import parse_free_beds, parse_version
from app.beds.running import bed_services
from app.beds.section_queries import nested
from app.beds.staleness import describe_age, is_stale
from app.beds.write_batch import FreeBedsWrite
from app.kit.error_pages import wants_json
from app.kit.errors import ValidationFailed
from app.kit.i18n import _, _n, plural_forms
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render, translator

# The same words as the banner in operator.html (Babel extracts both; one catalogue entry).
OVERDUE_COUNT = _n("{count} section is overdue for an update:", "{count} sections are overdue for an update:", 0)

# The screen's script shows these; it fills the {placeholders} itself.
SCRIPT_MESSAGES = {
    "saving": _("Saving…"),
    "saved": _("Saved"),
    "confirmed": _("Confirmed as still right"),
    "empty": _("Enter the number of free beds."),
    "invalid": _("Enter a whole number, for example 12 (or -1 in an exceptional case)."),
    "range": _("Free beds must be between {min} and {max}."),
    "negative": _("{value} is negative: save it only in an exceptional case."),
    "reason": _("Reason (optional)"),
    "save_value": _("Save {value}"),
    "cancel": _("Cancel"),
    "conflict": _("Changed by {who} at {time} to {free_beds}."),
    "overwrite": _("Overwrite with my value"),
    "keep": _("Keep theirs ({value})"),
    "offline": _("Not saved: the server cannot be reached. Press Enter to try again."),
    "logged_out": _("Not saved: your session has ended. Log in again, then save again."),
    "changed_by": _("changed {time} by {who}"),
    "confirmed_by": _("confirmed {time} by {who}"),
    "left_alone": _("Not confirmed, their numbers are not saved: {sections}."),
    "unsaved_row": _("Not confirmed: the number in the box is not saved. Press Enter to save it."),
}


def overdue_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sections past their type's update interval come first, so the operator starts with what is late.

    A section moves with its sub-sections (the table shows them nested): a block with any overdue row goes
    before the blocks without one; within each group the reading order (by name) is kept.
    """
    blocks: list[list[dict[str, Any]]] = []
    for row in rows:
        if row["depth"] == 0 or not blocks:
            blocks.append([])
        blocks[-1].append(row)
    late = [block for block in blocks if any(row["stale"] for row in block)]
    on_time = [block for block in blocks if not any(row["stale"] for row in block)]
    return [row for block in late + on_time for row in block]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def operator_page(request: Request, *, row_states: dict[int, dict[str, Any]] | None = None,
                        admission_refusal: Refusal | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    app_services = services(request)
    assert actor.organisation_id is not None
    async with app_services.unit_of_work() as uow:
        listed = await queries.is_listed_hospital(uow.session, actor.organisation_id)
        views = (await service.sections_of_hospital(uow, actor=actor, hospital_id=actor.organisation_id)
                 if listed else [])
    now, language = app_services.clock.now(), language_of(request)
    rows = overdue_first([
        {"view": view, "depth": depth, "stale": is_stale(view.reported_at, now, view.update_interval_hours),
         "age": describe_age(now - view.reported_at, language) if view.reported_at else None,
         "state": (row_states or {}).get(view.id, {})} for view, depth in nested(views)])
    saved = request.query_params.get("saved", "")
    translate = translator(language, app_services.settings.zone)
    # The hospital's admission status and its sections', with their forms and notes (issue 21).
    statuses = (await status_context(request, actor.organisation_id, refusal=admission_refusal,
                                     note_action="/operator/admission-notes") if listed else {})
    return render(request, "operator.html", {
        **statuses,
        "js_messages": {key: translate(message) for key, message in SCRIPT_MESSAGES.items()},
        "hospital_known": listed, "rows": rows, "overdue": [row for row in rows if row["stale"]],
        # The banner's count by plural category: the script lowers it as overdue sections are saved in place.
        "overdue_forms": plural_forms(language, OVERDUE_COUNT),
        "saved_ids": {int(part) for part in saved.split(",") if part.isdigit()},
        "timezone": app_services.settings.timezone,
    }, status_code=status_code)


def _json_error(request: Request, error: ValidationFailed | SectionVersionConflict) -> JSONResponse:
    translate = translator(language_of(request), services(request).settings.zone)
    message = translate(error.message, **error.params)
    return JSONResponse({"error": {"code": error.code, "message": message, "details": error.details}},
                        status_code=error.status)


@requires(permissions.BEDS_WRITE_OWN_HOSPITAL)
async def operator_screen(request: Request) -> Response:
    return await operator_page(request)


@requires(permissions.BEDS_WRITE_OWN_HOSPITAL)
async def save_free_beds(request: Request) -> Response:
    section_id = int(request.path_params["section_id"])
    form = await _form(request)
    typed = form.get("free_beds", "")
    try:
        free_beds, version = parse_free_beds(typed), parse_version(form.get("expected_version", ""))
        shown = form.get("shown_free_beds", "")
        if shown and free_beds == parse_free_beds(shown):
            # Enter on the number as shown says "still right": a confirmation, not a change from N to N.
            # The version check in the service makes sure the shown number is still the stored one.
            return await _confirm(request, {section_id: version})
        if free_beds < 0 and form.get("confirm_negative") != "1":
            if wants_json(request):
                return JSONResponse({"needs_confirmation": True, "free_beds": free_beds}, status_code=422)
            return await operator_page(request, row_states={section_id: {"negative": free_beds, "typed": typed}},
                                       status_code=422)
        result = await bed_services(request).writes.set_free_beds(FreeBedsWrite(
            actor=current_actor(request), section_id=section_id, free_beds=free_beds, expected_version=version,
            reason=form.get("reason") or None))
    except (ValidationFailed, SectionVersionConflict) as error:
        if wants_json(request):
            return _json_error(request, error)
        state: dict[str, Any] = {"typed": typed}
        if isinstance(error, SectionVersionConflict):
            state["conflict"] = error.details["current"]
        state["error"] = error
        return await operator_page(request, row_states={section_id: state}, status_code=error.status)
    if wants_json(request):
        return JSONResponse({"section": result.section})
    return RedirectResponse(f"/operator?saved={section_id}#section-{section_id}", status_code=303)


def _versions(form: dict[str, str]) -> dict[int, int]:
    versions: dict[int, int] = {}
    for key, value in form.items():
        if key.startswith("version-") and key[len("version-"):].isdigit():
            versions[int(key[len("version-"):])] = parse_version(value)
    return versions


@requires(permissions.BEDS_WRITE_OWN_HOSPITAL)
async def confirm_sections(request: Request) -> Response:
    """Confirm one section (its own form) or all on the page ("confirm all unchanged")."""
    try:
        versions = _versions(await _form(request))
    except ValidationFailed as error:
        return await operator_page(request, row_states={}, status_code=error.status)
    return await _confirm(request, versions)


async def _confirm(request: Request, versions: dict[int, int]) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        outcome = await service.confirm_unchanged(uow, actor=actor, versions=versions)
        # The script shows who confirmed and when in the last-update column without a reload.
        confirmed = set(outcome.confirmed)
        views = ([] if not confirmed or actor.organisation_id is None else
                 await service.sections_of_hospital(uow, actor=actor, hospital_id=actor.organisation_id))
    if wants_json(request):
        return JSONResponse({"confirmed": outcome.confirmed, "conflicts": outcome.conflicts,
                             "sections": [view.as_json() for view in views if view.id in confirmed]})
    if outcome.conflicts:
        states = {current["id"]: {"conflict": current} for current in outcome.conflicts}
        return await operator_page(request, row_states=states, status_code=409)
    saved = ",".join(str(section_id) for section_id in outcome.confirmed)
    return RedirectResponse(f"/operator?saved={saved}", status_code=303)


routes = [
    Route("/operator", operator_screen, methods=["GET"], name="operator"),
    Route("/operator/sections/{section_id:int}", save_free_beds, methods=["POST"], name="operator_save"),
    Route("/operator/confirm", confirm_sections, methods=["POST"], name="operator_confirm"),
]
