"""Programs call the API with ``Authorization: Bearer <token>``; the token alone says who they are.

Only paths under ``/api/`` read the header. A request that carries one ignores cookies, and needs no
CSRF token: a browser never attaches a bearer token on its own, so there is nothing to forge. A token works only
on the paths of its scope (registered by its domain, accounts/tokens.py): a hospital system's on the bed API, a
health record's on the licence-usage feed; any other path is refused (403, audited) before a route runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from accounts import tokens
from app.kit.actors import Actor
from app.kit.db import statement_session
from app.kit.error_pages import audit_refusal, error_response
from app.kit.errors import NotAuthenticated
from app.kit.i18n import _
from app.kit.state import client_address, services

API_PREFIX = "/api/"
AUTH_SCOPE_KEY = "bedboard.auth"
MALFORMED = _("Send the API token as the header 'Authorization: Bearer <token>'.")
WRONG_SCOPE = _("This API token is not meant for this part of the API.")


@dataclass(frozen=True)
class TokenActor(Actor):
    """A program acting through its token: authenticated without being a user."""

    token_id: int = 0
    token_scope: str = ""

    @property
    def is_authenticated(self) -> bool:
        return True


def is_api(connection: HTTPConnection) -> bool:
    return connection.url.path.startswith(API_PREFIX)


def presents_token(connection: HTTPConnection) -> bool:
    return connection.scope["type"] == "http" and is_api(connection) and "authorization" in connection.headers


def is_bearer_request(connection: HTTPConnection) -> bool:
    return connection.scope.get(AUTH_SCOPE_KEY) == "bearer"


def presented_token(header: str) -> str:
    scheme, _space, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(character.isspace() for character in token):
        raise NotAuthenticated(MALFORMED, details={"header": "Authorization"})
    return token


def actor_of(holder: tokens.TokenHolder, address: str) -> TokenActor:
    scope = tokens.scope_of(holder.scope)  # a token of an unregistered scope is not authenticated
    kind, roles = scope.actor_kind, scope.actor_roles
    return TokenActor(username=f"token:{holder.name}", source="api", display_name=holder.name,
                      organisation_id=holder.organisation_id, organisation_code=holder.organisation_code,
                      organisation_name=holder.organisation_name, organisation_kind=kind, roles=roles,
                      client_address=address, token_id=holder.token_id, token_scope=holder.scope)


def scope_covers(scope: str, path: str) -> bool:
    """A path is its registered scope's whose API prefix is the longest it starts with (the bed board's is
    "/api/", the licence module's "/api/v1/licenses/")."""
    return tokens.scope_for_path(path) == scope


async def authenticate(connection: HTTPConnection) -> Response | None:
    """Puts the token's actor in the scope, or returns the 401 answer that refuses the request."""
    try:
        raw = presented_token(connection.headers["authorization"])
        app_services = services(connection)
        # No transaction: a read, and now and then last_used_at (statement_session says why).
        async with statement_session(app_services.engine, clock=app_services.clock) as session:
            holder = await tokens.authenticate(session, raw=raw)
            await session.commit()
    except NotAuthenticated as refusal:
        response = error_response(Request(connection.scope), refusal.status, refusal.message,
                                  code="invalid_token", details=refusal.details)
        response.headers["WWW-Authenticate"] = 'Bearer realm="bedboard", error="invalid_token"'
        return response
    connection.scope["bedboard.actor"] = actor_of(holder, client_address(connection))
    connection.scope[AUTH_SCOPE_KEY] = "bearer"
    if not scope_covers(holder.scope, connection.url.path):
        request = Request(connection.scope)
        await audit_refusal(request, needs=f"token_scope:{holder.scope}")
        return error_response(request, 403, WRONG_SCOPE, code="wrong_token_scope",
                              details={"token_scope": holder.scope})
    return None
