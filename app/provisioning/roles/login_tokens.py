"""The roles module's token scope: a login system's token, reading login tickets for one region.

A login system (Clinic24's, or a Keycloak in front of it) asks bedboard which unit and role a person may log in
as, the way Keycloak lets a service account read role claims. It needs no person's session: IT support of the
region makes a token of this scope on the token page (accounts/tokens.py keeps, lists and revokes it), and the
token reads the login tickets of the region's employees, nothing else (its API prefix is the login-ticket path
only; every read is audited with the token's name, ``api_routes.py``).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from accounts.tokens import TokenReach, TokenScope
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _

LOGIN_TICKETS: Final = "login-tickets"
LOGIN_TICKETS_API_PREFIX: Final = "/api/v1/roles/login-tickets/"


def is_login_system(actor: Actor) -> bool:
    """A program holding a login-tickets token (``accounts.bearer.TokenActor``), not a person."""
    return getattr(actor, "token_scope", None) == LOGIN_TICKETS


async def _reach(session: AsyncSession, actor: Actor) -> TokenReach:
    """IT support makes and sees the tokens of their own region (seed 001: one IT support per region)."""
    if not permissions.may(actor, permissions.ROLES_SUPPORT) or actor.organisation_id is None \
            or actor.organisation_kind != "region":
        raise PermissionDenied(_("Only IT support of a region may manage login-system tokens."))
    region = await session.get_one(Organisation, actor.organisation_id)
    return TokenReach(choices=[(region.id, region.name)])


SCOPE = TokenScope(
    code=LOGIN_TICKETS, label=_("Login-system tokens"), help_template="login_tokens_help.html",
    manage=permissions.ROLES_SUPPORT, page="/roles/login-tokens", tokens_path="/roles/login-tokens/tokens",
    reach=_reach, organisation_label=_("Region"), organisation_field="organisation_id",
    choose=_("Choose one of the listed organisations."),
    not_owner=_("Only IT support of the region that owns this token may revoke it."),
    audit_prefix="roles.login_token", actor_kind="region",
    # The employee role holds exactly the one action the login-ticket route asks for; the scope's API prefix keeps
    # the token off every other route, and tickets.py lets it read the employees of its own region only.
    actor_roles=frozenset({"employee"}), api_prefix=LOGIN_TICKETS_API_PREFIX, owned_by_organisation=True)
