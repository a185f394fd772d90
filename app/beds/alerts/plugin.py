"""How the alerts plug in: their page and API, the listeners that judge the rules after each commit and carry
the alerts to the boards, the board's panel, and the periodic job that finds sections gone overdue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, String, cast, select
from starlette.requests import HTTPConnection, Request

from accounts import permissions
from app.beds.alerts import api_routes, page_routes
from app.beds.alerts.audience import viewer_audience
from app.beds.alerts.channel import AlertChannel
from app.beds.alerts.demo import DEMO
from app.beds.alerts.evaluate import AlertEvaluator, Trigger
from app.beds.alerts.models import Alert, AlertRule
from app.beds.alerts.notices import AlertNotices
from app.beds.alerts.running import AlertServices, alert_services
from app.beds.alerts.wording import script_messages
from app.beds.running import bed_services
from app.kit.db import statement_session
from app.kit.plugins import AuditObjects, Job, JobContext, Plugin
from app.kit.state import AppServices, current_actor
from app.kit.templating import language_of


def _socket_audience(connection: HTTPConnection) -> frozenset[str]:
    return viewer_audience(current_actor(connection))


def _install(services: AppServices) -> None:
    services.provide(AlertServices(channel=AlertChannel(services.hub, services.settings.database_url),
                                   evaluator=AlertEvaluator(
                                       lambda: statement_session(services.engine, clock=services.clock),
                                       services.unit_of_work, services.clock)))
    # Looked up at each commit, as the bed board's channel: a test may replace them.
    services.before_commit.append(lambda session, events: alert_services(services).channel.before_commit(session,
                                                                                                         events))
    services.after_commit.append(lambda events: alert_services(services).channel.after_commit(events))
    # After the bed board's own listener (installed first): the boards see the change before its alert is judged.
    services.after_commit.append(lambda events: alert_services(services).evaluator.after_commit(events))
    bed_services(services).board_socket.carry_notices(AlertNotices(services.session_factory), _socket_audience)


def _board_messages(request: Request) -> Mapping[str, Any]:
    """The panel's texts, on the board only and for those who get alerts (the panel is not drawn otherwise)."""
    if request.url.path != "/board" or not permissions.may(current_actor(request), permissions.ALERTS_MANAGE):
        return {}
    return {"alert_messages": script_messages(language_of(request))}


async def _overdue(context: JobContext) -> str:
    evaluator = AlertEvaluator(context.session_factory, context.unit_of_work, context.clock)
    fired = await evaluator.evaluate(Trigger(section_ids=None, kinds=frozenset({"overdue"})))
    return f"{fired} overdue alert(s) fired"


OVERDUE = Job("alerts.overdue", timedelta(minutes=5), "alert rules: sections that passed their update interval",
              _overdue)


def _rules(organisation_ids: Any) -> Select[Any]:
    return select(cast(AlertRule.id, String)).where(AlertRule.organisation_id.in_(organisation_ids))


def _alerts(organisation_ids: Any) -> Select[Any]:
    return select(cast(Alert.id, String)).where(Alert.organisation_id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"alert_rule": _rules, "alert": _alerts}

PLUGIN = Plugin(
    name="alerts",
    routes=[*page_routes.routes, *api_routes.routes],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    page_context=[_board_messages],
    jobs=[OVERDUE],
    install=_install,
    audit_objects=AUDITED_OBJECTS,
    demo=DEMO,
)
