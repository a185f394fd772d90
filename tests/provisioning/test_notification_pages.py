"""The notification list, the header's unread count, marking read (audited) and the open-redirect guard."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.notifications import notify as notifications
from app.notifications.inbox_routes import followable
from app.notifications.models import Notification
from tests.factories import make_user
from tests.web import BrowserFactory, csrf_from, log_in

# Any catalogued message will do: this one has a placeholder and a text in both catalogues.
MESSAGE = "The password must have at least {min} characters."
UNREAD = re.compile(r'data-testid="unread-count">(\d+)<')


async def notify(services: AppServices, username: str, *, link: str | None = "/account", minimum: int = 12) -> int:
    async with services.unit_of_work() as uow:
        user = (await uow.session.scalars(select(User).where(User.username == username))).one()
        await notifications.notify(uow.session, recipients=[user], message=MESSAGE, params={"min": minimum},
                                   link=link)
        return (await uow.session.scalars(select(Notification.id).where(Notification.user_id == user.id)
                                          .order_by(Notification.id.desc()))).first() or 0


async def speaking(services: AppServices, username: str, language: str) -> None:
    async with services.unit_of_work() as uow:
        user = (await uow.session.scalars(select(User).where(User.username == username))).one()
        user.language = language


def unread_in_header(page: httpx.Response) -> int:
    assert 'data-testid="notifications-link"' in page.text
    found = UNREAD.search(page.text)
    return int(found.group(1)) if found else 0


async def read_events(services: AppServices) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "notifications.read")))


async def post(client: httpx.AsyncClient, path: str) -> httpx.Response:
    return await client.post(path, data={"csrf_token": await csrf_from(client, "/notifications")})


async def test_a_notification_is_shown_in_the_readers_language(client: httpx.AsyncClient,
                                                               new_client: BrowserFactory,
                                                               services: AppServices) -> None:
    # A coordinator holds no provisioning role: everyone has their own notifications.
    await make_user(services, "ana.pop", role="coordinator")
    await make_user(services, "ion.ion", role="admin")
    await speaking(services, "ana.pop", "es")
    await speaking(services, "ion.ion", "ro")
    await notify(services, "ana.pop")
    await notify(services, "ion.ion", minimum=14)
    await log_in(client, "ana.pop")

    page = await client.get("/notifications")

    assert page.status_code == 200
    assert "La contraseña debe tener al menos 12 caracteres." in page.text
    assert "Notificaciones" in page.text
    assert 'data-unread="true"' in page.text
    assert unread_in_header(page) == 1
    assert unread_in_header(await client.get("/account")) == 1
    async with new_client() as other:
        await log_in(other, "ion.ion")
        romanian = await other.get("/notifications")
    assert "Parola trebuie să aibă cel puțin 14 caractere." in romanian.text
    assert "Notificări" in romanian.text


async def test_opening_marks_read_once_and_follows_the_link(client: httpx.AsyncClient,
                                                            services: AppServices) -> None:
    user = await make_user(services, "ana.pop")
    opened = await notify(services, "ana.pop", link="/account/password")
    await notify(services, "ana.pop")
    await log_in(client, "ana.pop")
    assert unread_in_header(await client.get("/notifications")) == 2

    response = await post(client, f"/notifications/{opened}/open")

    assert response.status_code == 303
    assert response.headers["location"] == "/account/password"
    assert unread_in_header(await client.get("/notifications")) == 1
    [event] = await read_events(services)
    assert (event.actor_id, event.object_type, event.object_id) == (user.id, "user", str(user.id))
    assert event.after == {"marked": 1, "notification_id": opened}
    # Opening it again follows the link and changes (and audits) nothing.
    assert (await post(client, f"/notifications/{opened}/open")).headers["location"] == "/account/password"
    assert len(await read_events(services)) == 1


async def test_mark_all_read_empties_the_count_with_one_audit_event(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    await make_user(services, "ana.pop")
    for _ in range(3):
        await notify(services, "ana.pop", link=None)
    await log_in(client, "ana.pop")

    response = await post(client, "/notifications/read")

    assert response.status_code == 303
    assert response.headers["location"] == "/notifications"
    page = await client.get("/notifications")
    assert unread_in_header(page) == 0
    assert 'data-unread="true"' not in page.text
    [event] = await read_events(services)
    assert event.after == {"marked": 3, "notification_id": None}
    assert (await post(client, "/notifications/read")).status_code == 303
    assert len(await read_events(services)) == 1  # nothing left to mark: nothing written


async def test_a_user_never_sees_or_marks_another_users_notification(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await make_user(services, "ion.ion")
    await speaking(services, "ana.pop", "es")
    anas = await notify(services, "ana.pop", minimum=13)
    await log_in(client, "ion.ion")

    page = await client.get("/notifications")
    assert "13 caract" not in page.text
    assert "13 charact" not in page.text
    assert 'data-testid="no-notifications"' in page.text
    assert unread_in_header(page) == 0
    assert (await post(client, f"/notifications/{anas}/open")).status_code == 404
    assert (await post(client, "/notifications/read")).status_code == 303

    async with services.session_factory() as session:
        assert await notifications.unread_count(session, (await user_id(session, "ana.pop"))) == 1
    assert await read_events(services) == []


async def user_id(session: AsyncSession, username: str) -> int:
    return (await session.scalars(select(User.id).where(User.username == username))).one()


async def test_only_a_path_on_this_site_is_followed(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    hostile = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example",
               "javascript:alert(1)", "evil.example"]
    ids = [await notify(services, "ana.pop", link=link) for link in hostile]
    await log_in(client, "ana.pop")
    page = await client.get("/notifications")
    assert "evil.example" not in page.text  # not even shown as a link
    for notification_id in ids:
        response = await post(client, f"/notifications/{notification_id}/open")
        assert response.headers["location"] == "/notifications", notification_id
    assert unread_in_header(await client.get("/notifications")) == 0


@pytest.mark.parametrize(("link", "followed"), [
    ("/licenses/requests/7", "/licenses/requests/7"), ("/a?b=c#d", "/a?b=c#d"), (None, None), ("", None),
    ("//evil.example", None), ("/\\evil.example", None), ("http://evil.example/", None), ("/\n/evil", None),
    ("/ok path", None), ("\x7f/", None),
])
def test_followable(link: str | None, followed: str | None) -> None:
    assert followable(link) == followed


async def test_the_page_survives_a_failing_count(client: httpx.AsyncClient, services: AppServices,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    await make_user(services, "ana.pop")
    await notify(services, "ana.pop")
    await log_in(client, "ana.pop")

    async def broken(session: AsyncSession, user_id: int) -> int:
        raise OperationalError("SELECT count(*)", {}, ConnectionRefusedError("database down"))

    monkeypatch.setattr("app.notifications.plugin.unread_count", broken)
    page = await client.get("/account")

    assert page.status_code == 200
    assert 'data-testid="notifications-link"' not in page.text


async def test_no_link_for_visitors_or_before_the_password_is_changed(client: httpx.AsyncClient,
                                                                      services: AppServices) -> None:
    assert 'data-testid="notifications-link"' not in (await client.get("/login")).text
    await make_user(services, "ana.pop", must_change=True)
    await log_in(client, "ana.pop")
    page = await client.get("/account/password")
    assert page.status_code == 200
    assert 'data-testid="notifications-link"' not in page.text
    assert (await client.get("/notifications")).headers["location"] == "/account/password"


async def test_the_header_costs_one_count_per_page(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop")
    await notify(services, "ana.pop")
    await log_in(client, "ana.pop")
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(services.engine.sync_engine, "before_cursor_execute", seen)
    try:
        page = await client.get("/account")
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", seen)
    assert unread_in_header(page) == 1
    [counted] = [statement for statement in statements if "notifications" in statement]
    assert "count(" in counted.lower()
