"""How the dispatch plugs in: its API, the hospital screens' socket and panel, the board's counts, the job that
alerts and expires. Its notices ride the alerts' channel (app/beds/alerts/channel.py: every ``AlertNotice`` is
carried to every process's hub), so it needs no PostgreSQL listener of its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Select, String, cast, or_, select
from starlette.requests import Request

from accounts import permissions
from app.beds.dispatch import api_routes, live_routes, page_routes
from app.beds.dispatch.demo import DEMO
from app.beds.dispatch.jobs import JOB
from app.beds.dispatch.models import Announcement
from app.beds.dispatch.running import DispatchServices
from app.beds.dispatch.screen_socket import make_socket
from app.beds.dispatch.wording import script_messages
from app.kit.plugins import AuditObjects, Plugin
from app.kit.state import AppServices, current_actor, services
from app.kit.templating import language_of


def _install(services: AppServices) -> None:
    services.provide(DispatchServices(screen_socket=make_socket(services.hub, services.session_factory,
                                                                services.clock.now)))


def _panel_messages(request: Request) -> Mapping[str, Any]:
    """The incoming-patients panel's words, on the operator's screen of those who receive announcements only."""
    if request.url.path != "/operator" or not permissions.may(current_actor(request), permissions.DISPATCH_RECEIVE):
        return {}
    return {"dispatch_messages": {**script_messages(language_of(request)),
                                  "heartbeat_seconds": services(request).settings.heartbeat_seconds}}


def _board_messages(request: Request) -> Mapping[str, Any]:
    """The board's counts and the coordinator's notices of their announcements."""
    if request.url.path != "/board" or not permissions.may(current_actor(request), permissions.BOARD_VIEW):
        return {}
    return {"dispatch_board_messages": script_messages(language_of(request))}


def _announcements(organisation_ids: Any) -> Select[Any]:
    """The announcing authority's, and those made to a hospital of the tree."""
    return select(cast(Announcement.id, String)).where(or_(Announcement.organisation_id.in_(organisation_ids),
                                                           Announcement.hospital_id.in_(organisation_ids)))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"announcement": _announcements}

PLUGIN = Plugin(
    name="dispatch",
    routes=[*api_routes.routes, *live_routes.routes, *page_routes.routes],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    page_context=[_panel_messages, _board_messages],
    jobs=[JOB],
    install=_install,
    audit_objects=AUDITED_OBJECTS,
    demo=DEMO,
)
