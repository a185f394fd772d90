"""How the dispatch plugs in: its API, the hospital screens' socket and panel, the board's counts, the job that
alerts and expires. Its notices ride the alerts' channel (app/beds/alerts/channel.py: every ``AlertNotice`` is
carried to every process's hub), so it needs no PostgreSQL listener of its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Select, String, cast, or_, select

from app.beds.dispatch import api_routes, live_routes
from app.beds.dispatch.jobs import JOB
from app.beds.dispatch.models import Announcement
from app.beds.dispatch.running import DispatchServices
from app.beds.dispatch.screen_socket import make_socket
from app.kit.plugins import AuditObjects, Plugin
from app.kit.state import AppServices


def _install(services: AppServices) -> None:
    services.provide(DispatchServices(screen_socket=make_socket(services.hub, services.session_factory,
                                                                services.clock.now)))


def _announcements(organisation_ids: Any) -> Select[Any]:
    """The announcing authority's, and those made to a hospital of the tree."""
    return select(cast(Announcement.id, String)).where(or_(Announcement.organisation_id.in_(organisation_ids),
                                                           Announcement.hospital_id.in_(organisation_ids)))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"announcement": _announcements}

PLUGIN = Plugin(
    name="dispatch",
    routes=[*api_routes.routes, *live_routes.routes],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    jobs=[JOB],
    install=_install,
    audit_objects=AUDITED_OBJECTS,
)
