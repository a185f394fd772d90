"""The referent's pages: their requests, a new request (typed or from a CSV file), and the steps on one
request (correct and resubmit, cancel, answer a question, the tasks after creation)."""

from __future__ import annotations

from anyio import to_thread
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, DomainError, ValidationFailed
from app.kit.forms import positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.refusals import Reason
from app.provisioning.core.request_pages import list_page, path_id
from app.provisioning.licenses import asking, queries, request_forms, requesting
from app.provisioning.licenses.collaborators import FIELD_LABELS, GENDERS, Batch, parse_collaborator_csv
from app.provisioning.licenses.detail_routes import PAGES, detail_page


@requires(permissions.LICENSES_REQUEST)
async def request_list(request: Request) -> Response:
    return await list_page(request, "licenses_requests.html", queries.referent_requests,
                           done=request_forms.done_message(request))


async def _new_page(request: Request, *, table: list[request_forms.TableRow], organisation_id: int | None = None,
                    error: DomainError | None = None, file_reasons: list[tuple[int | None, str, Reason]] | None = None,
                    status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        organisations = await queries.requesting_organisations(uow.session, current_actor(request))
    return render(request, "licenses_new.html", {
        "table": table, "organisations": organisations, "organisation_id": organisation_id, "error": error,
        "file_reasons": file_reasons or [], "genders": GENDERS, "field_labels": FIELD_LABELS,
    }, status_code=status_code)


@requires(permissions.LICENSES_REQUEST)
async def new_request_page(request: Request) -> Response:
    return await _new_page(request, table=request_forms.blank_rows())


@requires(permissions.LICENSES_REQUEST)
async def submit_request(request: Request) -> Response:
    form = await request.form()
    table = request_forms.rows_from_form(form)
    organisation_id = positive_id(request_forms.text_of(form, "organisation_id"))
    if request_forms.text_of(form, "intent") == "add_row":
        return await _new_page(request, table=request_forms.with_spare_row(table), organisation_id=organisation_id)
    try:
        async with services(request).unit_of_work() as uow:
            created = await requesting.submit_new(uow, actor=current_actor(request),
                                                  organisation_id=organisation_id or 0,
                                                  entries=request_forms.entries_of(table))
    except requesting.CollaboratorsRefused as refused:
        return await _new_page(request, table=request_forms.with_errors(table, refused.batch),
                               organisation_id=organisation_id, error=refused, status_code=refused.status)
    except ValidationFailed as error:
        return await _new_page(request, table=table, organisation_id=organisation_id, error=error,
                               status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{created.id}?done=submitted", status_code=303)


def _file_reasons(batch: Batch) -> list[tuple[int | None, str, Reason]]:
    """(line, field, reason) for each refused line of a file, then what concerns the whole file."""
    listed: list[tuple[int | None, str, Reason]] = [
        (line_errors.line, field, reason) for line_errors in batch.line_errors
        for field, reason in line_errors.errors.items()]
    return listed + [(None, "", reason) for reason in batch.errors]


@requires(permissions.LICENSES_REQUEST)
async def fill_from_csv(request: Request) -> Response:
    """Reads a file into the table; nothing is sent until the referent checks the rows and submits."""
    try:
        form = await request.form()
        organisation_id = positive_id(request_forms.text_of(form, "organisation_id"))
        upload = form.get("file")
        content = await upload.read(request_forms.MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""
    finally:
        await request.close()  # the spooled upload's temporary file
    if len(content) > request_forms.MAX_CSV_BYTES:
        error = ValidationFailed(_("The file is larger than {limit} MB; split it."), limit=1)
        return await _new_page(request, table=request_forms.blank_rows(), organisation_id=organisation_id, error=error,
                               status_code=error.status)
    batch = await to_thread.run_sync(parse_collaborator_csv, content)
    table = request_forms.with_spare_row(request_forms.rows_from_batch(batch))
    reasons = _file_reasons(batch)
    return await _new_page(request, table=table, organisation_id=organisation_id, file_reasons=reasons,
                           status_code=422 if reasons else 200)


@requires(permissions.LICENSES_REQUEST)
async def resubmit_request(request: Request) -> Response:
    request_id = path_id(request)
    form = await request.form()
    table = request_forms.rows_from_form(form)
    if request_forms.text_of(form, "intent") == "add_row":
        return await detail_page(request, request_id, table=request_forms.with_spare_row(table))
    try:
        async with services(request).unit_of_work() as uow:
            await requesting.resubmit(uow, actor=current_actor(request), request_id=request_id,
                                      entries=request_forms.entries_of(table))
    except requesting.CollaboratorsRefused as refused:
        return await detail_page(request, request_id, table=request_forms.with_errors(table, refused.batch),
                                 error=refused, status_code=refused.status)
    except (ValidationFailed, Conflict) as error:
        return await detail_page(request, request_id, table=table, error=error, status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{request_id}?done=resubmitted", status_code=303)


@requires(permissions.LICENSES_REQUEST)
async def cancel_request(request: Request) -> Response:
    request_id = path_id(request)
    reason = request_forms.text_of(await request.form(), "reason")
    try:
        async with services(request).unit_of_work() as uow:
            await requesting.cancel(uow, actor=current_actor(request), request_id=request_id, reason=reason)
    except (ValidationFailed, Conflict) as error:
        return await detail_page(request, request_id, error=error, typed={"cancel": reason},
                                 status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{request_id}?done=cancelled", status_code=303)


async def _answer(uow: UnitOfWork, actor: Actor, request_id: int, answer: str) -> object:
    return await asking.answer_question(uow, actor=actor, request_id=request_id, answer=answer)


@requires(permissions.LICENSES_REQUEST)
async def advance_task(request: Request) -> Response:
    request_id, task_id = path_id(request), path_id(request, "task_id")
    form = await request.form()
    action, reference = request_forms.text_of(form, "action"), request_forms.text_of(form, "external_reference")
    try:
        async with services(request).unit_of_work() as uow:
            await asking.advance_task(uow, actor=current_actor(request), request_id=request_id, task_id=task_id,
                                      action=action, external_reference=reference)
    except (ValidationFailed, Conflict) as error:
        return await detail_page(request, request_id, error=error, typed={f"reference-{task_id}": reference},
                                 status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{request_id}?done=task#task-{task_id}", status_code=303)


routes = [
    Route("/licenses/requests", request_list, methods=["GET"], name="license_requests"),
    Route("/licenses/requests/new", new_request_page, methods=["GET"], name="license_request_new"),
    Route("/licenses/requests/new", submit_request, methods=["POST"], name="license_request_submit"),
    Route("/licenses/requests/new/csv", fill_from_csv, methods=["POST"], name="license_request_csv"),
    Route("/licenses/requests/{request_id}/resubmit", resubmit_request, methods=["POST"],
          name="license_request_resubmit"),
    Route("/licenses/requests/{request_id}/cancel", cancel_request, methods=["POST"], name="license_request_cancel"),
    PAGES.decision("/licenses/requests/{request_id}/answer", _answer, permission=permissions.LICENSES_REQUEST,
                   field="answer", done="answered", name="license_request_answer"),
    Route("/licenses/requests/{request_id}/tasks/{task_id}", advance_task, methods=["POST"],
          name="license_request_task"),
]
