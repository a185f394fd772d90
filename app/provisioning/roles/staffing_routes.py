"""The staffing check as pages and CSV: per care area of the region (or one catalogue's), the role × unit links
nobody staffs and the employees holding a role linked to none of their units (``staffing.staffing_report``),
on the region's calendar day."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.i18n import _, translate
from app.kit.spreadsheets import spreadsheet_safe
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render
from app.provisioning.core import deadlines
from app.provisioning.roles.catalogue import queries as catalogue_views
from app.provisioning.roles.catalogue.routes import catalogue_id_of
from app.provisioning.roles.staffing import MismatchedRole, UnstaffedRole, staffing_report

BOM = "\ufeff"
UNSTAFFED = _("Nobody staffs this role at this unit")
LINKED_ELSEWHERE = _("The role is linked to none of the employee's units")
NOT_IN_CATALOGUE = _("The role is no longer in the catalogue")


@dataclass(frozen=True)
class AreaStaffing:
    catalogue_id: int
    care_area_name: str
    unstaffed: tuple[UnstaffedRole, ...]
    mismatched: tuple[MismatchedRole, ...]


@dataclass(frozen=True)
class StaffingView:
    today: date
    areas: tuple[AreaStaffing, ...]
    catalogue: catalogue_views.CatalogueRow | None  # the one catalogue, on its own page


def why(item: MismatchedRole) -> str:
    return LINKED_ELSEWHERE if item.in_catalogue else NOT_IN_CATALOGUE


async def staffing_view(request: Request, catalogue_id: int | None) -> StaffingView:
    """Every catalogue of the actor's region, or the one asked for (NotFound outside the region)."""
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        session = uow.session
        one = None if catalogue_id is None else await catalogue_views.catalogue_row(session, actor, catalogue_id)
        rows = [one] if one is not None else await catalogue_views.catalogue_rows(session, actor)
        place = one.care_area_id if one is not None else actor.organisation_id
        zone = app_services.settings.zone if place is None else (await deadlines.calendar_of(session, place)).zone
        today = app_services.clock.now().astimezone(zone).date()
        report = await staffing_report(session, one.care_area_id if one else None, today) if rows else None
    unstaffed = report.unstaffed if report else ()
    mismatched = report.mismatched if report else ()
    return StaffingView(today, tuple(AreaStaffing(
        row.id, row.care_area_name, tuple(item for item in unstaffed if item.catalogue_id == row.id),
        tuple(item for item in mismatched if item.catalogue_id == row.id)) for row in rows), one)


def staffing_rows(view: StaffingView, language: str) -> Iterable[list[object]]:
    def say(message: str) -> str:
        return translate(language, message)

    yield [say(_("Care area")), say(_("Finding")), say(_("Role")), say(_("Unit")), say(_("HSA-id")),
           say(_("Employee"))]
    for area in view.areas:
        for gap in area.unstaffed:
            yield [area.care_area_name, say(UNSTAFFED), gap.role_key, gap.unit_name, gap.hsa_id, ""]
        for held in area.mismatched:
            yield [area.care_area_name, say(why(held)), held.role_key, "", "", held.full_name]


def staffing_csv(view: StaffingView, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in staffing_rows(view, language):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return BOM + buffer.getvalue()


def _page(request: Request, view: StaffingView) -> Response:
    return render(request, "roles_staffing.html", {"view": view, "why": why})


def _csv(request: Request, view: StaffingView) -> Response:
    area = f"-{view.catalogue.care_area_code}" if view.catalogue else ""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"staffing{area}-{view.today.isoformat()}.csv")
    return Response(staffing_csv(view, language_of(request)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@requires(permissions.ROLES_CATALOGUE_READ)
async def region_staffing(request: Request) -> Response:
    return _page(request, await staffing_view(request, None))


@requires(permissions.ROLES_CATALOGUE_READ)
async def region_staffing_csv(request: Request) -> Response:
    return _csv(request, await staffing_view(request, None))


@requires(permissions.ROLES_CATALOGUE_READ)
async def catalogue_staffing(request: Request) -> Response:
    return _page(request, await staffing_view(request, catalogue_id_of(request)))


@requires(permissions.ROLES_CATALOGUE_READ)
async def catalogue_staffing_csv(request: Request) -> Response:
    return _csv(request, await staffing_view(request, catalogue_id_of(request)))


routes: list[BaseRoute] = [
    Route("/roles/staffing", region_staffing, methods=["GET"], name="roles_staffing"),
    Route("/roles/staffing.csv", region_staffing_csv, methods=["GET"], name="roles_staffing_csv"),
    Route("/roles/catalogues/{catalogue_id}/staffing", catalogue_staffing, methods=["GET"],
          name="roles_catalogue_staffing"),
    Route("/roles/catalogues/{catalogue_id}/staffing.csv", catalogue_staffing_csv, methods=["GET"],
          name="roles_catalogue_staffing_csv"),
]
