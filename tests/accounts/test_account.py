from __future__ import annotations

import httpx
from sqlalchemy import select

from accounts.models import AuthSession, User
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.factories import TEST_PASSWORD, make_user
from tests.web import BrowserFactory, log_in, post_form

NEW_PASSWORD = "a new passphrase for the night shift"


async def last_event(services: AppServices) -> AuditEvent:
    async with services.session_factory() as session:
        event = await session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()))
        assert event is not None
        return event


async def test_profile_change_is_saved_and_audited(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop", display_name="Ana Pop")
    await log_in(client, "ana.pop")
    response = await post_form(client, "/account/profile", {"display_name": "Ana  Maria Pop", "language": "ro"})
    assert response.status_code == 303
    page = await client.get("/account")
    assert "Ana Maria Pop" in page.text
    assert 'lang="ro"' in page.text
    assert "Contul dumneavoastră" in page.text
    event = await last_event(services)
    assert event.action == "accounts.profile_changed"
    assert event.before == {"display_name": "Ana Pop", "language": None}
    assert event.after == {"display_name": "Ana Maria Pop", "language": "ro"}


async def test_profile_rejects_an_empty_name(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    response = await post_form(client, "/account/profile", {"display_name": "   ", "language": "en"})
    assert response.status_code == 422
    assert "The name must have between 1 and 200 characters." in response.text


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient,
                                                          services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    response = await post_form(client, "/account/password", {
        "current_password": "not my password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "The current password is not right." in response.text
    mismatch = await post_form(client, "/account/password", {
        "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"})
    assert "The two new passwords differ." in mismatch.text


async def test_password_change_ends_other_sessions_and_is_audited(
    client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory
) -> None:
    await make_user(services, "ana.pop")
    async with new_client() as other_browser:
        await log_in(other_browser, "ana.pop")
        await log_in(client, "ana.pop")
        response = await post_form(client, "/account/password", {
            "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert response.status_code == 303
        assert (await client.get("/account")).status_code == 200
        assert (await other_browser.get("/account")).status_code == 303
    event = await last_event(services)
    assert event.action == "accounts.password_changed"
    assert event.after == {"other_sessions_ended": 1}
    assert "password" not in str(event.before)
    assert NEW_PASSWORD not in str(event.after)
    client.cookies.clear()
    assert (await log_in(client, "ana.pop", TEST_PASSWORD)).status_code == 401
    assert (await log_in(client, "ana.pop", NEW_PASSWORD)).status_code == 303


async def test_a_user_who_must_change_the_password_can_do_nothing_else(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_user(services, "ana.pop", must_change=True)
    login = await log_in(client, "ana.pop")
    assert login.headers["location"] == "/account/password"
    for path in ("/", "/account"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/account/password"
    blocked = await post_form(client, "/account/profile", {"display_name": "X", "language": "en"},
                              token_page="/account/password")
    assert blocked.headers["location"] == "/account/password"
    page = await client.get("/account/password")
    assert "Choose a new password before you continue." in page.text
    assert 'href="/account"' not in page.text  # no navigation offered
    await post_form(client, "/account/password", {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD}, token_page="/account/password")
    assert (await client.get("/account")).status_code == 200
    async with services.session_factory() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert not user.must_change_password
        assert user.password_changed_at is not None
        assert await session.scalar(select(AuthSession.ended_at)) is None


async def test_api_callers_who_must_change_the_password_get_json(client: httpx.AsyncClient,
                                                                 services: AppServices) -> None:
    await make_user(services, "ana.pop", must_change=True)
    await log_in(client, "ana.pop")
    response = await client.get("/api/v1/section-types")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"


async def test_an_anonymous_api_call_says_how_to_authenticate(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sections")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="bedboard"'


async def test_a_password_older_than_six_months_brings_a_reminder(client: httpx.AsyncClient, services: AppServices,
                                                                  clock: ManualClock) -> None:
    await make_user(services, "ana.pop")
    await log_in(client, "ana.pop")
    assert "more than 6 months old" not in (await client.get("/account")).text
    clock.advance(days=181)
    await log_in(client, "ana.pop")
    assert "Your password is more than 6 months old." in (await client.get("/account")).text
