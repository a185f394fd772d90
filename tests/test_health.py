"""The probes: /health says the process is up (no database), /ready says it can serve (database, schema,
listener), neither needs a login and neither writes anything; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy import select, text
from starlette.applications import Starlette

from accounts.models import AuthSession
from app.beds.running import bed_services
from app.kit.clock import ManualClock
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from realtime.backends import PostgresBackend
from tests.factories import make_user
from tests.postgres_cluster import free_port
from tests.web import log_in


async def test_health_answers_while_the_database_is_down_and_ready_says_why(tmp_path: Path) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/bedboard"
    app = create_app(Settings(database_url=unreachable, secret_key="k" * 40, var_dir=tmp_path))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.cookies.set("bedboard_session", "some-session-token", domain="testserver.local")
        health = await client.get("/health")
        ready = await client.get("/ready")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert "set-cookie" not in health.headers  # answered before the session lookup
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "5"
    assert ready.json()["status"] == "unavailable"
    assert any(reason.startswith("database: unavailable") for reason in ready.json()["reasons"])
    await app.state.services.engine.dispose()


async def test_ready_on_a_migrated_database(client: httpx.AsyncClient, services: AppServices,
                                            database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await bed_services(services).live.start()
        await asyncio.wait_for(bed_services(services).live.backend.connected.wait(), 10)  # type: ignore[attr-defined]
    try:
        ready = await client.get("/ready")
    finally:
        await bed_services(services).live.stop()
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_ready_waits_for_the_postgresql_listener(client: httpx.AsyncClient, services: AppServices) -> None:
    # A listener whose server does not answer: the boards of this process would miss every change.
    bed_services(services).live.backend = PostgresBackend(f"postgresql://postgres@127.0.0.1:{free_port()}/bedboard")
    await bed_services(services).live.start()
    try:
        ready = await client.get("/ready")
    finally:
        await bed_services(services).live.stop()
    assert ready.status_code == 503
    assert [reason.split(":")[0] for reason in ready.json()["reasons"]] == ["listener"]


async def test_ready_refuses_a_schema_behind_the_migrations(client: httpx.AsyncClient,
                                                            services: AppServices) -> None:
    async with services.engine.begin() as connection:
        head = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        await connection.execute(text("UPDATE alembic_version SET version_num = '0001_older'"))
    ready = await client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["reasons"][0] == f"migrations: at 0001_older, head is {head}"


async def test_the_probes_need_no_login_and_touch_no_session(app: Starlette, client: httpx.AsyncClient,
                                                             services: AppServices, clock: ManualClock) -> None:
    await make_user(services, "coord", role="coordinator")
    assert (await log_in(client, "coord")).status_code == 303

    async def last_seen() -> object:
        async with services.session_factory() as session:
            return await session.scalar(select(AuthSession.last_seen_at))

    before = await last_seen()
    clock.advance(minutes=5)  # past the interval after which a request records the session as seen
    for path in ("/health", "/ready", "/health"):
        response = await client.get(path)
        assert "set-cookie" not in response.headers
    assert (response.status_code, await last_seen()) == (200, before)
    await client.get("/account")  # an ordinary page does record it: the check above can fail
    assert await last_seen() != before
