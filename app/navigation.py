"""The navigation bar: each entry names the action it needs, so a user sees only what they may use."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import permissions
from app.actors import Actor
from app.i18n import _


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
    NavItem(_("Account"), "/account", permissions.ACCOUNT_MANAGE_OWN),
)


def visible_to(actor: Actor) -> list[NavItem]:
    if actor.must_change_password:
        return []
    return [item for item in NAVIGATION if permissions.may(actor, item.action)]
