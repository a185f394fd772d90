"""IT support's employee-assignment requests: the queue, one request, and Take, Done (with an optional
reference) and Reject (with the reason). Notifications of every roles request link to /roles/requests/{id};
a kind's own page is found in ``DETAIL_PAGES`` (catalogue changes add theirs there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import DomainError, NotFound
from app.kit.i18n import _
from app.kit.state import services
from app.provisioning.core import service
from app.provisioning.core.request_pages import RequestPages, detail_response, list_page, path_id, read_view
from app.provisioning.roles import assigning, change_routes, ending, kinds, request_queries, support
from app.provisioning.roles.people_forms import done_message

DetailPage = Callable[[Request, int], Awaitable[Response]]


@requires(permissions.ROLES_SUPPORT)
async def request_list(request: Request) -> Response:
    return await list_page(request, "roles_request_list.html", request_queries.support_queue,
                           done=done_message(request))


async def assignment_page(request: Request, request_id: int, *, error: DomainError | None = None,
                          typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    view = await read_view(request, request_queries.assignment_request, request_id)
    return detail_response(request, "roles_request_detail.html", view, done=done_message(request), error=error,
                           typed=typed, status_code=status_code)


ASSIGNMENTS = RequestPages("/roles/requests", assignment_page)


async def _assignment_detail(request: Request, request_id: int) -> Response:
    return await assignment_page(request, request_id)


DETAIL_PAGES: dict[str, DetailPage] = {kinds.ASSIGNMENT.code: _assignment_detail,
                                       kinds.ASSIGNMENT_END.code: _assignment_detail,
                                       kinds.CATALOGUE_CHANGE.code: change_routes.change_detail_page}


@requires(permissions.SIGNED_IN)
async def request_detail(request: Request) -> Response:
    """Any signed-in person may ask; each kind's read model refuses those who may not see the request."""
    request_id = path_id(request)
    async with services(request).unit_of_work() as uow:
        kind = (await service.load_request(uow.session, request_id)).kind
    page = DETAIL_PAGES.get(kind)
    if page is None:
        raise NotFound(_("There is no such request."))
    return await page(request, request_id)


async def _ends(uow: UnitOfWork, request_id: int) -> bool:
    """Whether the request ends an assignment in HSA (ending.py) rather than creating one (assigning.py)."""
    return (await service.load_request(uow.session, request_id)).kind == kinds.ASSIGNMENT_END.code


async def _take(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    if await _ends(uow, request_id):
        return await ending.take_end(uow, actor=actor, request_id=request_id)
    return await assigning.accept_for_support(uow, actor=actor, request_id=request_id)


async def _complete(uow: UnitOfWork, actor: Actor, request_id: int, reference: str) -> object:
    if await _ends(uow, request_id):
        return await ending.complete_end(uow, actor=actor, request_id=request_id,
                                         external_reference=reference.strip() or None)
    return await assigning.complete_creation(uow, actor=actor, request_id=request_id,
                                             external_reference=reference.strip() or None)


async def _reject(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await support.reject_assignment(uow, actor=actor, request_id=request_id, reason=reason)


routes = [
    Route("/roles/requests", request_list, methods=["GET"], name="roles_requests"),
    Route("/roles/requests/{request_id}", request_detail, methods=["GET"], name="roles_request"),
    ASSIGNMENTS.decision("/roles/requests/{request_id}/take", _take, permission=permissions.ROLES_SUPPORT,
                         done="taken", name="roles_request_take"),
    ASSIGNMENTS.decision("/roles/requests/{request_id}/done", _complete, permission=permissions.ROLES_SUPPORT,
                         field="external_reference", done="created", name="roles_request_done"),
    ASSIGNMENTS.decision("/roles/requests/{request_id}/reject", _reject, permission=permissions.ROLES_SUPPORT,
                         field="reason", done="rejected", name="roles_request_reject"),
]
