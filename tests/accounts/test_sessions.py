from __future__ import annotations

import httpx
from sqlalchemy import select

from accounts.models import AuthSession
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.factories import make_user
from tests.web import log_in


def sent_to_login(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


async def end_reason(services: AppServices) -> str | None:
    async with services.session_factory() as session:
        row = await session.scalar(select(AuthSession))
        return None if row is None else row.end_reason


async def test_a_session_ends_after_thirty_idle_minutes(client: httpx.AsyncClient, services: AppServices,
                                                        clock: ManualClock) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    clock.advance(minutes=29, seconds=59)
    assert (await client.get("/account")).status_code == 200
    clock.advance(minutes=30)
    assert sent_to_login(await client.get("/account"))
    assert await end_reason(services) == "idle_timeout"


async def test_activity_keeps_a_session_alive_until_twelve_hours(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    for _quarter in range(47):
        clock.advance(minutes=15)
        assert (await client.get("/account")).status_code == 200
    clock.advance(minutes=15)  # 12 hours after login
    assert sent_to_login(await client.get("/account"))
    assert await end_reason(services) == "absolute_timeout"


async def test_each_login_gets_a_new_token(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    client.cookies.set("bedboard_session", "planted-by-an-attacker", domain="testserver.local")
    await log_in(client, "ana.pop")
    first = client.cookies["bedboard_session"]
    client.cookies.clear()
    await log_in(client, "ana.pop")
    assert client.cookies["bedboard_session"] not in {first, "planted-by-an-attacker"}
    assert len(first) >= 40  # 256 random bits, url-safe


async def test_deactivation_ends_the_session_at_once(client: httpx.AsyncClient, services: AppServices) -> None:
    user = await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    async with services.unit_of_work() as uow:
        row = await uow.session.get_one(type(user), user.id)
        row.is_active = False
    assert sent_to_login(await client.get("/account"))
    assert await end_reason(services) == "deactivated"
