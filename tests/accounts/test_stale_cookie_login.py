"""Logging in while the browser still holds the cookie of an ended session: the new session's cookie wins."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx

from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.factories import TEST_PASSWORD, make_user
from tests.web import csrf_from, log_in, post_form


async def _end_session_elsewhere(client: httpx.AsyncClient, services: AppServices) -> str:
    """Log in and out in "another tab", then put the ended session's cookie back, as a second tab's later
    logout that ended the session on the server but whose response the first tab's cookie jar never saw."""
    name = services.settings.session_cookie_name
    assert (await log_in(client, "ana.pop")).status_code == 303
    ended = client.cookies[name]
    assert (await post_form(client, "/logout", {})).status_code == 303
    client.cookies.set(name, ended, domain="testserver.local")
    return ended


async def _submit_login(client: httpx.AsyncClient, services: AppServices, token: str) -> httpx.Response:
    """Post the login form, then keep the session cookie a browser keeps.

    A browser applies Set-Cookie headers in order, so a "clear" after the new cookie leaves it logged out;
    httpx's cookie jar applies every deletion of a response first and would hide that. So the session cookie
    is set here from the last header that names it.
    """
    response = await client.post("/login", data={"username": "ana.pop", "password": TEST_PASSWORD,
                                                 "csrf_token": token})
    name = services.settings.session_cookie_name
    cookies = [SimpleCookie(header) for header in response.headers.get_list("set-cookie")]
    last = [cookie[name] for cookie in cookies if name in cookie][-1]
    client.cookies.delete(name)
    if last.value.strip('"') and last["max-age"] != "0":
        client.cookies.set(name, last.value, domain="testserver.local")
    return response


async def test_logging_in_over_an_ended_session_cookie_keeps_the_new_session(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_user(services, "ana.pop")
    login_form = await csrf_from(client, "/login")  # the login page was open before the other tab's session
    ended = await _end_session_elsewhere(client, services)
    assert (await _submit_login(client, services, login_form)).status_code == 303
    assert client.cookies.get(services.settings.session_cookie_name) not in {None, "", ended}
    account = await client.get("/account")
    assert account.status_code == 200
    assert "Ana.Pop" in account.text


async def test_logging_in_over_an_idle_expired_session_cookie_keeps_the_new_session(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "ana.pop")
    login_form = await csrf_from(client, "/login")
    assert (await log_in(client, "ana.pop")).status_code == 303
    clock.advance(hours=1)  # past the idle limit: the browser still sends the session's cookie
    assert (await _submit_login(client, services, login_form)).status_code == 303
    assert (await client.get("/account")).status_code == 200


async def test_a_stale_cookie_alone_is_still_forgotten(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await _end_session_elsewhere(client, services)
    page = await client.get("/login")
    assert page.status_code == 200
    assert services.settings.session_cookie_name not in client.cookies
