"""The navigation bar: each entry names the action it needs, so a user sees only what they may use."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import permissions
from app.kit.actors import Actor
from app.kit.i18n import _


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    action: str


# Domains add their entries here as they arrive (board, operator screen, users, audit).
NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Board"), "/board", permissions.BOARD_VIEW),
    NavItem(_("Sections"), "/operator", permissions.BEDS_WRITE_OWN_HOSPITAL),
    NavItem(_("Users"), "/admin/users", permissions.USERS_MANAGE),
    NavItem(_("History"), "/audit", permissions.AUDIT_READ),
    NavItem(_("Nomenclature"), "/admin/nomenclature", permissions.NOMENCLATURE_IMPORT),
    NavItem(_("API tokens"), "/admin/api-tokens", permissions.API_TOKENS_MANAGE),
    NavItem(_("Outbox"), "/admin/outbox", permissions.OUTBOX_VIEW),
    NavItem(_("Licence requests"), "/licenses/requests", permissions.LICENSES_REQUEST),
    NavItem(_("Licences"), "/licenses", permissions.LICENSES_REQUEST),
    NavItem(_("Licence queue"), "/licenses/queue", permissions.LICENSES_DECIDE),
    NavItem(_("Licence pool"), "/licenses/pool", permissions.LICENSES_DECIDE),
    NavItem(_("Licence use"), "/licenses/usage", permissions.LICENSES_DECIDE),
    NavItem(_("Reports"), "/licenses/reports", permissions.LICENSES_DECIDE),
    NavItem(_("Help-desk tickets"), "/licenses/tickets", permissions.LICENSES_SUPPORT),
    NavItem(_("My staff"), "/roles/staff", permissions.ROLES_MANAGE_STAFF),
    NavItem(_("Assignment requests"), "/roles/requests", permissions.ROLES_SUPPORT),
    NavItem(_("Login tickets"), "/roles/tickets", permissions.ROLES_OWN_TICKETS),
    NavItem(_("Role catalogues"), "/roles/catalogues", permissions.ROLES_CATALOGUE_READ),
    NavItem(_("Catalogue changes"), "/roles/changes", permissions.ROLES_CATALOGUE_READ),
    NavItem(_("IT orders"), "/orders", permissions.ORDERS_PLACE),
    NavItem(_("People"), "/orders/people", permissions.ORDERS_PLACE),
    NavItem(_("Order catalogues"), "/orders/catalogues", permissions.ORDERS_CATALOGUES),
    NavItem(_("Account"), "/account", permissions.ACCOUNT_MANAGE_OWN),
)


def visible_to(actor: Actor) -> list[NavItem]:
    if actor.must_change_password:
        return []
    return [item for item in NAVIGATION if permissions.may(actor, item.action)]
