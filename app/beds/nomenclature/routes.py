"""The admin's nomenclature pages: upload a file, see what it would change, then confirm or cancel.

Plain forms that work without JavaScript (POST, then redirect to the import's page); with it,
static/js/nomenclature.js shows the upload's progress and swaps the answer in place.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import Endpoint, requires
from app.beds.nomenclature import service
from app.beds.nomenclature.pages import import_context, upload_context
from app.beds.nomenclature.validation import Problem
from app.kit.error_pages import error_response
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
EXAMPLE_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# The multipart envelope around the file (boundaries, headers, the CSRF field) is small.
MAX_REQUEST_BYTES = service.MAX_FILE_BYTES + 64 * 1024
MAX_MEGABYTES = service.MAX_FILE_BYTES // (1024 * 1024)
TOO_LARGE = _("The file is larger than {limit} MB. Split it or remove what is not needed.")


def upload_endpoint(endpoint: Endpoint) -> Endpoint:
    """Refuses an oversized upload by its Content-Length, before anything (the guard too) reads the body,
    and closes the spooled upload whoever read it, refused or not."""

    @functools.wraps(endpoint)
    async def limited(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return error_response(request, 413, TOO_LARGE, code="file_too_large", params={"limit": MAX_MEGABYTES})
        try:
            return await endpoint(request)
        finally:
            await request.close()

    return limited


async def _upload_page(request: Request, *, problems: tuple[Problem, ...] = (), error: DomainError | None = None,
                       notice: str | None = None, status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        imports = await service.recent(uow, actor=current_actor(request))
    context = upload_context(imports, problems=problems, error=error, notice=notice)
    return render(request, "nomenclature.html", context, status_code=status_code)


@requires(permissions.NOMENCLATURE_IMPORT)
async def upload_page(request: Request) -> Response:
    notice = _("The import was cancelled; nothing was changed.") if request.query_params.get("cancelled") else None
    return await _upload_page(request, notice=notice)


async def _uploaded_file(request: Request) -> tuple[str, bytes]:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(_("Choose a CSV or JSON file to check."), details={"field": "file"})
    if upload.size is not None and upload.size > service.MAX_FILE_BYTES:
        raise service.FileTooLarge(TOO_LARGE, limit=MAX_MEGABYTES)
    return upload.filename, await upload.read()


@upload_endpoint
@requires(permissions.NOMENCLATURE_IMPORT)
async def upload(request: Request) -> Response:
    try:
        file_name, content = await _uploaded_file(request)
        async with services(request).unit_of_work() as uow:
            shown = await service.preview(uow, actor=current_actor(request), file_name=file_name, content=content)
    except (ValidationFailed, service.FileTooLarge) as error:
        return await _upload_page(request, error=error, status_code=error.status)
    if shown.record is None:
        problems = shown.examination.problems if shown.examination else ()
        return await _upload_page(request, problems=problems, status_code=422)
    return RedirectResponse(f"/admin/nomenclature/{shown.record.id}", status_code=303)


async def _import_page(request: Request, import_id: int, *, error: DomainError | None = None,
                       status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        shown = await service.review(uow, actor=current_actor(request), import_id=import_id)
    return render(request, "nomenclature_import.html", import_context(shown, error=error), status_code=status_code)


def _import_id(request: Request) -> int:
    """The path's id; one past what the id column holds (the ``int`` convertor takes any length) is no import."""
    value: Any = request.path_params["import_id"]
    if not 1 <= int(value) <= MAX_ID:
        raise NotFound(_("There is no such page."))
    return int(value)


@requires(permissions.NOMENCLATURE_IMPORT)
async def import_page(request: Request) -> Response:
    return await _import_page(request, _import_id(request))


@requires(permissions.NOMENCLATURE_IMPORT)
async def apply(request: Request) -> Response:
    import_id = _import_id(request)
    fingerprint = (await request.form()).get("fingerprint")
    try:
        async with services(request).unit_of_work() as uow:
            await service.apply(uow, actor=current_actor(request), import_id=import_id,
                                fingerprint=fingerprint if isinstance(fingerprint, str) else "")
    except (service.NomenclatureChanged, service.NomenclatureInvalid, service.ImportClosed) as error:
        return await _import_page(request, import_id, error=error, status_code=error.status)
    return RedirectResponse(f"/admin/nomenclature/{import_id}", status_code=303)


@requires(permissions.NOMENCLATURE_IMPORT)
async def cancel(request: Request) -> Response:
    import_id = _import_id(request)
    try:
        async with services(request).unit_of_work() as uow:
            await service.cancel(uow, actor=current_actor(request), import_id=import_id)
    except service.ImportClosed as error:
        return await _import_page(request, import_id, error=error, status_code=error.status)
    return RedirectResponse("/admin/nomenclature?cancelled=1", status_code=303)


@requires(permissions.NOMENCLATURE_IMPORT)
async def example(request: Request) -> Response:
    kind = str(request.path_params["kind"])
    if kind not in EXAMPLE_TYPES:
        return error_response(request, 404, _("There is no such page."))
    return FileResponse(EXAMPLES / f"nomenclature.{kind}", media_type=EXAMPLE_TYPES[kind],
                        filename=f"nomenclature.{kind}")


routes: list[BaseRoute] = [
    Route("/admin/nomenclature", upload_page, methods=["GET"], name="nomenclature"),
    Route("/admin/nomenclature/preview", upload, methods=["POST"], name="nomenclature_preview"),
    Route("/admin/nomenclature/example.{kind}", example, methods=["GET"], name="nomenclature_example"),
    Route("/admin/nomenclature/{import_id:int}", import_page, methods=["GET"], name="nomenclature_import"),
    Route("/admin/nomenclature/{import_id:int}/apply", apply, methods=["POST"], name="nomenclature_apply"),
    Route("/admin/nomenclature/{import_id:int}/cancel", cancel, methods=["POST"], name="nomenclature_cancel"),
]
