"""The handlers' pages: the officer's queue and pool, the help desk's tickets, and their decisions on one
request. Activation is the officer's alone: the help desk's forms never reach ``accept`` of a licence."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.request_pages import list_page, reader_time
from app.provisioning.licenses import deciding, queries, request_forms
from app.provisioning.licenses.detail_routes import PAGES


@requires(permissions.LICENSES_DECIDE)
async def queue_page(request: Request) -> Response:
    app_services = services(request)
    now = app_services.clock.now()
    async with app_services.unit_of_work() as uow:
        waiting = await queries.officer_queue(uow.session, current_actor(request), now)
        ongoing = await queries.officer_open_work(uow.session, current_actor(request), now)
    return render(request, "licenses_queue.html", {
        "rows": waiting, "ongoing": ongoing, "at": reader_time(request), "done": request_forms.done_message(request)})


@requires(permissions.LICENSES_DECIDE)
async def pool_page(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        pool = await queries.pool_view(uow.session, current_actor(request))
    return render(request, "licenses_pool.html", {"pool": pool})


@requires(permissions.LICENSES_SUPPORT)
async def tickets_page(request: Request) -> Response:
    return await list_page(request, "licenses_tickets.html", queries.helpdesk_tickets,
                           done=request_forms.done_message(request))


async def _accept(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> ProvisioningRequest:
    return await deciding.accept(uow, actor=actor, request_id=request_id)


async def _reject(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    return await deciding.reject(uow, actor=actor, request_id=request_id, reason=reason)


async def _ask(uow: UnitOfWork, actor: Actor, request_id: int, question: str) -> ProvisioningRequest:
    return await deciding.ask_requester(uow, actor=actor, request_id=request_id, question=question)


async def _resolve(uow: UnitOfWork, actor: Actor, request_id: int, resolution: str) -> ProvisioningRequest:
    return await deciding.resolve_ticket(uow, actor=actor, request_id=request_id, resolution=resolution)


routes = [
    Route("/licenses/queue", queue_page, methods=["GET"], name="license_queue"),
    Route("/licenses/pool", pool_page, methods=["GET"], name="license_pool"),
    Route("/licenses/tickets", tickets_page, methods=["GET"], name="license_tickets"),
    PAGES.decision("/licenses/requests/{request_id}/accept", _accept, permission=permissions.LICENSES_DECIDE,
                   done="accepted", name="license_request_accept"),
    PAGES.decision("/licenses/requests/{request_id}/reject", _reject, permission=permissions.LICENSES_DECIDE,
                   field="reason", done="rejected", name="license_request_reject"),
    PAGES.decision("/licenses/requests/{request_id}/ask", _ask, permission=permissions.LICENSES_DECIDE,
                   field="question", done="asked", name="license_request_ask"),
    PAGES.decision("/licenses/tickets/{request_id}/take", _accept, permission=permissions.LICENSES_SUPPORT,
                   done="taken", name="license_ticket_take"),
    PAGES.decision("/licenses/tickets/{request_id}/ask", _ask, permission=permissions.LICENSES_SUPPORT,
                   field="question", done="asked", name="license_ticket_ask"),
    PAGES.decision("/licenses/tickets/{request_id}/resolve", _resolve, permission=permissions.LICENSES_SUPPORT,
                   field="resolution", done="resolved", name="license_ticket_resolve"),
    # Tickets the help desk does not handle (activation, reactivation) go back with the reason.
    PAGES.decision("/licenses/tickets/{request_id}/reject", _reject, permission=permissions.LICENSES_SUPPORT,
                   field="reason", done="rejected", name="license_ticket_reject"),
]
