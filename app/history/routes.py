"""History (``/audit``): the log with filters and pages, its CSV export and the chain check. Read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.interface import admission_reason_names
from app.history import chain, closures_routes, evolution_routes
from app.history.action_labels import ACTION_LABELS
from app.history.export import csv_lines
from app.history.filters import KINDS, TREE_KINDS, HistoryFilter, parse_id
from app.history.options import FormOptions, form_options
from app.history.queries import HistoryPage, history_page
from app.history.scope import readable_events, reads_bed_board
from app.history.statuses import STATUS_LABELS
from app.kit.errors import ValidationFailed
from app.kit.i18n import _, format_moment
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render

KIND_LABELS = {"beds": _("Bed changes"), "admin": _("Accounts and administration"), "all": _("Everything")}


@requires(permissions.AUDIT_READ)
async def history(request: Request) -> Response:
    app_services = services(request)
    # The reader's organisation's zone (a Chilean tree's auditor reads and types Santiago's times; the bed board's
    # organisations have none and keep BEDBOARD_TIMEZONE's).
    zone = reader_zone(request)
    params = dict(request.query_params)
    error: ValidationFailed | None = None
    bed_board = reads_bed_board(current_actor(request))
    filters = HistoryFilter() if bed_board else HistoryFilter(kind=TREE_KINDS[0])
    page = HistoryPage([], None)
    async with app_services.session_factory() as session:
        try:
            filters = HistoryFilter.parse(params, zone, bed_board=bed_board)
            before = parse_id(params["before"], "before") if params.get("before", "").strip() else None
            readable = await readable_events(session, current_actor(request), app_services.registry.audit_objects)
            page = await history_page(session, filters, readable=readable, before=before)
        except ValidationFailed as failure:
            error = failure
        # A tree auditor is offered no hospital or section (they are the Romanian board's, not of their tree).
        options = await form_options(session, language_of(request), filters.hospital_id) if bed_board \
            else FormOptions([], [], [], [])
        reason_names = await admission_reason_names(session, language_of(request)) if bed_board else {}
    link_params = filters.query_params(zone)
    next_link = None if page.next_before is None else "/audit?" + urlencode(
        {**link_params, "before": page.next_before})
    language = language_of(request)
    return render(request, "history.html", {
        "error": error, "filters": filters, "raw": params, "rows": page.rows, "next_link": next_link,
        "export_link": "/audit/export.csv?" + urlencode(link_params), "options": options,
        "kinds": [(kind, KIND_LABELS[kind]) for kind in (KINDS if bed_board else TREE_KINDS)],
        "action_labels": ACTION_LABELS, "bed_board": bed_board,
        "status_labels": STATUS_LABELS, "reason_names": reason_names,
        "chain": chain.last_check(request.app),
        # To the second: an auditor orders events that happened within the same minute (and matches them to the CSV).
        "moment": lambda at: format_moment(at, zone, language, seconds=True),
    }, status_code=422 if error else 200)


async def _started(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The export with its first batch already read: once the status line is sent, a failure can only cut
    the file short, so the filters are checked, and the query has run, before the response begins."""
    first = await anext(lines)

    async def rest() -> AsyncIterator[str]:
        yield first
        async for line in lines:
            yield line

    return rest()


@requires(permissions.AUDIT_READ)
async def export_csv(request: Request) -> Response:
    app_services = services(request)
    actor = current_actor(request)
    filters = HistoryFilter.parse(dict(request.query_params), reader_zone(request), bed_board=reads_bed_board(actor))
    stamp = app_services.clock.now().strftime("%Y%m%d-%H%M%S")

    async def readable(session: AsyncSession) -> ColumnElement[bool]:
        return await readable_events(session, actor, app_services.registry.audit_objects)

    return StreamingResponse(
        await _started(csv_lines(app_services.session_factory, filters, reader_zone(request), readable,
                                 language=language_of(request))),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="bedboard-history-{stamp}.csv"'})


@requires(permissions.AUDIT_READ)
async def verify_chain(request: Request) -> Response:
    """Reads the whole chain and remembers the verdict; it changes nothing, so auditors may run it."""
    app_services = services(request)
    async with app_services.session_factory() as session:
        await chain.run_check(request.app, session, app_services.clock.now())
    return RedirectResponse("/audit", status_code=303)


routes: list[BaseRoute] = [
    Route("/audit", history, methods=["GET"], name="history"),
    Route("/audit/export.csv", export_csv, methods=["GET"], name="history_export"),
    Route("/audit/verify", verify_chain, methods=["POST"], name="history_verify"),
    *evolution_routes.routes,
    *closures_routes.routes,
]
