"""The closures report (``/audit/closures``) and its CSV: hours limited and closed per hospital and month, and why.

Read by whoever reads the bed board's history (its authorities' administrators and auditors): the authority's view
of who closes how often and why. Coordinators and operators do not read the history and are refused.
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.interface import admission_stretches
from app.history.closures import Month, TargetClosures, closures_report
from app.history.evolution_routes import require_bed_board
from app.history.statuses import STATUS_LABELS
from app.kit.errors import ValidationFailed
from app.kit.i18n import _, format_number, translate
from app.kit.spreadsheets import spreadsheet_safe_row
from app.kit.state import reader_zone, services
from app.kit.templating import language_of, render

# The CSV's header in the reader's language; one line per hospital or section, status and reason (a pivot table's
# shape: a spreadsheet sums it by hospital, reason or month as the reader wants).
HEADER = (_("month"), _("hospital"), _("section"), _("status"), _("reason_code"), _("reason"), _("reason_text"),
          _("periods"), _("hours"))


def _month(request: Request, zone: ZoneInfo) -> Month:
    text = request.query_params.get("month", "")
    return Month.parse(text, zone) if text.strip() else Month.containing(services(request).clock.now(), zone)


async def _report(request: Request, month: Month) -> list[TargetClosures]:
    app_services = services(request)
    async with app_services.session_factory() as session:
        stretches = await admission_stretches(session, since=month.start, until=month.end)
    return closures_report(stretches, month, app_services.clock.now())


@requires(permissions.AUDIT_READ)
async def closures_page(request: Request) -> Response:
    require_bed_board(request)
    zone, language = reader_zone(request), language_of(request)
    error: ValidationFailed | None = None
    month = Month.containing(services(request).clock.now(), zone)
    targets: list[TargetClosures] = []
    try:
        month = _month(request, zone)
        targets = await _report(request, month)
    except ValidationFailed as failure:
        error = failure
    return render(request, "closures.html", {
        "error": error, "month": month, "targets": targets, "status_labels": STATUS_LABELS,
        "raw_month": request.query_params.get("month", str(month)),
        "hours": lambda value: format_number(round(value, 1), language),
    }, status_code=422 if error else 200)


def _lines(month: Month, targets: list[TargetClosures], language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([translate(language, column) for column in HEADER])
    for target in targets:
        for reason in target.by_hours:
            writer.writerow(spreadsheet_safe_row((
                str(month), target.hospital, target.section or "", reason.status, reason.reason_code,
                reason.reason_name(language), "; ".join(reason.words), reason.periods, f"{reason.hours:.2f}")))
    return buffer.getvalue()


@requires(permissions.AUDIT_READ)
async def closures_csv(request: Request) -> Response:
    require_bed_board(request)
    month = _month(request, reader_zone(request))
    body = _lines(month, await _report(request, month), language_of(request))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="bedboard-closures-{month}.csv"'})


routes: list[BaseRoute] = [
    Route("/audit/closures", closures_page, methods=["GET"], name="history_closures"),
    Route("/audit/closures.csv", closures_csv, methods=["GET"], name="history_closures_csv"),
]
