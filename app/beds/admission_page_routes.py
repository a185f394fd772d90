"""The admission status on pages (issue 21): set by a hospital's operators on their screen and by its authority's
administrators on its page, and the clarification notes, from the board, the operator's screen and that page.

Every write is a plain form that works without JavaScript (POST, then back with what was saved, or the page again
with the message next to the field); a status goes through ``admission.set_admission``, the API's own write.
The board's script reads and writes notes as JSON: ``GET /board/admission-notes?section_id=N`` (or
``hospital_id=N``) and ``POST /board/admission-notes`` with ``hospital_id``, ``section_id`` and ``text``.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import admission, admission_notes, operator_routes, status_queries
from app.beds.admission import Target
from app.beds.admission_forms import STATUS_LABELS, admission_request
from app.beds.admission_pages import Refusal, status_context
from app.beds.errors import AdmissionVersionConflict, NothingToClarify
from app.beds.models import MAX_ADMISSION_NOTE_LENGTH
from app.kit.actors import Actor
from app.kit.api_parsing import parse_id
from app.kit.error_pages import wants_json
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _, format_moment
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render, translator

MAX_NOTE_BODY = 8192


def _at_own_hospital(actor: Actor, hospital_id: int) -> bool:
    return actor.has_role("operator") and actor.organisation_id == hospital_id


def _back(actor: Actor, hospital_id: int) -> str:
    return "/operator" if _at_own_hospital(actor, hospital_id) else f"/admin/hospitals/{hospital_id}"


async def _form(request: Request) -> dict[str, str]:
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


async def _hospital_page(request: Request, hospital_id: int, *, refusal: Refusal | None = None,
                         status_code: int = 200) -> Response:
    if _at_own_hospital(current_actor(request), hospital_id):
        return await operator_routes.operator_page(request, admission_refusal=refusal, status_code=status_code)
    context = await status_context(request, hospital_id, refusal=refusal, note_action="/board/admission-notes")
    return render(request, "admission_hospital.html", context, status_code=status_code)


async def _set(request: Request, target: Target) -> Response:
    actor, app_services = current_actor(request), services(request)
    form = await _form(request)
    key = "hospital" if target.section_id is None else str(target.section_id)
    try:
        wanted = admission_request(form, app_services.clock.now(), reader_zone(request))
        async with app_services.unit_of_work() as uow:
            await admission.set_admission(uow, actor=actor, target=target, request=wanted)
    except (ValidationFailed, AdmissionVersionConflict) as error:
        return await _hospital_page(request, target.hospital_id, refusal=Refusal(key, error, form),
                                    status_code=error.status)
    return RedirectResponse(f"{_back(actor, target.hospital_id)}?admission_saved={key}#admission-{key}",
                            status_code=303)


@requires(permissions.ADMISSION_SET)
async def set_hospital_status(request: Request) -> Response:
    return await _set(request, Target(parse_id(str(request.path_params["hospital_id"]), field="hospital_id")))


@requires(permissions.ADMISSION_SET)
async def set_section_status(request: Request) -> Response:
    section_id = parse_id(str(request.path_params["section_id"]), field="section_id")
    async with services(request).unit_of_work() as uow:
        target = await admission.target_of_section(uow, section_id)
    return await _set(request, target)


@requires(permissions.ADMISSION_SET)
async def hospitals_page(request: Request) -> Response:
    """An authority administrator's hospitals with their status; an operator's one hospital is their screen."""
    actor, app_services = current_actor(request), services(request)
    if actor.has_role("operator") and not actor.has_role("admin"):
        return RedirectResponse("/operator", status_code=303)
    async with app_services.unit_of_work() as uow:
        hospitals = await status_queries.authority_hospitals(uow, actor=actor, language=language_of(request),
                                                             now=app_services.clock.now())
    return render(request, "admission_hospitals.html", {"hospitals": hospitals, "status_labels": STATUS_LABELS})


@requires(permissions.ADMISSION_SET)
async def hospital_page(request: Request) -> Response:
    hospital_id = parse_id(str(request.path_params["hospital_id"]), field="hospital_id")
    if _at_own_hospital(current_actor(request), hospital_id):
        return RedirectResponse("/operator#admission", status_code=303)
    return await _hospital_page(request, hospital_id)


def _note_json(request: Request, note: admission_notes.NoteView) -> dict[str, object]:
    """A note for the board's script, with its moment written for this reader (their zone, their language)."""
    return {**note.as_json(),
            "written_at_text": format_moment(note.written_at, reader_zone(request), language_of(request))}


def _target_of(fields: dict[str, str]) -> Target:
    hospital_id = parse_id(fields.get("hospital_id", ""), field="hospital_id")
    section = fields.get("section_id", "")
    return Target(hospital_id, parse_id(section, field="section_id") if section else None)


def _sends_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


async def _note_fields(request: Request) -> dict[str, str]:
    if not _sends_json(request):
        return await _form(request)
    body = await request.body()
    if len(body) > MAX_NOTE_BODY:
        raise ValidationFailed(_("Write the note: from 1 to {max} characters."), max=MAX_ADMISSION_NOTE_LENGTH,
                               details={"field": "text"})
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return {}
    return {key: str(value) for key, value in parsed.items() if isinstance(value, str | int)}


async def _add_note(request: Request, fields: dict[str, str]) -> Response:
    """A note from a form (back to the page it came from) or from the board's script (JSON in, JSON out)."""
    actor, as_json = current_actor(request), wants_json(request) or _sends_json(request)
    target = _target_of(fields)
    key = "hospital" if target.section_id is None else str(target.section_id)
    try:
        async with services(request).unit_of_work() as uow:
            note = await admission_notes.add_note(uow, actor=actor, target=target, text=fields.get("text", ""))
    except (ValidationFailed, NothingToClarify) as error:
        if as_json:
            translate = translator(language_of(request), reader_zone(request))
            return JSONResponse({"error": {"code": error.code, "message": translate(error.message, **error.params),
                                           "details": error.details}}, status_code=error.status)
        return await _hospital_page(request, target.hospital_id, refusal=Refusal(key, error, fields, note=True),
                                    status_code=error.status)
    if as_json:
        return JSONResponse({"note": _note_json(request, note)})
    return RedirectResponse(f"{_back(actor, target.hospital_id)}?noted={key}#notes-{key}", status_code=303)


@requires(permissions.BEDS_WRITE_OWN_HOSPITAL)
async def operator_note(request: Request) -> Response:
    return await _add_note(request, await _form(request))


@requires(permissions.BOARD_VIEW)
async def board_note(request: Request) -> Response:
    # Before the fields are read: an auditor may view the board but writes nothing, and is told so rather than
    # that a field is missing.
    if not admission_notes.may_ask(current_actor(request)):
        raise PermissionDenied(_("Only coordinators, administrators and the hospital's operators write notes on a "
                                 "status."))
    return await _add_note(request, await _note_fields(request))


@requires(permissions.BOARD_VIEW)
async def board_notes(request: Request) -> Response:
    """The notes the reader may see on one hospital's or section's open status (``?hospital_id=N``,
    ``?section_id=N``), or on every open status (no parameter), as JSON for the board's detail."""
    query, actor = request.query_params, current_actor(request)
    target: Target | None = None
    async with services(request).unit_of_work() as uow:
        if query.get("section_id"):
            target = await admission.target_of_section(uow, parse_id(query["section_id"], field="section_id"))
        elif query.get("hospital_id"):
            target = Target(parse_id(query["hospital_id"], field="hospital_id"))
        notes = (await admission_notes.notes_of(uow, actor=actor, target=target) if target is not None
                 else await admission_notes.all_open_notes(uow, actor=actor))
    return JSONResponse({"hospital_id": None if target is None else target.hospital_id,
                         "section_id": None if target is None else target.section_id,
                         "notes": [_note_json(request, note) for note in notes]})


routes: list[BaseRoute] = [
    Route("/hospitals/{hospital_id:int}/admission", set_hospital_status, methods=["POST"],
          name="hospital_admission_form"),
    Route("/sections/{section_id:int}/admission", set_section_status, methods=["POST"],
          name="section_admission_form"),
    Route("/admin/hospitals", hospitals_page, methods=["GET"], name="admission_hospitals"),
    Route("/admin/hospitals/{hospital_id:int}", hospital_page, methods=["GET"], name="admission_hospital"),
    Route("/operator/admission-notes", operator_note, methods=["POST"], name="operator_admission_note"),
    Route("/board/admission-notes", board_note, methods=["POST"], name="board_admission_note"),
    Route("/board/admission-notes", board_notes, methods=["GET"], name="board_admission_notes"),
]
