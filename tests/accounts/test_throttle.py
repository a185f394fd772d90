from __future__ import annotations

import httpx
from sqlalchemy import select

from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.factories import TEST_PASSWORD, make_user
from tests.web import BrowserFactory, log_in

LOCKED = "Too many failed attempts."


async def fail(client: httpx.AsyncClient, username: str, times: int) -> None:
    for _attempt in range(times):
        assert (await log_in(client, username, "wrong password here")).status_code == 401


async def audited(services: AppServices, action: str) -> int:
    async with services.session_factory() as session:
        return len(list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action))))


async def test_five_failures_lock_the_username_even_for_the_right_password(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "ana.pop")
    await fail(client, "ana.pop", 4)
    clock.advance(minutes=1)
    await fail(client, "ana.pop", 1)
    refused = await log_in(client, "ana.pop", TEST_PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.text
    assert "Try again after Mar 14, 2026, 05:28" in refused.text
    assert await audited(services, "accounts.login_throttled") == 1
    assert await audited(services, "accounts.login_failed") == 5  # the refused attempt wrote nothing


async def test_attempts_during_the_lock_do_not_extend_it(client: httpx.AsyncClient, services: AppServices,
                                                          clock: ManualClock) -> None:
    await make_user(services, "ana.pop")
    await fail(client, "ana.pop", 5)
    clock.advance(minutes=10)
    assert (await log_in(client, "ana.pop", "wrong again")).status_code == 429
    clock.advance(minutes=4, seconds=59)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 429
    clock.advance(seconds=2)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 303


async def test_usernames_differing_in_case_share_one_counter(client: httpx.AsyncClient,
                                                             services: AppServices) -> None:
    await make_user(services, "ana.pop")
    for spelling in ("ana.pop", "Ana.Pop", "ANA.POP", "ana.POP", "aNa.pop"):
        await fail(client, spelling, 1)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 429


async def test_failures_spread_over_more_than_the_window_do_not_lock(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "ana.pop")
    for _round in range(6):
        await fail(client, "ana.pop", 1)
        clock.advance(minutes=4)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 303


async def test_twenty_failures_from_one_address_lock_that_address(
    services: AppServices, new_client: BrowserFactory
) -> None:
    await make_user(services, "ana.pop")
    async with new_client("10.66.0.1") as guesser, new_client("10.77.0.2") as colleague:
        for number in range(20):
            await fail(guesser, f"user{number}", 1)
        assert (await log_in(guesser, "ana.pop", TEST_PASSWORD)).status_code == 429
        assert (await log_in(colleague, "ana.pop", TEST_PASSWORD)).status_code == 303


async def test_a_successful_login_resets_the_username_counter(client: httpx.AsyncClient,
                                                              services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await fail(client, "ana.pop", 4)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 303
    await client.post("/logout", data={"csrf_token": "irrelevant"})
    client.cookies.clear()
    await fail(client, "ana.pop", 4)
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 303
