"""The pages of catalogue change requests: proposing one (a table of operation rows), the list, and one request
with the steps of its approver, its stewards and its requester. ``changes`` decides every step again; a step
out of order is refused (409) and shown on the page, and nothing changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.roles import change_detail, change_views, changes
from app.provisioning.roles.catalogue.versions import CatalogueChangeInvalid
from app.provisioning.roles.change_forms import (
    MAX_ROWS,
    OPERATION_LABELS,
    ChangeForm,
    blank_rows,
    operations_of,
    row_count,
    rows_from_form,
    rows_from_operations,
    with_more_rows,
)
from app.provisioning.roles.people_pages import local_time, path_id

Step = Callable[[UnitOfWork, Actor, int, str], Awaitable[object]]
DONE_MESSAGES: Final = {
    "proposed": _("The change is proposed. The head of operations is asked to approve it."),
    "approved": _("Approved. The catalogue stewards are told it waits for review."),
    "declined": _("Not approved. The requester is told the reason."),
    "review_started": _("You started the review. Apply the change, or send it back with what to correct."),
    "sent_back": _("Sent back. The requester is told what to correct."),
    "revised": _("The revised change is sent. The stewards are told."),
    "applied": _("The change is applied as a new version of the catalogue."),
}
MORE_ROWS_INTENT: Final = "more_rows"
FORM_CONTEXT: Final = {"operation_labels": OPERATION_LABELS, "max_rows": MAX_ROWS}


def _done(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


def _catalogue_id(request: Request) -> int:
    found = positive_id(request.path_params["catalogue_id"])
    if found is None:
        raise NotFound(_("There is no such role catalogue."))
    return found


async def _new_page(request: Request, catalogue_id: int, form: ChangeForm, *, error: DomainError | None = None,
                    status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        proposal = await change_views.proposal_context(uow.session, current_actor(request), catalogue_id)
    return render(request, "roles_change_new.html", {
        "proposal": proposal, "form": form, "error": error, **FORM_CONTEXT}, status_code=status_code)


@requires(permissions.ROLES_CATALOGUE_PROPOSE)
async def new_change(request: Request) -> Response:
    rows = blank_rows(row_count(request.query_params.get("rows", "")))
    return await _new_page(request, _catalogue_id(request), ChangeForm(rows))


@requires(permissions.ROLES_CATALOGUE_PROPOSE)
async def propose(request: Request) -> Response:
    catalogue_id = _catalogue_id(request)
    typed = await form_text(request, "description", "intent")
    form = ChangeForm(rows_from_form(await request.form()), description=typed["description"])
    if typed["intent"] == MORE_ROWS_INTENT:
        return await _new_page(request, catalogue_id, ChangeForm(with_more_rows(form.rows), form.description))
    try:
        operations = operations_of(form.rows)
        async with services(request).unit_of_work() as uow:
            created = await changes.propose(uow, actor=current_actor(request), catalogue_id=catalogue_id,
                                            description=form.description, operations=operations)
    except CatalogueChangeInvalid as refused:
        return await _new_page(request, catalogue_id, form.refused(refused), error=refused,
                               status_code=refused.status)
    except (ValidationFailed, Conflict) as error:
        return await _new_page(request, catalogue_id, form, error=error, status_code=error.status)
    return RedirectResponse(f"/roles/requests/{created.id}?done=proposed", status_code=303)


@requires(permissions.ROLES_CATALOGUE_READ)
async def change_list(request: Request) -> Response:
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        rows = await change_views.change_list(uow.session, actor, app_services.clock.now())
        catalogues = await change_views.proposable(uow.session, actor)
    return render(request, "roles_change_list.html", {"rows": rows, "catalogues": catalogues, "at": local_time})


async def change_page(request: Request, request_id: int, *, error: DomainError | None = None,
                      typed: dict[str, str] | None = None, revision: ChangeForm | None = None,
                      status_code: int = 200) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        view = await change_detail.change_view(uow.session, current_actor(request), request_id,
                                               app_services.clock.now())
    if revision is None and view.proposal is not None:
        revision = ChangeForm(rows_from_operations(view.operations))
    return render(request, "roles_change_detail.html", {
        "view": view, "error": error, "typed": typed or {}, "revision": revision, "done": _done(request),
        "at": lambda moment: local_time(moment, view.zone), **FORM_CONTEXT}, status_code=status_code)


async def change_detail_page(request: Request, request_id: int) -> Response:
    """The page of /roles/requests/{id} for a catalogue change (``request_routes.DETAIL_PAGES``)."""
    return await change_page(request, request_id)


async def _step(request: Request, step: Step, *, field: str, done: str) -> Response:
    request_id = path_id(request, "request_id")
    text = (await form_text(request, field))[field] if field else ""
    try:
        async with services(request).unit_of_work() as uow:
            await step(uow, current_actor(request), request_id, text)
    except (ValidationFailed, Conflict) as error:
        return await change_page(request, request_id, error=error, typed={field: text} if field else None,
                                 status_code=error.status)
    return RedirectResponse(f"/roles/requests/{request_id}?done={done}", status_code=303)


async def _approve(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changes.approve(uow, actor=actor, request_id=request_id)


async def _decline(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await changes.decline(uow, actor=actor, request_id=request_id, reason=reason)


async def _start_review(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changes.start_review(uow, actor=actor, request_id=request_id)


async def _send_back(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await changes.send_back(uow, actor=actor, request_id=request_id, reason=reason)


async def _apply(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changes.apply(uow, actor=actor, request_id=request_id)


@requires(permissions.ROLES_CATALOGUE_APPROVE)
async def approve(request: Request) -> Response:
    return await _step(request, _approve, field="", done="approved")


@requires(permissions.ROLES_CATALOGUE_APPROVE)
async def decline(request: Request) -> Response:
    return await _step(request, _decline, field="decline_reason", done="declined")


@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def start_review(request: Request) -> Response:
    return await _step(request, _start_review, field="", done="review_started")


@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def send_back(request: Request) -> Response:
    return await _step(request, _send_back, field="send_back_reason", done="sent_back")


@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def apply(request: Request) -> Response:
    return await _step(request, _apply, field="", done="applied")


@requires(permissions.ROLES_CATALOGUE_PROPOSE)
async def revise(request: Request) -> Response:
    """The requester's corrected proposal after a send-back, with their answer to the steward."""
    request_id = path_id(request, "request_id")
    typed = await form_text(request, "answer", "intent")
    form = ChangeForm(rows_from_form(await request.form()), answer=typed["answer"])
    if typed["intent"] == MORE_ROWS_INTENT:
        return await change_page(request, request_id, revision=ChangeForm(with_more_rows(form.rows),
                                                                          answer=form.answer))
    try:
        operations = operations_of(form.rows)
        async with services(request).unit_of_work() as uow:
            await changes.revise(uow, actor=current_actor(request), request_id=request_id, operations=operations,
                                 answer=form.answer)
    except CatalogueChangeInvalid as refused:
        return await change_page(request, request_id, error=refused, revision=form.refused(refused),
                                 status_code=refused.status)
    except (ValidationFailed, Conflict) as error:
        return await change_page(request, request_id, error=error, revision=form, status_code=error.status)
    return RedirectResponse(f"/roles/requests/{request_id}?done=revised", status_code=303)


routes = [
    Route("/roles/changes", change_list, methods=["GET"], name="roles_changes"),
    Route("/roles/catalogues/{catalogue_id}/changes/new", new_change, methods=["GET"], name="roles_change_new"),
    Route("/roles/catalogues/{catalogue_id}/changes", propose, methods=["POST"], name="roles_change_propose"),
    Route("/roles/changes/{request_id}/approve", approve, methods=["POST"], name="roles_change_approve"),
    Route("/roles/changes/{request_id}/decline", decline, methods=["POST"], name="roles_change_decline"),
    Route("/roles/changes/{request_id}/start-review", start_review, methods=["POST"], name="roles_change_start"),
    Route("/roles/changes/{request_id}/send-back", send_back, methods=["POST"], name="roles_change_send_back"),
    Route("/roles/changes/{request_id}/apply", apply, methods=["POST"], name="roles_change_apply"),
    Route("/roles/changes/{request_id}/revise", revise, methods=["POST"], name="roles_change_revise"),
]
