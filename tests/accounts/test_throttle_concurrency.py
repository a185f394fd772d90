"""Throttling under concurrency: many logins sent at the same moment through the real login route.

The password checks are counted for real, by wrapping the app's own hasher (the check still runs); across two
server processes on PostgreSQL, by the failures written to the audit log, one per checked wrong password.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from accounts.service import AccountsContext
from app.kit.audit import AuditEvent
from app.kit.db import make_engine, make_session_factory
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from tests.factories import TEST_PASSWORD, make_organisation, make_user
from tests.live_server import TEST_SECRET, start_server
from tests.web import BrowserFactory, csrf_from, log_in

WRONG = "not the password at all"
SENT = 100


@pytest.fixture
def checked_passwords(services: AppServices, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every password check the app makes (the hashes checked); the check itself still runs."""
    hasher = services.get(AccountsContext).hasher
    original = hasher.verify
    checked: list[str | None] = []

    async def counted(password_hash: str | None, password: str) -> bool:
        checked.append(password_hash)
        return await original(password_hash, password)

    monkeypatch.setattr(hasher, "verify", counted)
    return checked


async def _send_at_once(clients: list[httpx.AsyncClient], usernames: list[str], password: str) -> Counter[int]:
    """Each client fetches its CSRF token first, then every login is sent at the same moment."""
    tokens = await asyncio.gather(*(csrf_from(client) for client in clients))
    responses = await asyncio.gather(*(
        client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        for client, username, token in zip(clients, usernames, tokens, strict=True)))
    return Counter(response.status_code for response in responses)


async def _locks_audited(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(
            select(func.count()).where(AuditEvent.action == "accounts.login_throttled")) or 0)


async def test_a_hundred_wrong_passwords_at_once_check_at_most_five(
    services: AppServices, new_client: BrowserFactory, checked_passwords: list[str | None]
) -> None:
    await make_user(services, "ana.pop")
    limit = services.settings.login_failures_per_username
    async with AsyncExitStack() as stack:
        # From a hundred addresses, so that only the username's limit can hold.
        clients = [await stack.enter_async_context(new_client(f"10.50.{n // 200}.{n % 200 + 1}"))
                   for n in range(SENT)]
        answers = await _send_at_once(clients, ["ana.pop"] * SENT, WRONG)
        checked = len(checked_passwords)
        assert checked <= limit
        assert answers[401] == checked
        assert answers[429] == SENT - checked
        assert (await log_in(clients[0], "ana.pop", TEST_PASSWORD)).status_code == 429
    assert len(checked_passwords) == checked  # the right password was refused without being checked
    # Locked once: the failures still being checked when the lock was set neither extend it nor log it again.
    assert await _locks_audited(services) == 1


async def test_a_hundred_wrong_passwords_from_one_address_check_at_most_its_limit(
    services: AppServices, new_client: BrowserFactory, checked_passwords: list[str | None]
) -> None:
    usernames = [f"user.{n}" for n in range(25)]
    for username in usernames:
        await make_user(services, username)
    limit = services.settings.login_failures_per_address
    async with AsyncExitStack() as stack:
        # Four tries per username: under the username's limit, so only the address's can hold.
        clients = [await stack.enter_async_context(new_client("10.66.0.1")) for _n in range(SENT)]
        answers = await _send_at_once(clients, usernames * 4, WRONG)
        checked = len(checked_passwords)
        assert checked <= limit
        assert answers[401] == checked
        assert answers[429] == SENT - checked
        assert (await log_in(clients[0], "user.0", TEST_PASSWORD)).status_code == 429
        colleague = await stack.enter_async_context(new_client("10.77.0.2"))
        assert (await log_in(colleague, "user.0", TEST_PASSWORD)).status_code == 303
    assert len(checked_passwords) == checked + 1


async def test_thirty_wrong_and_one_right_at_once_check_at_most_five(
    services: AppServices, new_client: BrowserFactory, checked_passwords: list[str | None]
) -> None:
    await make_user(services, "ana.pop")
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(new_client(f"10.51.0.{n + 1}")) for n in range(31)]
        passwords = [WRONG] * 30 + [TEST_PASSWORD]
        tokens = await asyncio.gather(*(csrf_from(client) for client in clients))
        responses = await asyncio.gather(*(
            client.post("/login", data={"username": "ana.pop", "password": password, "csrf_token": token})
            for client, password, token in zip(clients, passwords, tokens, strict=True)))
    assert len(checked_passwords) <= services.settings.login_failures_per_username
    assert sum(response.status_code == 429 for response in responses) >= 31 - len(checked_passwords)


async def test_forty_colleagues_logging_in_at_once_from_one_address_all_get_in(
    services: AppServices, new_client: BrowserFactory, checked_passwords: list[str | None]
) -> None:
    """A hospital's shift change behind one address: more logins at once than the address's limit of
    attempts, all with the right password. Each waits for the attempts being checked instead of a 429."""
    colleagues = 2 * services.settings.login_failures_per_address
    for number in range(colleagues):
        await make_user(services, f"colleague.{number}")
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(new_client("10.52.0.1")) for _ in range(colleagues)]
        answers = await _send_at_once(clients, [f"colleague.{n}" for n in range(colleagues)], TEST_PASSWORD)
    assert answers == Counter({303: colleagues})
    assert len(checked_passwords) == colleagues


async def _seed_live(database_url: str, var_dir: Path) -> None:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services: AppServices = app.state.services
    try:
        await make_organisation(services, "SAMB")
        await make_user(services, "ana.pop")
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


async def _failures_audited(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            return int(await session.scalar(
                select(func.count()).where(AuditEvent.action == "accounts.login_failed")) or 0)
    finally:
        await engine.dispose()


async def test_two_server_processes_check_at_most_five_between_them(postgres_url: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, _seed_live(postgres_url, tmp_path)).result()
    servers = [start_server(postgres_url, tmp_path), start_server(postgres_url, tmp_path)]
    try:
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(httpx.AsyncClient(base_url=servers[n % 2].url, timeout=60))
                       for n in range(SENT)]
            answers = await _send_at_once(clients, ["ana.pop"] * SENT, WRONG)
            checked = await _failures_audited(postgres_url)
            assert checked <= 5
            assert answers[401] == checked
            assert answers[429] == SENT - checked
            for client in clients[:2]:  # the right password, on each process
                assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 429
    finally:
        for server in servers:
            server.stop()
