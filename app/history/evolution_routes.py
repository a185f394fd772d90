"""History views rebuilt from the log: the free-bed chart and the board as it was at a moment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.interface import BoardFilter, admission_stretches, describe_age, nested
from app.history.chart_svg import draw
from app.history.evolution import charted_sections, free_beds_series
from app.history.filters import parse_id, parse_moment
from app.history.options import form_options
from app.history.past_board import board_at
from app.history.statuses import STATUS_LABELS
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render

DEFAULT_RANGE = timedelta(days=7)


def _id_param(request: Request, field: str) -> int | None:
    value = request.query_params.get(field, "").strip()
    return parse_id(value, field) if value else None


def require_bed_board(request: Request) -> None:
    """The chart and the past board are the bed board's history: a health service's or a region's auditor reads
    the log of their own tree, not the Romanian hospitals' counts (issue 23)."""
    if not permissions.may(current_actor(request), permissions.BOARD_VIEW):
        raise PermissionDenied(_("The bed board's history is read by the bed board's auditors and administrators."))


@requires(permissions.AUDIT_READ)
async def chart_page(request: Request) -> Response:
    require_bed_board(request)
    app_services = services(request)
    zone, now = app_services.settings.zone, app_services.clock.now()
    context: dict[str, Any] = {"chart": None, "error": None, "raw": dict(request.query_params)}
    hospital_id: int | None = None
    async with app_services.session_factory() as session:
        try:
            hospital_id, section_id = _id_param(request, "hospital"), _id_param(request, "section")
            until_text, since_text = request.query_params.get("to", ""), request.query_params.get("from", "")
            until = parse_moment(until_text, zone, "to") if until_text.strip() else now
            since = parse_moment(since_text, zone, "from") if since_text.strip() else until - DEFAULT_RANGE
            if since >= until:
                raise ValidationFailed(_("The start of the range must not be after its end."))
            ids = await charted_sections(session, hospital_id=hospital_id, section_id=section_id)
            if ids:
                stretches = await admission_stretches(session, since=since, until=until, section_ids=ids)
                context["chart"] = draw(await free_beds_series(session, ids, since, until), since, until,
                                        stretches, now)
        except ValidationFailed as failure:
            context["error"] = failure
        context["options"] = await form_options(session, language_of(request), hospital_id)
    context.update(hospital_id=hospital_id, status_labels=STATUS_LABELS)
    return render(request, "history_chart.html", context, status_code=422 if context["error"] else 200)


def _board_filter(request: Request) -> BoardFilter:
    hospital, section_type = _id_param(request, "hospital"), _id_param(request, "section_type")
    hospital_type = request.query_params.get("hospital_type", "").strip()
    return BoardFilter(hospitals=frozenset({hospital} if hospital else ()),
                       section_types=frozenset({section_type} if section_type else ()),
                       hospital_types=frozenset({hospital_type} if hospital_type else ()),
                       stale_only=request.query_params.get("stale_only") == "1")


@requires(permissions.AUDIT_READ)
async def past_board_page(request: Request) -> Response:
    require_bed_board(request)
    app_services = services(request)
    zone, language = app_services.settings.zone, language_of(request)
    context: dict[str, Any] = {"rows": [], "error": None, "raw": dict(request.query_params), "moment": None}
    async with app_services.session_factory() as session:
        try:
            filters = _board_filter(request)
            text = request.query_params.get("at", "").strip()
            if text:
                moment = parse_moment(text, zone, "at")
                board = {past.view.id: past for past in await board_at(session, moment, filters)}
                context["moment"] = moment
                context["rows"] = [(board[view.id], depth, "" if board[view.id].age is None
                                    else describe_age(board[view.id].age or timedelta(), language))
                                   for view, depth in nested(past.view for past in board.values())]
        except ValidationFailed as failure:
            context["error"] = failure
        context["options"] = await form_options(session, language, None)
    context["status_labels"] = STATUS_LABELS
    return render(request, "history_board.html", context, status_code=422 if context["error"] else 200)


routes: list[BaseRoute] = [
    Route("/audit/chart", chart_page, methods=["GET"], name="history_chart"),
    Route("/audit/board", past_board_page, methods=["GET"], name="history_board"),
]
