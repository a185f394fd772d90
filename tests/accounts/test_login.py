from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from accounts import service
from accounts.models import AuthSession, User
from accounts.service import AccountsContext
from app.kit import audit
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.factories import TEST_PASSWORD, make_user
from tests.web import BrowserFactory, csrf_from, log_in


async def actions(services: AppServices) -> list[str]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


async def test_login_shows_name_and_organisation_then_logout(client: httpx.AsyncClient,
                                                             services: AppServices) -> None:
    await make_user(services, "ana.pop", display_name="Ana Pop")
    response = await log_in(client, "ana.pop")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "bedboard_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    home = await client.get("/", follow_redirects=True)  # a coordinator starts on the board
    assert home.status_code == 200
    assert "Ana Pop" in home.text
    assert "Organisation SAMB" in home.text
    logout = await client.post("/logout", data={"csrf_token": await csrf_from(client, "/account")})
    assert logout.status_code == 303
    assert logout.headers["location"] == "/login?logged_out=1"
    assert (await client.get("/")).headers["location"].startswith("/login")
    assert (await actions(services))[-2:] == ["accounts.login", "accounts.logout"]


async def test_a_session_ended_by_logout_cannot_be_reused(client: httpx.AsyncClient, services: AppServices,
                                                          new_client: BrowserFactory) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    stolen = client.cookies["bedboard_session"]
    await client.post("/logout", data={"csrf_token": await csrf_from(client, "/account")})
    async with new_client() as attacker:
        attacker.cookies.set("bedboard_session", stolen)
        replay = await attacker.get("/account")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/login")
    async with services.session_factory() as session:
        row = await session.scalar(select(AuthSession))
        assert row is not None
        assert row.end_reason == "logout"
        assert row.token_hash != stolen


async def test_wrong_password_and_unknown_user_get_the_same_generic_message(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_user(services, "ana.pop")
    wrong_password = await log_in(client, "ana.pop", "not the right password")
    unknown_user = await log_in(client, "nobody.here", "not the right password")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert "Wrong username or password." in response.text
        assert "bedboard_session" not in response.headers.get("set-cookie", "")
    assert await actions(services) == ["accounts.user_created", "accounts.login_failed", "accounts.login_failed"]


async def test_a_deactivated_user_cannot_log_in(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop", active=False)
    response = await log_in(client, "ana.pop")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text


async def test_login_is_case_insensitive_and_sets_last_login(client: httpx.AsyncClient,
                                                              services: AppServices) -> None:
    await make_user(services, "ana.pop")
    assert (await log_in(client, "Ana.POP")).status_code == 303
    async with services.session_factory() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert user.last_login_at is not None


async def test_login_redirects_only_to_local_paths(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    token = await csrf_from(client)
    response = await client.post("/login", data={"username": "ana.pop", "password": "correct horse battery staple",
                                                 "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


async def test_pages_need_a_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


async def test_the_password_check_holds_no_transaction(services: AppServices) -> None:
    """While a login's (slow) password check runs, another writer gets the database at once: on SQLite a
    held transaction would make it wait for the write lock."""
    await make_user(services, "ana.pop")
    checking, release = asyncio.Event(), asyncio.Event()
    real_verify = services.get(AccountsContext).hasher.verify

    async def slow_verify(password_hash: str | None, password: str) -> bool:
        checking.set()
        await release.wait()
        return await real_verify(password_hash, password)

    services.get(AccountsContext).hasher.verify = slow_verify  # type: ignore[method-assign]
    login = asyncio.create_task(service.login(services.unit_of_work, context=services.get(AccountsContext),
                                              username="ana.pop", password=TEST_PASSWORD, client_address="10.0.0.1"))
    await asyncio.wait_for(checking.wait(), 5)
    async with asyncio.timeout(2):
        async with services.unit_of_work() as uow:
            await audit.record(uow.session, actor=Actor.system(), action="test.write_during_login")
    release.set()
    assert (await login).token is not None
