"""The IT-order administrator's pages: catalogues, their versions and uploading a new version with a preview.

An upload is checked and compared with the current version before anything is stored; the preview carries the
file in the confirmation form (a hidden field, base64 so that the text comes back exactly), as the role-catalogue
import does: there is no table for pending uploads. The confirmation reads, checks and compares it again, since a
hidden field is whatever the browser sends, and refuses when another version was stored since the preview.
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
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.forms import carried_file, carry_file, form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render
from app.provisioning.orders import scope, storing
from app.provisioning.orders.catalogue import queries as catalogue_views
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.diff import compare_catalogues
from app.provisioning.orders.catalogue.problems import CatalogueInvalid

MAX_KIB = storing.MAX_FILE_BYTES // 1024
# A multipart request carries the file (or, at confirmation, its base64: 4 characters for 3 bytes) and a few fields.
MAX_REQUEST_BYTES = storing.MAX_FILE_BYTES * 4 // 3 + 64 * 1024
TOO_LARGE = _("The file is too large (at most {limit} KiB).")
FILE_LOST = _("The file did not come back with the confirmation. Upload it again.")
CHANGED_SINCE = _("Another version of the catalogue was stored since your preview: check what the file changes now.")
CHOOSE_FILE = _("Choose the catalogue file to upload.")


def upload_endpoint(endpoint: Endpoint) -> Endpoint:
    """Refuses an oversized request by its Content-Length before anything reads it, and closes a spooled upload."""

    @functools.wraps(endpoint)
    async def limited(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return error_response(request, 413, TOO_LARGE, code="file_too_large", params={"limit": MAX_KIB})
        try:
            return await endpoint(request)
        finally:
            await request.close()

    return limited


def _version_number(request: Request) -> int:
    number = positive_id(request.path_params["version"])
    if number is None:
        raise NotFound(_("There is no such catalogue version."))
    return number


@requires(permissions.ORDERS_CATALOGUES)
async def catalogue_list(request: Request) -> Response:
    organisation_id = scope.keeping_organisation(current_actor(request))
    async with services(request).unit_of_work() as uow:
        rows = await catalogue_views.listings(uow.session, organisation_id)
    return render(request, "orders/catalogues.html", {"rows": rows, "max_kib": MAX_KIB})


@requires(permissions.ORDERS_CATALOGUES)
async def catalogue_page(request: Request) -> Response:
    key = request.path_params["key"]
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.kept_catalogue(uow.session, current_actor(request), key)
        catalogue = await storing.version_of(uow.session, key, row.current_version)
        versions = await catalogue_views.version_rows(uow.session, key)
        placed = await catalogue_views.orders_placed(uow.session, key)
    stored = positive_id(request.query_params.get("stored", ""))
    return render(request, "orders/catalogue.html", {
        "row": row, "catalogue": catalogue, "versions": versions, "orders_placed": placed, "stored": stored,
        "reading": catalogue_views.CatalogueReading(catalogue, language_of(request)), "max_kib": MAX_KIB})


@requires(permissions.ORDERS_CATALOGUES)
async def version_page(request: Request) -> Response:
    """One version compared with the one before it."""
    key, number = request.path_params["key"], _version_number(request)
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.kept_catalogue(uow.session, current_actor(request), key)
        catalogue = await storing.version_of(uow.session, key, number)
        previous = await storing.version_of(uow.session, key, number - 1) if number > 1 else None
        version = next(found for found in await catalogue_views.version_rows(uow.session, key)
                       if found.version == number)
    changes = compare_catalogues(previous, catalogue) if previous is not None else None
    return render(request, "orders/catalogue_version.html", {
        "row": row, "catalogue": catalogue, "version": version, "changes": changes,
        "kinds": catalogue_views.CHANGE_KINDS, "areas": catalogue_views.AREAS})


@requires(permissions.ORDERS_CATALOGUES)
async def version_download(request: Request) -> Response:
    """The stored file as it was uploaded, byte for byte the text an order of that version was generated from."""
    key, number = request.path_params["key"], _version_number(request)
    async with services(request).unit_of_work() as uow:
        await catalogue_views.kept_catalogue(uow.session, current_actor(request), key)
        text = await catalogue_views.version_text(uow.session, key, number)
    return Response(text, media_type="text/yaml; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{key}-v{number}.yaml"'})


def _upload_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    defaults: dict[str, Any] = {
        "error": None, "problems": (), "catalogue": None, "current_version": None, "changes": None,
        "carried": "", "file_name": "", "orders_placed": 0, "max_kib": MAX_KIB,
        "kinds": catalogue_views.CHANGE_KINDS, "areas": catalogue_views.AREAS}
    return render(request, "orders/catalogue_upload.html", {**defaults, **context}, status_code=status_code)


async def _preview(request: Request, data: bytes, file_name: str, *, error: DomainError | None = None,
                   status_code: int | None = None) -> Response:
    """What the file would change, or every mistake in it; nothing is stored."""
    carried = {"carried": carry_file(data), "file_name": file_name}
    try:
        text, catalogue = storing.read_upload(data, file_name)
    except CatalogueInvalid as invalid:
        language = language_of(request)
        return _upload_page(request, {**carried, "error": error,
                                      "problems": [problem.text(language) for problem in invalid.problems]}, 422)
    except ValidationFailed as failed:
        return _upload_page(request, {"error": failed}, failed.status)
    try:
        context = await _comparison(request, catalogue)
    except ValidationFailed as refused:
        return _upload_page(request, {"error": refused, "catalogue": catalogue}, refused.status)
    return _upload_page(request, {**carried, **context, "error": error}, status_code or 200)


async def _comparison(request: Request, catalogue: Catalogue) -> dict[str, Any]:
    """The changes against the current version; a key kept by another organisation is refused as the store would."""
    organisation_id = scope.keeping_organisation(current_actor(request))
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.existing(uow.session, catalogue.key)
        if row is None:
            return {"catalogue": catalogue}
        if row.organisation_id != organisation_id:
            raise ValidationFailed(_("Another organisation keeps the catalogue {key}: choose another key."),
                                   details={"field": "file"}, key=catalogue.key)
        current = await storing.version_of(uow.session, row.key, row.current_version)
        placed = await catalogue_views.orders_placed(uow.session, row.key)
    return {"catalogue": catalogue, "current_version": row.current_version, "orders_placed": placed,
            "changes": compare_catalogues(current, catalogue)}


@upload_endpoint
@requires(permissions.ORDERS_CATALOGUES)
async def upload(request: Request) -> Response:
    scope.keeping_organisation(current_actor(request))
    upload_file = (await request.form()).get("file")
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        return _upload_page(request, {"error": ValidationFailed(CHOOSE_FILE)}, 422)
    data = await upload_file.read(storing.MAX_FILE_BYTES + 1)
    return await _preview(request, data, upload_file.filename)


@upload_endpoint
@requires(permissions.ORDERS_CATALOGUES)
async def confirm(request: Request) -> Response:
    actor = current_actor(request)
    organisation_id = scope.keeping_organisation(actor)
    form = await form_text(request, "content", "file_name", "base_version")
    data = carried_file(form["content"])
    if not data:
        return _upload_page(request, {"error": ValidationFailed(FILE_LOST)}, 422)
    try:
        text, catalogue = storing.read_upload(data, form["file_name"])
    except ValidationFailed:  # CatalogueInvalid too: the preview names every mistake again
        return await _preview(request, data, form["file_name"])
    try:
        async with services(request).unit_of_work() as uow:
            row = await catalogue_views.existing(uow.session, catalogue.key, lock=True)
            if row is not None and row.organisation_id == organisation_id and \
                    str(row.current_version) != form["base_version"]:
                raise Conflict(CHANGED_SINCE)
            version = await storing.add_version(uow, actor=actor, text=text, file_name=form["file_name"],
                                                organisation_id=organisation_id)
    except (ValidationFailed, Conflict) as refused:
        return await _preview(request, data, form["file_name"], error=refused, status_code=refused.status)
    return RedirectResponse(f"/orders/catalogues/{catalogue.key}?stored={version.version}", status_code=303)


routes: list[BaseRoute] = [
    Route("/orders/catalogues", catalogue_list, methods=["GET"], name="orders_catalogues"),
    Route("/orders/catalogues/upload", upload, methods=["POST"], name="orders_catalogue_upload"),
    Route("/orders/catalogues/upload/confirm", confirm, methods=["POST"], name="orders_catalogue_upload_confirm"),
    Route("/orders/catalogues/{key}", catalogue_page, methods=["GET"], name="orders_catalogue"),
    Route("/orders/catalogues/{key}/versions/{version}.yaml", version_download, methods=["GET"],
          name="orders_catalogue_version_download"),
    Route("/orders/catalogues/{key}/versions/{version}", version_page, methods=["GET"],
          name="orders_catalogue_version"),
]
