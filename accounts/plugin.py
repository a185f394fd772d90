"""How accounts plug into the app: login, one's own account, user administration, the API-token page of every
scope the domains bring, the access policy the navigation bar asks, and the CSRF token every form carries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.requests import Request

from accounts import admin_routes, cli, csrf, email_routes, permissions, token_routes, tokens, zone_routes
from accounts import routes as account_routes
from accounts.audited_objects import AUDITED_OBJECTS
from accounts.service import AccountsContext, accounts_context
from app.kit.i18n import _
from app.kit.plugins import NavItem, Plugin
from app.kit.state import AppServices, services


def _csrf_token(request: Request) -> Mapping[str, str]:
    token = csrf.token_for(services(request).settings.secret_key, request.scope.get("bedboard.csrf_binding", ""))
    return {"csrf_token": token}


def _install(app_services: AppServices) -> None:
    app_services.provide(accounts_context(app_services.settings))


async def _stop(app_services: AppServices) -> None:
    app_services.get(AccountsContext).hasher.close()  # the hashing threads


def plugin(token_scopes: Sequence[tokens.TokenScope]) -> Plugin:
    """``token_scopes``: the scopes the domains bring (a hospital's bed token, a licence-usage feed ...);
    accounts keeps every token and its one page."""
    for scope in token_scopes:
        tokens.register(scope)
    return Plugin(
        name="accounts",
        routes=[*account_routes.routes, *admin_routes.routes, *email_routes.routes, *zone_routes.routes,
                *(route for scope in token_scopes for route in token_routes.routes_for(scope))],
        navigation=[
            NavItem(_("Users"), "/admin/users", permissions.USERS_MANAGE, 30),
            NavItem(_("Time zone"), zone_routes.PATH, permissions.USERS_MANAGE, 35),
            NavItem(_("API tokens"), "/admin/api-tokens", permissions.API_TOKENS_MANAGE, 60),
            NavItem(_("Account"), "/account", permissions.ACCOUNT_MANAGE_OWN, 1000),
        ],
        page_context=[_csrf_token],
        template_globals={"role_labels": permissions.ROLE_LABELS},
        template_dirs=[Path(__file__).resolve().parent / "templates"],
        install=_install,
        stop=_stop,
        policy=permissions.may,
        commands=cli.COMMANDS,
        audit_objects=AUDITED_OBJECTS,
    )
