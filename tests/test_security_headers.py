"""Security headers on every response (errors too), and plain error pages instead of traces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.settings import Settings
from app.main import create_app
from tests.postgres_cluster import free_port


@requires(permissions.PUBLIC)
async def explode(request: Request) -> Response:
    raise RuntimeError("SELECT secret_column FROM internal_table")


def assert_secure_headers(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert len(response.headers["x-request-id"]) == 16


async def client_for(app: Starlette, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url)


@pytest.fixture
async def exploding_app(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Starlette]:
    app = create_app(Settings(database_url=sqlite_url, secret_key="k" * 40, var_dir=tmp_path,
                              password_profile="fast-insecure-for-tests"))
    app.router.routes.append(Route("/explode", explode))
    yield app
    await app.state.services.engine.dispose()


@pytest.mark.parametrize(("path", "status"), [("/login", 200), ("/no-such-page", 404), ("/explode", 500)])
async def test_headers_on_pages_and_errors(exploding_app: Starlette, path: str, status: int,
                                           caplog: pytest.LogCaptureFixture) -> None:
    async with await client_for(exploding_app) as client:
        response = await client.get(path)
    assert response.status_code == status
    assert_secure_headers(response)
    assert "strict-transport-security" not in response.headers


async def test_an_unexpected_error_shows_a_request_id_and_no_trace(exploding_app: Starlette,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    async with await client_for(exploding_app) as client:
        response = await client.get("/explode")
    request_id = response.headers["x-request-id"]
    assert request_id in response.text
    assert "Something went wrong on our side" in response.text
    assert "secret_column" not in response.text
    assert "Traceback" not in response.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_hsts_under_https(exploding_app: Starlette) -> None:
    async with await client_for(exploding_app, "https://bedboard.example") as client:
        response = await client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_cookies_are_secure_and_host_prefixed_under_https(sqlite_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=sqlite_url, secret_key="k" * 40, var_dir=tmp_path,
                              base_url="https://bedboard.example"))
    async with await client_for(app, "https://bedboard.example") as client:
        response = await client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-bedboard_presession=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
    await app.state.services.engine.dispose()


async def test_a_database_that_is_down_gives_503(tmp_path: Path) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/bedboard"
    app = create_app(Settings(database_url=unreachable, secret_key="k" * 40, var_dir=tmp_path))
    async with await client_for(app) as client:
        client.cookies.set("bedboard_session", "some-session-token", domain="testserver.local")
        page = await client.get("/account", headers={"accept-language": "ro"})
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert "baza de date nu poate fi contactată" in page.text
    assert_secure_headers(page)
    await app.state.services.engine.dispose()


async def test_static_files_are_served_with_security_headers(exploding_app: Starlette) -> None:
    async with await client_for(exploding_app) as client:
        response = await client.get("/static/css/bedboard.css")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
