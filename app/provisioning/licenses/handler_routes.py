"""The handlers' pages: the officer's queue and pool, the help desk's tickets, and their decisions on one
request. Activation is the officer's alone: the help desk's forms never reach ``accept`` of a licence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, ValidationFailed
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.licenses import decisions, pages, queries
from app.provisioning.licenses.detail_routes import detail_page

Decision = Callable[[UnitOfWork, Actor, int, str], Awaitable[ProvisioningRequest]]


@requires(permissions.LICENSES_DECIDE)
async def queue_page(request: Request) -> Response:
    app_services = services(request)
    now = app_services.clock.now()
    async with app_services.unit_of_work() as uow:
        waiting = await queries.officer_queue(uow.session, current_actor(request), now)
        ongoing = await queries.officer_open_work(uow.session, current_actor(request), now)
    return render(request, "licenses_queue.html", {
        "rows": waiting, "ongoing": ongoing, "at": pages.local_time, "done": pages.done_message(request)})


@requires(permissions.LICENSES_DECIDE)
async def pool_page(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        pool = await queries.pool_view(uow.session, current_actor(request))
    return render(request, "licenses_pool.html", {"pool": pool})


@requires(permissions.LICENSES_SUPPORT)
async def tickets_page(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        rows = await queries.helpdesk_tickets(uow.session, current_actor(request), app_services.clock.now())
    return render(request, "licenses_tickets.html", {
        "rows": rows, "at": pages.local_time, "done": pages.done_message(request)})


async def _decide(request: Request, decision: Decision, *, field: str, done: str) -> Response:
    """Runs one decision; a refused one comes back to the request's page with the reason and the text typed."""
    request_id = pages.path_id(request, "request_id")
    text = pages.text_of(await request.form(), field) if field else ""
    try:
        async with services(request).unit_of_work() as uow:
            await decision(uow, current_actor(request), request_id, text)
    except (ValidationFailed, Conflict) as error:
        return await detail_page(request, request_id, error=error, typed={field: text}, status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{request_id}?done={done}", status_code=303)


async def _accept(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> ProvisioningRequest:
    return await decisions.accept(uow, actor=actor, request_id=request_id)


async def _reject(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    return await decisions.reject(uow, actor=actor, request_id=request_id, reason=reason)


async def _ask(uow: UnitOfWork, actor: Actor, request_id: int, question: str) -> ProvisioningRequest:
    return await decisions.ask_requester(uow, actor=actor, request_id=request_id, question=question)


async def _resolve(uow: UnitOfWork, actor: Actor, request_id: int, resolution: str) -> ProvisioningRequest:
    return await decisions.resolve_ticket(uow, actor=actor, request_id=request_id, resolution=resolution)


@requires(permissions.LICENSES_DECIDE)
async def accept(request: Request) -> Response:
    return await _decide(request, _accept, field="", done="accepted")


@requires(permissions.LICENSES_DECIDE)
async def reject(request: Request) -> Response:
    return await _decide(request, _reject, field="reason", done="rejected")


@requires(permissions.LICENSES_DECIDE)
async def ask(request: Request) -> Response:
    return await _decide(request, _ask, field="question", done="asked")


@requires(permissions.LICENSES_SUPPORT)
async def take_ticket(request: Request) -> Response:
    return await _decide(request, _accept, field="", done="taken")


@requires(permissions.LICENSES_SUPPORT)
async def ask_about_ticket(request: Request) -> Response:
    return await _decide(request, _ask, field="question", done="asked")


@requires(permissions.LICENSES_SUPPORT)
async def reject_ticket(request: Request) -> Response:
    """Tickets the help desk does not handle (activation, reactivation) go back with the reason."""
    return await _decide(request, _reject, field="reason", done="rejected")


@requires(permissions.LICENSES_SUPPORT)
async def resolve_ticket(request: Request) -> Response:
    return await _decide(request, _resolve, field="resolution", done="resolved")


routes = [
    Route("/licenses/queue", queue_page, methods=["GET"], name="license_queue"),
    Route("/licenses/pool", pool_page, methods=["GET"], name="license_pool"),
    Route("/licenses/tickets", tickets_page, methods=["GET"], name="license_tickets"),
    Route("/licenses/requests/{request_id}/accept", accept, methods=["POST"], name="license_request_accept"),
    Route("/licenses/requests/{request_id}/reject", reject, methods=["POST"], name="license_request_reject"),
    Route("/licenses/requests/{request_id}/ask", ask, methods=["POST"], name="license_request_ask"),
    Route("/licenses/tickets/{request_id}/take", take_ticket, methods=["POST"], name="license_ticket_take"),
    Route("/licenses/tickets/{request_id}/ask", ask_about_ticket, methods=["POST"], name="license_ticket_ask"),
    Route("/licenses/tickets/{request_id}/resolve", resolve_ticket, methods=["POST"], name="license_ticket_resolve"),
    Route("/licenses/tickets/{request_id}/reject", reject_ticket, methods=["POST"], name="license_ticket_reject"),
]
