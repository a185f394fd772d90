"""The licence officer's report page (/licenses/reports) and the same report as CSV (/licenses/reports.csv).

The CSV is for Excel as the health service uses it: UTF-8 with a BOM (without it Excel reads accents as
Windows-1252), semicolons between cells and decimal commas in Spanish (Excel in Chile splits on ";"), and
every text cell that a spreadsheet would run as a formula (= + - @, tab, carriage return) starts with an
apostrophe (OWASP "CSV injection"): commune names come from people.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import ValidationFailed
from app.kit.i18n import _, translate
from app.kit.spreadsheets import spreadsheet_safe
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render
from app.provisioning.core import workflow
from app.provisioning.licenses import report_queries

BOM = "\ufeff"
REASON_LABELS = {"unused": _("Unused for a month"), "left": _("The professional left"), "officer": _("By the officer")}


def number(value: float | None, language: str, digits: int = 1) -> str:
    if value is None:
        return ""
    shown = f"{value:.{digits}f}"
    return shown.replace(".", ",") if language == "es" else shown


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


async def _report(request: Request) -> report_queries.Report:
    period = report_queries.parse_period(request.query_params.get("from", ""), request.query_params.get("to", ""))
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        return await report_queries.build_report(uow.session, actor=current_actor(request), period=period,
                                                 now=app_services.clock.now())


@requires(permissions.LICENSES_DECIDE)
async def report_page(request: Request) -> Response:
    shown = {"from": request.query_params.get("from", ""), "to": request.query_params.get("to", "")}
    try:
        report = await _report(request)
    except ValidationFailed as error:
        return render(request, "report_page.html", {"report": None, "error": error, "shown": shown},
                      status_code=error.status)
    return render(request, "report_page.html", {
        "report": report, "error": None, "shown": shown, "states": report_queries.STATES,
        "state_labels": workflow.REQUEST_STATE_LABELS, "reason_label": reason_label,
        "target": report_queries.TARGET_DAYS,
        "number": lambda value, digits=1: number(value, language_of(request), digits),
        "csv_query": str(request.query_params),
    })


def report_rows(report: report_queries.Report, language: str) -> Iterable[list[object]]:
    """The report as CSV rows, labels in ``language``."""
    def say(message: str, **params: object) -> str:
        return translate(language, message, **params)

    period = report.period
    yield [say(_("Licence report")), say(_("From")), period.first or "", say(_("To")), period.last or ""]
    yield []
    yield [say(_("Requests per state and commune"))]
    yield [say(_("Commune")), *(say(workflow.REQUEST_STATE_LABELS[state]) for state in report_queries.STATES),
           say(_("Total"))]
    for row in report.by_commune:
        yield [row.commune, *(row.counts[state] for state in report_queries.STATES), row.total]
    yield [say(_("Total")), *(report.totals.counts[state] for state in report_queries.STATES), report.totals.total]
    yield []
    creation = report.creation
    share = creation.share_within_target
    yield [say(_("Time from submission to creation (business days)"))]
    yield [say(_("Accepted new-licence requests")), creation.count]
    yield [say(_("Median")), number(creation.median_days, language)]
    yield [say(_("90th percentile")), number(creation.p90_days, language)]
    yield [say(_("Within {days} business days"), days=report_queries.TARGET_DAYS), creation.within_target,
           "" if share is None else number(100 * share, language, 0) + " %"]
    yield []
    yield [say(_("Overdue now")), report.overdue_now]
    yield []
    yield [say(_("Deactivations per month"))]
    yield [say(_("Month")), say(_("Reason")), say(_("Deactivations"))]
    for month, reason, count in report.deactivations:
        yield [month, say(reason_label(reason)), count]


def report_csv(report: report_queries.Report, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in report_rows(report, language):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return BOM + buffer.getvalue()


@requires(permissions.LICENSES_DECIDE)
async def report_export(request: Request) -> Response:
    report = await _report(request)  # a bad date is a 422 with the same message as the page's
    language = language_of(request)
    name = "licence-report.csv"
    return Response(report_csv(report, language), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


routes: list[BaseRoute] = [
    Route("/licenses/reports", report_page, methods=["GET"], name="licenses_reports"),
    Route("/licenses/reports.csv", report_export, methods=["GET"], name="licenses_reports_csv"),
]
