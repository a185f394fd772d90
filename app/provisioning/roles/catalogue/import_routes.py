"""A catalogue steward imports a whole role catalogue from a CSV or JSON file: upload, see the difference and every
mistake (with its line), then confirm; the confirmed file becomes the catalogue's next version.

The file is kept in the confirmation form itself (a hidden field, base64 so that the bytes come back exactly and
the audited checksum is the file's), as the licence use import keeps its text: there is no table for pending
catalogue imports. Applying reads it again and refuses if the catalogue changed since the preview
(``catalogue_io.apply_import`` compares the fingerprints), showing the preview of the catalogue as it is now.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import Endpoint, requires
from app.kit.error_pages import error_response
from app.kit.errors import DomainError, ValidationFailed
from app.kit.forms import carried_file, carry_file, form_text
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.roles.catalogue import files as catalogue_io
from app.provisioning.roles.catalogue import queries as catalogue_views
from app.provisioning.roles.catalogue.files import (
    CatalogueChangedSincePreview,
    CatalogueFileInvalid,
    CatalogueFileTooLarge,
    ImportPreview,
)
from app.provisioning.roles.catalogue.routes import catalogue_id_of

MAX_MEGABYTES = catalogue_io.MAX_FILE_BYTES // (1024 * 1024)
TOO_LARGE = _("The file is larger than {limit} MB.")
# The confirmation carries the file as base64 (4 characters for 3 bytes), plus the form's other fields.
MAX_CARRIED_BYTES = catalogue_io.MAX_FILE_BYTES * 4 // 3 + 64 * 1024
MAX_REQUEST_BYTES = MAX_CARRIED_BYTES + 64 * 1024
MAX_REASON = 500
FIELD_LABELS = {"specialty": _("Specialty"), "profession": _("Profession"), "capability": _("Capability"),
                "units": _("Units"), "roles": _("Roles")}
FILE_LOST = _("The file did not come back with the confirmation. Upload it again.")


def import_endpoint(endpoint: Endpoint) -> Endpoint:
    """Refuses an oversized request by its Content-Length before anything reads it; reads the form with room for
    the carried file (the guard then finds it read), and closes a spooled upload whoever read it."""

    @functools.wraps(endpoint)
    async def limited(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return error_response(request, 413, TOO_LARGE, code="file_too_large", params={"limit": MAX_MEGABYTES})
        try:
            await request.form(max_part_size=MAX_CARRIED_BYTES)
            return await endpoint(request)
        finally:
            await request.close()

    return limited


def _page(request: Request, row: catalogue_views.CatalogueRow, context: dict[str, Any],
          status_code: int = 200) -> Response:
    defaults: dict[str, Any] = {"catalogue": row, "max_mb": MAX_MEGABYTES, "max_reason": MAX_REASON,
                                "field_labels": FIELD_LABELS, "error": None, "preview": None, "diff": None,
                                "carried": "", "file_name": "", "reason": ""}
    return render(request, "roles_catalogue_import.html", {**defaults, **context}, status_code=status_code)


@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def import_page(request: Request) -> Response:
    catalogue_id = catalogue_id_of(request)
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.catalogue_row(uow.session, current_actor(request), catalogue_id)
    return _page(request, row, {})


async def _preview_page(request: Request, catalogue_id: int, file_name: str, content: bytes, reason: str, *,
                        error: DomainError | None = None, status_code: int | None = None) -> Response:
    """The difference the file makes to the catalogue as it is now, or its mistakes; nothing is written."""
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.catalogue_row(uow.session, actor, catalogue_id)
        try:
            preview: ImportPreview = await catalogue_io.preview_import(
                uow.session, actor=actor, catalogue_id=catalogue_id, file_name=file_name, content=content)
        except CatalogueFileTooLarge as too_large:
            return _page(request, row, {"error": too_large, "reason": reason}, too_large.status)
        shown = await catalogue_views.diff_view(uow.session, preview.diff) if preview.diff is not None else None
    status = status_code or (200 if preview.ok else 422)
    return _page(request, row, {
        "error": error, "preview": preview, "diff": shown, "file_name": file_name, "reason": reason,
        "carried": carry_file(content)}, status)


async def _uploaded(request: Request) -> tuple[str, bytes]:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(_("Choose a CSV or JSON file to check."), details={"field": "file"})
    content = await upload.read(catalogue_io.MAX_FILE_BYTES + 1)
    if len(content) > catalogue_io.MAX_FILE_BYTES:
        raise CatalogueFileTooLarge(TOO_LARGE, limit=MAX_MEGABYTES)
    return upload.filename, content


@import_endpoint
@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def preview(request: Request) -> Response:
    catalogue_id = catalogue_id_of(request)
    reason = (await form_text(request, "reason"))["reason"].strip()[:MAX_REASON]
    try:
        file_name, content = await _uploaded(request)
    except (ValidationFailed, CatalogueFileTooLarge) as error:
        async with services(request).unit_of_work() as uow:
            row = await catalogue_views.catalogue_row(uow.session, current_actor(request), catalogue_id)
        return _page(request, row, {"error": error, "reason": reason}, error.status)
    return await _preview_page(request, catalogue_id, file_name, content, reason)


@import_endpoint
@requires(permissions.ROLES_CATALOGUE_STEWARD)
async def apply(request: Request) -> Response:
    catalogue_id = catalogue_id_of(request)
    form = await form_text(request, "content", "file_name", "fingerprint", "reason")
    reason = form["reason"].strip()[:MAX_REASON]
    content = carried_file(form["content"])
    if not content:
        async with services(request).unit_of_work() as uow:
            row = await catalogue_views.catalogue_row(uow.session, current_actor(request), catalogue_id)
        return _page(request, row, {"error": ValidationFailed(FILE_LOST), "reason": reason}, 422)
    try:
        async with services(request).unit_of_work() as uow:
            await catalogue_io.apply_import(uow.session, actor=current_actor(request), catalogue_id=catalogue_id,
                                            file_name=form["file_name"], content=content,
                                            fingerprint=form["fingerprint"], reason=reason)
    except (CatalogueChangedSincePreview, CatalogueFileInvalid, ValidationFailed, CatalogueFileTooLarge) as error:
        return await _preview_page(request, catalogue_id, form["file_name"], content, reason, error=error,
                                   status_code=error.status)
    return RedirectResponse(f"/roles/catalogues/{catalogue_id}?done=imported", status_code=303)


routes: list[BaseRoute] = [
    Route("/roles/catalogues/{catalogue_id}/import", import_page, methods=["GET"], name="roles_catalogue_import"),
    Route("/roles/catalogues/{catalogue_id}/import/preview", preview, methods=["POST"],
          name="roles_catalogue_import_preview"),
    Route("/roles/catalogues/{catalogue_id}/import/apply", apply, methods=["POST"],
          name="roles_catalogue_import_apply"),
]
