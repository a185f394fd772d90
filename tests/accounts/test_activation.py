"""Activation links: single use, 24 hours, stored hashed, the user chooses the password; and the reset flow."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from accounts import permissions, sessions
from accounts.models import ActivationToken, AuthSession
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.accounts.admin_helpers import make_world, user_named
from tests.factories import TEST_PASSWORD
from tests.web import BrowserFactory, csrf_from, log_in, post_form

NEW_PASSWORD = "a brand new passphrase of mine"


def link_in(page: httpx.Response) -> str:
    found = re.search(r'"activation-link">http://testserver(/activate/[A-Za-z0-9_-]+)</textarea>', page.text)
    assert found, page.text
    return found.group(1)


async def choose_password(client: httpx.AsyncClient, path: str, password: str = NEW_PASSWORD) -> httpx.Response:
    token = await csrf_from(client, path)
    return await client.post(path, data={"new_password": password, "confirm_password": password,
                                         "csrf_token": token})


async def test_a_new_user_activates_once_and_logs_in(client: httpx.AsyncClient, services: AppServices,
                                                    new_client: BrowserFactory) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    created = await post_form(client, "/admin/users", {"display_name": "Ion Pop", "username": "ion.pop",
                                                       "role": "coordinator", "hospital_id": ""})
    assert created.status_code == 200
    path = link_in(created)
    async with services.unit_of_work() as uow:
        stored = list(await uow.session.scalars(select(ActivationToken.token_hash)))
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 22
    assert token not in stored
    assert sessions.token_digest(token) in stored
    async with new_client() as newcomer:
        assert (await log_in(newcomer, "ion.pop", "")).status_code == 401  # no password before activation
        done = await choose_password(newcomer, path)
        assert done.status_code == 200
        assert "ion.pop" in done.text
        assert (await newcomer.get(path)).status_code == 404  # single use
        assert (await log_in(newcomer, "ion.pop", NEW_PASSWORD)).status_code == 303
    event = (await _events(services))[-2]
    assert event.action == "accounts.password_chosen"
    assert "password" not in str(event.after)


async def test_a_link_expires_after_24_hours(client: httpx.AsyncClient, services: AppServices, clock: ManualClock,
                                             new_client: BrowserFactory) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    created = await post_form(client, "/admin/users", {"display_name": "Ion Pop", "username": "ion.pop",
                                                       "role": "auditor", "hospital_id": ""})
    clock.advance(hours=24, seconds=1)
    async with new_client() as newcomer:
        assert (await newcomer.get(link_in(created))).status_code == 404


async def test_a_weak_password_is_refused_and_the_link_still_works(client: httpx.AsyncClient,
                                                                   services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    created = await post_form(client, "/admin/users", {"display_name": "Ion Pop", "username": "ion.pop",
                                                       "role": "auditor", "hospital_id": ""})
    client.cookies.clear()
    refused = await choose_password(client, link_in(created), "short")
    assert refused.status_code == 422
    assert "password-error" in refused.text
    assert (await choose_password(client, link_in(created))).status_code == 200


async def test_reset_ends_sessions_and_the_old_password_at_once(client: httpx.AsyncClient, services: AppServices,
                                                                new_client: BrowserFactory, clock: ManualClock) -> None:
    await make_world(services)
    target = await user_named(services, "op.h1")
    async with new_client() as operator:
        assert (await log_in(operator, "op.h1")).status_code == 303
        assert (await operator.get("/operator")).status_code == 200
        async with services.unit_of_work() as uow:
            old_sessions = set(await uow.session.scalars(select(AuthSession.id)
                                                         .where(AuthSession.user_id == target.id)))
        await log_in(client, "admin.samb")
        reset = await post_form(client, f"/admin/users/{target.id}/reset-password", {})
        assert reset.status_code == 200
        path = link_in(reset)
        # The operator's page and sockets end: the socket watch finds no valid session any more.
        assert (await operator.get("/operator")).headers.get("location", "").startswith("/login")
        async with services.unit_of_work() as uow:
            still_open = await sessions.still_valid_for(uow.session, session_ids=old_sessions, touch=False,
                                                        action=permissions.BEDS_WRITE_OWN_HOSPITAL, now=clock.now())
        assert old_sessions
        assert not still_open
        assert (await log_in(operator, "op.h1", TEST_PASSWORD)).status_code == 401  # the old password is dead
        assert (await choose_password(operator, path)).status_code == 200
        assert (await log_in(operator, "op.h1", NEW_PASSWORD)).status_code == 303
        assert (await operator.get("/")).headers["location"] == "/operator"
        assert (await operator.get(path)).status_code == 404
    reset_event = next(event for event in await _events(services) if event.action == "accounts.password_reset")
    assert reset_event.after is not None
    assert reset_event.after["sessions_ended"] == 1
    assert not {"password", "password_hash", "token"} & set(reset_event.after)


async def test_a_new_reset_link_replaces_the_older_one(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    target = await user_named(services, "coord.samb")
    await log_in(client, "admin.samb")
    first = link_in(await post_form(client, f"/admin/users/{target.id}/reset-password", {}))
    second = link_in(await post_form(client, f"/admin/users/{target.id}/reset-password", {}))
    assert (await client.get(first)).status_code == 404
    assert (await client.get(second)).status_code == 200


async def _events(services: AppServices) -> list[AuditEvent]:
    async with services.unit_of_work() as uow:
        return list(await uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
