"""The role catalogues of the region: the list, one catalogue (its roles, versions and links), the comparison
of two versions, and a version as a CSV or JSON file. Whoever may read catalogues sees these pages; proposing a
change and importing a file have their own pages (change_routes.py, catalogue/import_routes.py)."""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import DomainError, NotFound
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.request_pages import reader_time
from app.provisioning.roles.catalogue import files as catalogue_io
from app.provisioning.roles.catalogue import queries as catalogue_views
from app.provisioning.roles.catalogue.versions import NO_CATALOGUE

FILE_TYPES: Final = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
NOT_A_VERSION = _("A version is a whole number, such as 2.")
DONE_MESSAGES: Final = {"imported": _("The file is imported: the catalogue has a new version.")}


class VersionNotUnderstood(DomainError):
    code = "bad_version"
    status = 400


def catalogue_id_of(request: Request) -> int:
    text = str(request.path_params["catalogue_id"])
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID):
        raise NotFound(NO_CATALOGUE)
    return int(text)


def version_number(text: str, field: str) -> int:
    """A version number typed in a query (0 is the empty catalogue before its first version)."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID):
        raise VersionNotUnderstood(NOT_A_VERSION, details={"field": field})
    return int(value)


@requires(permissions.ROLES_CATALOGUE_READ)
async def catalogue_list(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        rows = await catalogue_views.catalogue_rows(uow.session, current_actor(request))
    return render(request, "roles_catalogue_list.html", {"rows": rows})


@requires(permissions.ROLES_CATALOGUE_READ)
async def catalogue_detail(request: Request) -> Response:
    catalogue_id = catalogue_id_of(request)
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        detail = await catalogue_views.catalogue_detail(uow.session, actor, catalogue_id)
    current = detail.catalogue.current_version
    return render(request, "roles_catalogue_detail.html", {
        "detail": detail, "at": lambda moment: reader_time(request)(moment, detail.zone),
        "done": DONE_MESSAGES.get(request.query_params.get("done", "")),
        "may_propose": permissions.may(actor, permissions.ROLES_CATALOGUE_PROPOSE),
        "may_import": permissions.may(actor, permissions.ROLES_CATALOGUE_STEWARD),
        "compare_from": max(current - 1, 0), "compare_to": current})


@requires(permissions.ROLES_CATALOGUE_READ)
async def compare_page(request: Request) -> Response:
    """Added, removed and re-linked roles; a version that is not a number or not in the catalogue is said so."""
    catalogue_id = catalogue_id_of(request)
    typed = {name: request.query_params.get(name, "") for name in ("from", "to")}
    async with services(request).unit_of_work() as uow:
        detail = await catalogue_views.catalogue_detail(uow.session, current_actor(request), catalogue_id)
        try:
            first, second = version_number(typed["from"], "from"), version_number(typed["to"], "to")
            shown = await catalogue_views.compare(uow.session, current_actor(request), catalogue_id, first, second)
        except (VersionNotUnderstood, NotFound) as error:
            return render(request, "roles_catalogue_compare.html", {
                "detail": detail, "typed": typed, "diff": None, "error": error}, status_code=error.status)
    return render(request, "roles_catalogue_compare.html", {
        "detail": detail, "typed": typed, "diff": shown, "error": None, "first": first, "second": second})


def file_name(code: str, version: int, extension: str) -> str:
    """A name any browser and file system takes: the care area's code with anything but [A-Za-z0-9_-] replaced."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", code) or "catalogue"
    return f"role-catalogue-{safe}-v{version}.{extension}"


async def _export(request: Request, extension: str) -> Response:
    catalogue_id = catalogue_id_of(request)
    asked = request.query_params.get("version")
    number = None if asked is None or not asked.strip() else version_number(asked, "version")
    async with services(request).unit_of_work() as uow:
        row = await catalogue_views.catalogue_row(uow.session, current_actor(request), catalogue_id)
        content = await catalogue_io.export_version(uow.session, catalogue_id, number, file_format=extension)
    name = file_name(row.care_area_code, row.current_version if number is None else number, extension)
    return Response(content, media_type=FILE_TYPES[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@requires(permissions.ROLES_CATALOGUE_READ)
async def export_csv(request: Request) -> Response:
    return await _export(request, "csv")


@requires(permissions.ROLES_CATALOGUE_READ)
async def export_json(request: Request) -> Response:
    return await _export(request, "json")


routes: list[BaseRoute] = [
    Route("/roles/catalogues", catalogue_list, methods=["GET"], name="roles_catalogues"),
    Route("/roles/catalogues/{catalogue_id}", catalogue_detail, methods=["GET"], name="roles_catalogue"),
    Route("/roles/catalogues/{catalogue_id}/compare", compare_page, methods=["GET"], name="roles_catalogue_compare"),
    Route("/roles/catalogues/{catalogue_id}/export.csv", export_csv, methods=["GET"], name="roles_catalogue_csv"),
    Route("/roles/catalogues/{catalogue_id}/export.json", export_json, methods=["GET"], name="roles_catalogue_json"),
]
