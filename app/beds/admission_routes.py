"""The admission status in the JSON API: read and set a hospital's or a section's, and the list of reasons.

A write answers like the free-beds write: the new state, 409 with the current one when the version moved on, a
stored answer for a repeated Idempotency-Key (``service.racing_keys_retried``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import admission
from app.beds.admission import AdmissionAnswer, AdmissionRequest, Target
from app.beds.api_bodies import AdmissionChange, admission_refusal
from app.beds.service import racing_keys_retried
from app.kit.api_bodies import read_body
from app.kit.api_parsing import invalid, parse_id
from app.kit.forms import check_day_in_range
from app.kit.i18n import _
from app.kit.state import current_actor, services


def until_of(text: str | None, field: str = "until") -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise invalid(_("{field} must be an ISO 8601 time with its offset, e.g. 2026-03-14T08:30:00+02:00."),
                      field, field=field) from None
    if moment.tzinfo is None:
        raise invalid(_("The expiry needs its time zone (e.g. 2026-12-07T18:00:00+02:00)."), field)
    check_day_in_range(moment.date(), field)
    return moment.astimezone(UTC)


async def _target(request: Request) -> Target:
    if "hospital_id" in request.path_params:
        return Target(parse_id(request.path_params["hospital_id"], field="hospital_id"))
    section_id = parse_id(request.path_params["section_id"], field="section_id")
    async with services(request).unit_of_work() as uow:
        return await admission.target_of_section(uow, section_id)


@requires(permissions.SIGNED_IN)
async def get_admission(request: Request) -> Response:
    target = await _target(request)
    async with services(request).unit_of_work() as uow:
        state = await admission.read_admission(uow, actor=current_actor(request), target=target)
    return JSONResponse(state)


async def _write(request: Request, target: Target, change: AdmissionChange,
                 idempotency_key: str | None) -> AdmissionAnswer:
    wanted = AdmissionRequest(status=change.status, reason_code=change.reason_code, reason=change.reason,
                              until=until_of(change.until), expected_version=change.expected_version)
    async with services(request).unit_of_work() as uow:
        return await admission.set_admission(uow, actor=current_actor(request), target=target, request=wanted,
                                             idempotency_key=idempotency_key)


@requires(permissions.ADMISSION_SET)
async def put_admission(request: Request) -> Response:
    target = await _target(request)
    change = await read_body(request, AdmissionChange, admission_refusal)
    idempotency_key = request.headers.get("idempotency-key")
    answer = await racing_keys_retried(lambda: _write(request, target, change, idempotency_key), idempotency_key)
    headers = {"Idempotency-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, headers=headers)


@requires(permissions.SIGNED_IN)
async def list_reasons(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        body = await admission.reasons_json(uow)
    return JSONResponse({"admission_reasons": body})


routes: list[BaseRoute] = [
    Route("/api/v1/hospitals/{hospital_id}/admission", get_admission, methods=["GET"], name="api_hospital_admission"),
    Route("/api/v1/hospitals/{hospital_id}/admission", put_admission, methods=["PUT"],
          name="api_hospital_admission_set"),
    Route("/api/v1/sections/{section_id}/admission", get_admission, methods=["GET"], name="api_section_admission"),
    Route("/api/v1/sections/{section_id}/admission", put_admission, methods=["PUT"],
          name="api_section_admission_set"),
    Route("/api/v1/admission-reasons", list_reasons, methods=["GET"], name="api_admission_reasons"),
]
