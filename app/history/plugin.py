"""How the history plugs into the app: the audit pages (log, past board, chart, export) and their entry."""

from __future__ import annotations

from pathlib import Path

from accounts import permissions
from app.history import routes
from app.kit.i18n import _
from app.kit.plugins import NavItem, Plugin

PLUGIN = Plugin(
    name="history",
    routes=routes.routes,
    navigation=[NavItem(_("History"), "/audit", permissions.AUDIT_READ, 40)],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
)
