"""The announcements' JSON API (``/api/v1/announcements``): coordinators announce, cancel and read their
authority's; a hospital's operators read theirs and acknowledge; either says the patient arrived. Routes parse and
call the services, which check who may again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.dispatch import announcements, queries
from app.beds.dispatch.api_bodies import AnnouncementBody, CancelBody, refusal
from app.beds.dispatch.limits import DispatchLimits
from app.kit.api_bodies import read_body
from app.kit.api_parsing import invalid, parse_id
from app.kit.i18n import _
from app.kit.state import current_actor, services


def draft_of(body: AnnouncementBody) -> announcements.AnnouncementDraft:
    return announcements.AnnouncementDraft(
        hospital_id=body.hospital_id, section_type_id=body.section_type_id, category=body.category,
        urgency=body.urgency, age_band=body.age_band, flags=tuple(body.flags), eta_minutes=body.eta_minutes,
        note=body.note, hold=body.hold)


@requires(permissions.DISPATCH_ANNOUNCE)
async def create(request: Request) -> Response:
    body = await read_body(request, AnnouncementBody, refusal)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        row = await announcements.announce(uow, actor=current_actor(request), draft=draft_of(body),
                                           limits=DispatchLimits.of(app_services.settings))
        answer = await announcements.as_json(uow.session, row)
    return JSONResponse(answer, status_code=201)


def _filters(request: Request) -> tuple[int | None, str | None]:
    raw_hospital = request.query_params.get("hospital_id") or None
    hospital_id = None if raw_hospital is None else parse_id(raw_hospital, field="hospital_id")
    state = request.query_params.get("state") or None
    if state is not None and state not in queries.STATE_FILTERS:
        raise invalid(_("state is one of: open, announced, acknowledged, arrived, cancelled, expired."), "state")
    return hospital_id, state


@requires(permissions.DISPATCH_VIEW)
async def listing(request: Request) -> Response:
    hospital_id, state = _filters(request)
    async with services(request).unit_of_work() as uow:
        found = await queries.announcements_for(uow.session, actor=current_actor(request), hospital_id=hospital_id,
                                                state=state)
    return JSONResponse({"announcements": found})


@requires(permissions.DISPATCH_VIEW)
async def category_list(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        return JSONResponse({"categories": await queries.categories(uow.session)})


def _id(request: Request) -> int:
    return parse_id(request.path_params["announcement_id"], field="announcement_id")


@requires(permissions.DISPATCH_RECEIVE)
async def acknowledge(request: Request) -> Response:
    announcement_id = _id(request)
    async with services(request).unit_of_work() as uow:
        row = await announcements.acknowledge(uow, actor=current_actor(request), announcement_id=announcement_id)
        answer = await announcements.as_json(uow.session, row)
    return JSONResponse(answer)


@requires(permissions.DISPATCH_VIEW)
async def arrived(request: Request) -> Response:
    announcement_id = _id(request)
    async with services(request).unit_of_work() as uow:
        row = await announcements.arrive(uow, actor=current_actor(request), announcement_id=announcement_id)
        answer = await announcements.as_json(uow.session, row)
    return JSONResponse(answer)


@requires(permissions.DISPATCH_ANNOUNCE)
async def cancel(request: Request) -> Response:
    announcement_id = _id(request)
    body = await read_body(request, CancelBody, refusal)
    async with services(request).unit_of_work() as uow:
        row = await announcements.cancel(uow, actor=current_actor(request), announcement_id=announcement_id,
                                         reason=body.reason)
        answer = await announcements.as_json(uow.session, row)
    return JSONResponse(answer)


routes: list[BaseRoute] = [
    Route("/api/v1/announcements", listing, methods=["GET"], name="api_announcements"),
    Route("/api/v1/announcements", create, methods=["POST"], name="api_announcement_create"),
    Route("/api/v1/announcements/categories", category_list, methods=["GET"], name="api_announcement_categories"),
    Route("/api/v1/announcements/{announcement_id}/acknowledge", acknowledge, methods=["POST"],
          name="api_announcement_acknowledge"),
    Route("/api/v1/announcements/{announcement_id}/arrived", arrived, methods=["POST"],
          name="api_announcement_arrived"),
    Route("/api/v1/announcements/{announcement_id}/cancel", cancel, methods=["POST"], name="api_announcement_cancel"),
]
