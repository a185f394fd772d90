"""How the roles module plugs into the app: staff, employees, login tickets, assignment requests, the role
catalogues and their changes, the login-ticket API, and their navigation entries."""

from __future__ import annotations

from pathlib import Path

from accounts import permissions
from app.kit.i18n import _
from app.kit.plugins import NavItem, Plugin
from app.provisioning.roles import (
    api_routes,
    change_routes,
    cli,
    employee_routes,
    request_routes,
    staff_routes,
    staffing_routes,
    ticket_routes,
    unit_api,
    unit_routes,
)
from app.provisioning.roles.audited_objects import AUDITED_OBJECTS
from app.provisioning.roles.catalogue import import_routes as catalogue_import_routes
from app.provisioning.roles.catalogue import routes as catalogue_routes
from app.provisioning.roles.demo import DEMO

PLUGIN = Plugin(
    name="roles",
    routes=[*api_routes.routes, *staff_routes.routes, *employee_routes.routes, *ticket_routes.routes,
            *request_routes.routes, *catalogue_routes.routes, *catalogue_import_routes.routes,
            *staffing_routes.routes, *change_routes.routes, *unit_routes.routes, *unit_api.routes],
    navigation=[
        NavItem(_("My staff"), "/roles/staff", permissions.ROLES_MANAGE_STAFF, 200),
        NavItem(_("Assignment requests"), "/roles/requests", permissions.ROLES_SUPPORT, 210),
        NavItem(_("Login-system tokens"), "/roles/login-tokens", permissions.ROLES_SUPPORT, 215),
        NavItem(_("Login tickets"), "/roles/tickets", permissions.ROLES_OWN_TICKETS, 220),
        NavItem(_("Units"), "/roles/units", permissions.ROLES_CATALOGUE_READ, 225),
        NavItem(_("Role catalogues"), "/roles/catalogues", permissions.ROLES_CATALOGUE_READ, 230),
        NavItem(_("Catalogue changes"), "/roles/changes", permissions.ROLES_CATALOGUE_READ, 240),
    ],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    commands=[cli.COMMAND],
    demo=DEMO,
    audit_objects=AUDITED_OBJECTS,
)
