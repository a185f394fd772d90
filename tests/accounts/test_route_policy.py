"""Policies that must hold for every route, enumerated from the router rather than listed by hand."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from accounts import csrf
from accounts.guard import PERMISSION_ATTRIBUTE
from accounts.permissions import KNOWN_ACTIONS
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.licenses.usage_api import TOKEN_ONLY_ATTRIBUTE
from tests.factories import make_user
from tests.web import BrowserFactory, log_in

PUBLIC_MOUNTS = {"static"}


def endpoints(routes: list[BaseRoute]) -> list[Route | WebSocketRoute]:
    found: list[Route | WebSocketRoute] = []
    for route in routes:
        if isinstance(route, Mount):
            if route.name in PUBLIC_MOUNTS:
                continue
            found.extend(endpoints(list(route.routes)))
        elif isinstance(route, Route | WebSocketRoute):
            found.append(route)
        else:
            raise AssertionError(f"unexpected route type {route!r}: teach this test about it")
    return found


def unsafe_routes(app: Starlette, *, token_only: bool = False) -> list[tuple[str, str]]:
    """Unsafe (method, path) pairs; ``token_only``: those of endpoints that take API tokens and nothing else."""
    pairs = []
    for route in endpoints(list(app.routes)):
        if not isinstance(route, Route) or getattr(route.endpoint, TOKEN_ONLY_ATTRIBUTE, False) != token_only:
            continue
        for method in sorted((route.methods or set()) & csrf.UNSAFE_METHODS):
            pairs.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return pairs


def test_every_route_states_a_known_permission(app: Starlette) -> None:
    routes = endpoints(list(app.routes))
    assert routes
    for route in routes:
        action = getattr(route.endpoint, PERMISSION_ATTRIBUTE, None)
        assert action in KNOWN_ACTIONS, f"{route.path} states no permission (use @requires)"


def test_the_unsafe_routes_are_found(app: Starlette) -> None:
    assert ("POST", "/login") in unsafe_routes(app)
    assert ("POST", "/account/password") in unsafe_routes(app)
    assert unsafe_routes(app, token_only=True) == [("POST", "/api/v1/licenses/usage")]


async def audit_count(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize("logged_in", [True, False])
async def test_every_unsafe_route_refuses_a_request_without_csrf_token(
    app: Starlette, client: httpx.AsyncClient, services: AppServices, logged_in: bool
) -> None:
    await make_user(services, "ana.pop", role="admin")
    if logged_in:
        await log_in(client, "ana.pop")
    before = await audit_count(services)
    for method, path in unsafe_routes(app):
        response = await client.request(method, path, data={"username": "ana.pop", "display_name": "X"})
        assert response.status_code == 403, (method, path)
        assert "The form has expired" in response.text
    # A route that only API tokens may call has no session to protect: without a token it is 401.
    for method, path in unsafe_routes(app, token_only=True):
        response = await client.request(method, path, data={"username": "ana.pop", "display_name": "X"})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert await audit_count(services) == before


async def test_a_valid_token_from_another_site_is_refused(client: httpx.AsyncClient,
                                                          services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    page = await client.get("/account")
    token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert token
    response = await client.post("/account/profile", data={"csrf_token": token.group(1), "display_name": "Eve",
                                                           "language": "en"},
                                 headers={"origin": "https://evil.example"})
    assert response.status_code == 403


async def test_the_token_is_bound_to_the_session(client: httpx.AsyncClient, services: AppServices,
                                                 new_client: BrowserFactory) -> None:
    await make_user(services, "ana.pop")
    await make_user(services, "ion.ion")
    await log_in(client, "ana.pop")
    page = await client.get("/account")
    token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert token
    async with new_client() as other:
        await log_in(other, "ion.ion")
        response = await other.post("/account/profile", data={"csrf_token": token.group(1),
                                                               "display_name": "Eve", "language": "en"})
    assert response.status_code == 403


async def test_no_get_changes_state(app: Starlette, client: httpx.AsyncClient, services: AppServices) -> None:
    """Every change is audited, so an audit log that only grows by refusals proves no GET wrote anything."""
    await make_user(services, "ana.pop", role="admin")
    await log_in(client, "ana.pop")
    before = await audit_count(services)
    paths = [re.sub(r"\{[^}]+\}", "1", route.path) for route in endpoints(list(app.routes))
             if isinstance(route, Route) and "GET" in (route.methods or set())]
    assert len(paths) > 10
    for path in paths:
        assert (await client.get(path)).status_code < 500, path
    async with services.session_factory() as session:
        actions = set(await session.scalars(select(AuditEvent.action).where(AuditEvent.seq > before)))
    assert actions <= {"accounts.authorization_refused"}
