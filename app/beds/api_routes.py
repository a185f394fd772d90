"""The JSON API for hospital information systems and scripts (``/api/v1``); docs/api.md describes it.

Routes parse, authorise and call the services; every write goes through ``beds.service``, which checks
the permission again, audits and bumps the version in the one transaction.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import api_parsing, queries, service
from app.beds.api_bodies import FreeBedsChange
from app.beds.running import bed_services
from app.beds.write_batch import FreeBedsWrite
from app.kit.api_parsing import parse_id
from app.kit.state import current_actor, services


def _section_id(request: Request) -> int:
    return parse_id(request.path_params["section_id"], field="section_id")


@requires(permissions.SIGNED_IN)
async def list_sections(request: Request) -> Response:
    """The query itself limits the rows to what the actor may read."""
    filters = api_parsing.section_filters(request.query_params)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        views = await queries.list_sections(uow.session, actor=current_actor(request), filters=filters)
    return JSONResponse({"sections": [view.as_json() for view in views],
                         "server_time": app_services.clock.now().isoformat()})


@requires(permissions.SIGNED_IN)
async def get_section(request: Request) -> Response:
    section_id = _section_id(request)
    async with services(request).unit_of_work() as uow:
        view = await queries.one_section(uow.session, actor=current_actor(request), section_id=section_id)
    return JSONResponse(view.as_json())


async def _write(request: Request, section_id: int, change: FreeBedsChange,
                 idempotency_key: str | None) -> service.WriteResult:
    return await bed_services(request).writes.set_free_beds(FreeBedsWrite(
        actor=current_actor(request), section_id=section_id, free_beds=change.free_beds,
        expected_version=change.expected_version, reason=change.reason, idempotency_key=idempotency_key))


@requires(permissions.BEDS_WRITE_OWN_HOSPITAL)
async def put_free_beds(request: Request) -> Response:
    section_id = _section_id(request)
    change = await api_parsing.free_beds_change(request)
    idempotency_key = request.headers.get("idempotency-key")
    result = await service.racing_keys_retried(lambda: _write(request, section_id, change, idempotency_key),
                                               idempotency_key)
    headers = {"Idempotency-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.section, headers=headers)


@requires(permissions.SIGNED_IN)
async def list_hospitals(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        found = await queries.hospitals(uow.session, actor=current_actor(request))
    return JSONResponse({"hospitals": found})


@requires(permissions.SIGNED_IN)
async def list_section_types(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        found = await queries.section_types(uow.session)
    return JSONResponse({"section_types": found})


routes: list[BaseRoute] = [
    Route("/api/v1/sections", list_sections, methods=["GET"], name="api_sections"),
    Route("/api/v1/sections/{section_id}", get_section, methods=["GET"], name="api_section"),
    Route("/api/v1/sections/{section_id}/free-beds", put_free_beds, methods=["PUT"], name="api_free_beds"),
    Route("/api/v1/hospitals", list_hospitals, methods=["GET"], name="api_hospitals"),
    Route("/api/v1/section-types", list_section_types, methods=["GET"], name="api_section_types"),
]
