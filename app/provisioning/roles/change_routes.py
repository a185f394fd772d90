"""The pages of catalogue change requests: proposing one (a table of operation rows), the list, and one request
with the steps of its approver, its stewards and its requester. ``changing`` decides every step again; a step
out of order is refused (409) and shown on the page, and nothing changes."""

from __future__ import annotations

from collections.abc import Mapping
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
from app.provisioning.core import workflow
from app.provisioning.core.request_pages import RequestPages, detail_response, path_id, read_view, reader_time
from app.provisioning.roles import change_detail_queries, change_queries, changing
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

DONE_MESSAGES: Final = {
    "proposed": _("The change is proposed. The head of operations is asked to approve it."),
    "approved": _("Approved. The catalogue stewards are told it waits for review."),
    "declined": _("Not approved. The requester is told the reason."),
    "review_started": _("You started the review. Apply the change, or send it back with what to correct."),
    "sent_back": _("Sent back. The requester is told what to correct."),
    "revised": _("The revised change is sent. The stewards are told."),
    "revised_for_approval": _("The revised change goes back to the head of operations for approval; they are told. "
                              "The stewards review it again once it is approved."),
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
        proposal = await change_queries.proposal_context(uow.session, current_actor(request), catalogue_id)
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
            created = await changing.propose(uow, actor=current_actor(request), catalogue_id=catalogue_id,
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
        rows = await change_queries.change_list(uow.session, actor, app_services.clock.now())
        catalogues = await change_queries.proposable(uow.session, actor)
    return render(request, "roles_change_list.html",
                  {"rows": rows, "catalogues": catalogues, "at": reader_time(request)})


async def change_page(request: Request, request_id: int, *, error: DomainError | None = None,
                      typed: Mapping[str, str] | None = None, revision: ChangeForm | None = None,
                      status_code: int = 200) -> Response:
    view = await read_view(request, change_detail_queries.change_view, request_id)
    if revision is None and view.proposal is not None:
        revision = ChangeForm(rows_from_operations(view.operations))
    return detail_response(request, "roles_change_detail.html", view, done=_done(request), error=error,
                           typed=typed, status_code=status_code, revision=revision, **FORM_CONTEXT)


CHANGES = RequestPages("/roles/requests", change_page)


async def change_detail_page(request: Request, request_id: int) -> Response:
    """The page of /roles/requests/{id} for a catalogue change (``request_routes.DETAIL_PAGES``)."""
    return await change_page(request, request_id)


async def _approve(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changing.approve(uow, actor=actor, request_id=request_id)


async def _decline(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await changing.decline(uow, actor=actor, request_id=request_id, reason=reason)


async def _start_review(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changing.start_review(uow, actor=actor, request_id=request_id)


async def _send_back(uow: UnitOfWork, actor: Actor, request_id: int, reason: str) -> object:
    return await changing.send_back(uow, actor=actor, request_id=request_id, reason=reason)


async def _apply(uow: UnitOfWork, actor: Actor, request_id: int, _text: str) -> object:
    return await changing.apply(uow, actor=actor, request_id=request_id)


@requires(permissions.ROLES_CATALOGUE_PROPOSE)
async def revise(request: Request) -> Response:
    """The requester's corrected proposal after a send-back, with their answer to the steward."""
    request_id = path_id(request)
    typed = await form_text(request, "answer", "intent")
    form = ChangeForm(rows_from_form(await request.form()), answer=typed["answer"])
    if typed["intent"] == MORE_ROWS_INTENT:
        return await change_page(request, request_id, revision=ChangeForm(with_more_rows(form.rows),
                                                                          answer=form.answer))
    try:
        operations = operations_of(form.rows)
        async with services(request).unit_of_work() as uow:
            revised = await changing.revise(uow, actor=current_actor(request), request_id=request_id,
                                            operations=operations, answer=form.answer)
    except CatalogueChangeInvalid as refused:
        return await change_page(request, request_id, error=refused, revision=form.refused(refused),
                                 status_code=refused.status)
    except (ValidationFailed, Conflict) as error:
        return await change_page(request, request_id, error=error, revision=form, status_code=error.status)
    done = "revised_for_approval" if revised.state == workflow.SUBMITTED else "revised"
    return RedirectResponse(f"/roles/requests/{request_id}?done={done}", status_code=303)


routes = [
    Route("/roles/changes", change_list, methods=["GET"], name="roles_changes"),
    Route("/roles/catalogues/{catalogue_id}/changes/new", new_change, methods=["GET"], name="roles_change_new"),
    Route("/roles/catalogues/{catalogue_id}/changes", propose, methods=["POST"], name="roles_change_propose"),
    CHANGES.decision("/roles/changes/{request_id}/approve", _approve, permission=permissions.ROLES_CATALOGUE_APPROVE,
                     done="approved", name="roles_change_approve"),
    CHANGES.decision("/roles/changes/{request_id}/decline", _decline, permission=permissions.ROLES_CATALOGUE_APPROVE,
                     field="decline_reason", done="declined", name="roles_change_decline"),
    CHANGES.decision("/roles/changes/{request_id}/start-review", _start_review,
                     permission=permissions.ROLES_CATALOGUE_STEWARD, done="review_started", name="roles_change_start"),
    CHANGES.decision("/roles/changes/{request_id}/send-back", _send_back,
                     permission=permissions.ROLES_CATALOGUE_STEWARD, field="send_back_reason", done="sent_back",
                     name="roles_change_send_back"),
    CHANGES.decision("/roles/changes/{request_id}/apply", _apply, permission=permissions.ROLES_CATALOGUE_STEWARD,
                     done="applied", name="roles_change_apply"),
    Route("/roles/changes/{request_id}/revise", revise, methods=["POST"], name="roles_change_revise"),
]
