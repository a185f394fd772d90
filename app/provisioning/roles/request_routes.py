"""IT support's employee-assignment requests: the queue, one request, and Take, Done (with an optional
reference) and Reject (with the reason). Notifications of every roles request link to /roles/requests/{id};
a kind's own page is found in ``DETAIL_PAGES`` (catalogue changes add theirs there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core import service
from app.provisioning.roles import assignments, change_routes, kinds, request_views, support
from app.provisioning.roles.people_pages import done_message, local_time, path_id

DetailPage = Callable[[Request, int], Awaitable[Response]]
Decision = Callable[[UnitOfWork, Actor, int, str], Awaitable[object]]


@requires(permissions.ROLES_SUPPORT)
async def request_list(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        rows = await request_views.support_queue(uow.session, current_actor(request), app_services.clock.now())
    return render(request, "roles_request_list.html", {"rows": rows, "done": done_message(request),
                                                        "at": local_time})


async def assignment_page(request: Request, request_id: int, *, error: DomainError | None = None,
                          typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        view = await request_views.assignment_request(uow.session, current_actor(request), request_id,
                                                      app_services.clock.now())
    return render(request, "roles_request_detail.html", {
        "view": view, "error": error, "typed": dict(typed or {}), "done": done_message(request),
        "at": lambda moment: local_time(moment, view.zone)},
        status_code=status_code)


async def _assignment_detail(request: Request, request_id: int) -> Response:
    return await assignment_page(request, request_id)


DETAIL_PAGES: dict[str, DetailPage] = {kinds.ASSIGNMENT.code: _assignment_detail,
                                       kinds.CATALOGUE_CHANGE.code: change_routes.change_detail_page}


@requires(permissions.SIGNED_IN)
async def request_detail(request: Request) -> Response:
    """Any signed-in person may ask; each kind's read model refuses those who may not see the request."""
    request_id = path_id(request, "request_id")
    async with services(request).unit_of_work() as uow:
        kind = (await service.load_request(uow.session, request_id)).kind
    page = DETAIL_PAGES.get(kind)
    if page is None:
        raise NotFound(_("There is no such request."))
    return await page(request, request_id)


async def _decide(request: Request, decision: Decision, *, field: str, done: str) -> Response:
    request_id = path_id(request, "request_id")
    text = ""
    if field:
        value = (await request.form()).get(field)
        text = value if isinstance(value, str) else ""
    try:
        async with services(request).unit_of_work() as uow:
            await decision(uow, current_actor(request), request_id, text)
    except (ValidationFailed, Conflict) as error:
        return await assignment_page(request, request_id, error=error, typed={field: text} if field else None,
                                     status_code=error.status)
    return RedirectResponse(f"/roles/requests/{request_id}?done={done}", status_code=303)


async def _take(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await assignments.accept_for_support(uow, actor=actor, request_id=request_id)


async def _complete(uow: UnitOfWork, actor: Actor, request_id: int, reference: str) -> object:
    return await assignments.complete_creation(uow, actor=actor, request_id=request_id,
                                               external_reference=reference.strip() or None)


async def _reject(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await support.reject_assignment(uow, actor=actor, request_id=request_id, reason=reason)


@requires(permissions.ROLES_SUPPORT)
async def take(request: Request) -> Response:
    return await _decide(request, _take, field="", done="taken")


@requires(permissions.ROLES_SUPPORT)
async def complete(request: Request) -> Response:
    return await _decide(request, _complete, field="external_reference", done="created")


@requires(permissions.ROLES_SUPPORT)
async def reject(request: Request) -> Response:
    return await _decide(request, _reject, field="reason", done="rejected")


routes = [
    Route("/roles/requests", request_list, methods=["GET"], name="roles_requests"),
    Route("/roles/requests/{request_id}", request_detail, methods=["GET"], name="roles_request"),
    Route("/roles/requests/{request_id}/take", take, methods=["POST"], name="roles_request_take"),
    Route("/roles/requests/{request_id}/done", complete, methods=["POST"], name="roles_request_done"),
    Route("/roles/requests/{request_id}/reject", reject, methods=["POST"], name="roles_request_reject"),
]
