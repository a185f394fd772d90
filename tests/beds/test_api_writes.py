"""Writing through the API: who may, what is audited, conflicts, idempotency, tokens."""

from __future__ import annotations

import httpx
import pytest

from accounts import tokens
from app.beds.tokens import BEDS
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_api_setup import (
    CLIENT_ADDRESS,
    actor_of,
    audit_count,
    audit_events,
    bearer,
    change,
    free_beds_path,
    make_token,
    make_world,
    retire_hospital,
    section_row,
    session_login,
    token_row,
)
from tests.web import BrowserFactory


async def test_a_token_writes_its_hospitals_section(client: httpx.AsyncClient, services: AppServices,
                                                    clock: ManualClock) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    response = await client.put(free_beds_path(world.a_surgery), json=change(3), headers=bearer(raw))
    assert response.status_code == 200, response.text
    assert "idempotency-replayed" not in response.headers
    body = response.json()
    assert (body["id"], body["free_beds"], body["version"], body["updated_by"]) == (world.a_surgery, 3, 2,
                                                                                    "token:HIS A")
    assert body["updated_at"] == clock.now().isoformat()
    [event] = await audit_events(services, "beds.free_beds_set")
    assert (event.actor, event.actor_id, event.organisation, event.source, event.client_address) == (
        "token:HIS A", None, "H-A", "api", CLIENT_ADDRESS)
    assert (event.object_id, event.before, event.after) == (
        str(world.a_surgery), {"free_beds": 5, "version": 1},
        {"free_beds": 3, "version": 2, "hospital_id": world.hospital_a})


async def test_a_session_writes_with_the_csrf_header(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.a")
    response = await client.put(free_beds_path(world.a_icu), json=change(-1, reason="  two in the corridor "),
                                headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["free_beds"] == -1
    [event] = await audit_events(services, "beds.free_beds_set")
    # A person in a browser session is "web", whichever address the page called; a token is "api".
    assert (event.actor, event.source, event.client_address) == ("op.a", "web", CLIENT_ADDRESS)
    assert event.after == {"free_beds": -1, "version": 2, "hospital_id": world.hospital_a,
                           "reason": "two in the corridor"}


async def test_a_session_write_without_the_csrf_header_is_refused(client: httpx.AsyncClient,
                                                                  services: AppServices) -> None:
    world = await make_world(services)
    await session_login(client, "op.a")
    before = await audit_count(services)
    response = await client.put(free_beds_path(world.a_icu), json=change(1))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert (await section_row(services, world.a_icu)).version == 1
    assert await audit_count(services) == before


@pytest.mark.parametrize("who", ["session", "token"])
async def test_writing_another_hospitals_section_is_refused_and_audited(
    client: httpx.AsyncClient, services: AppServices, who: str
) -> None:
    world = await make_world(services)
    if who == "token":
        headers = bearer(await make_token(services, world.hospital_a, "HIS A"))
    else:
        headers = await session_login(client, "op.a")
    response = await client.put(free_beds_path(world.b_surgery), json=change(0), headers=headers)
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("forbidden", "You may change only the sections of your own hospital.")
    row = await section_row(services, world.b_surgery)
    assert (row.free_beds, row.version, row.updated_by) == (7, 1, None)
    assert await audit_events(services, "beds.free_beds_set") == []
    [refusal] = await audit_events(services, "accounts.authorization_refused")
    assert refusal.actor == ("token:HIS A" if who == "token" else "op.a")
    assert refusal.source == ("api" if who == "token" else "web")
    assert refusal.after == {"method": "PUT", "needs": "forbidden", "section_id": world.b_surgery}


async def test_a_coordinator_may_read_but_not_write(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = await session_login(client, "coord")
    assert (await client.get(f"/api/v1/sections/{world.a_icu}")).status_code == 200
    response = await client.put(free_beds_path(world.a_icu), json=change(1), headers=headers)
    assert response.status_code == 403
    assert (await section_row(services, world.a_icu)).version == 1
    [refusal] = await audit_events(services, "accounts.authorization_refused")
    assert (refusal.actor, refusal.after) == ("coord", {"method": "PUT", "needs": "beds.write_own_hospital"})


async def test_a_stale_version_gets_409_with_the_current_state(client: httpx.AsyncClient,
                                                               services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    first = await client.put(free_beds_path(world.a_icu), json=change(4), headers=bearer(raw))
    assert first.status_code == 200
    stale = await client.put(free_beds_path(world.a_icu), json=change(9, expected_version=1), headers=bearer(raw))
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["details"]["current"] == first.json()
    assert error["message"].startswith("Changed by token:HIS A at ")
    assert (await section_row(services, world.a_icu)).free_beds == 4
    assert len(await audit_events(services, "beds.free_beds_set")) == 1


async def test_missing_and_retired_sections_are_404(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    for section_id in (world.a_retired, 999_999):
        response = await client.put(free_beds_path(section_id), json=change(1), headers=bearer(raw))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "section_not_found"
    assert await audit_events(services, "beds.free_beds_set") == []


async def test_the_same_idempotency_key_writes_once(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    headers = {**bearer(raw), "Idempotency-Key": "his-a-2026-03-14-0001"}
    first = await client.put(free_beds_path(world.a_icu), json=change(6), headers=headers)
    again = await client.put(free_beds_path(world.a_icu), json=change(6), headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again.headers["idempotency-replayed"] == "true"
    assert (await section_row(services, world.a_icu)).version == 2
    assert len(await audit_events(services, "beds.free_beds_set")) == 1
    # The same key for a different change is a client bug: refused, nothing written.
    reused = await client.put(free_beds_path(world.a_icu), json=change(7, expected_version=2), headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert (await section_row(services, world.a_icu)).free_beds == 6


async def test_idempotency_keys_belong_to_their_sender(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    first = bearer(await make_token(services, world.hospital_a, "HIS A"))
    second = bearer(await make_token(services, world.hospital_a, "Script A"))
    key = {"Idempotency-Key": "1"}
    assert (await client.put(free_beds_path(world.a_icu), json=change(6), headers={**first, **key})).is_success
    other = await client.put(free_beds_path(world.a_icu), json=change(6), headers={**second, **key})
    assert other.status_code == 409  # a write of its own, not the first sender's stored answer
    assert "idempotency-replayed" not in other.headers


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_a_bad_idempotency_key_is_422(client: httpx.AsyncClient, services: AppServices, key: str) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    response = await client.put(free_beds_path(world.a_icu), json=change(1),
                                headers={**bearer(raw), "Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "Idempotency-Key"}


async def test_a_revoked_token_gets_401(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    await client.get("/api/v1/sections", headers=bearer(raw))
    async with services.unit_of_work() as uow:
        await tokens.revoke_token(uow, actor=await actor_of(services, "admin"), scope=BEDS,
                                  token_id=(await token_row(services, "HIS A")).id)
    response = await client.put(free_beds_path(world.a_icu), json=change(1), headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "invalid_token", "details": {},
        "message": "This API token has been revoked. Ask an administrator for a new one.",
        "request_id": response.headers["x-request-id"]}
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert (await section_row(services, world.a_icu)).version == 1


async def test_a_token_of_a_retired_hospital_gets_401(client: httpx.AsyncClient, services: AppServices,
                                                      clock: ManualClock) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    await retire_hospital(services, world.hospital_a, clock.now())
    response = await client.get("/api/v1/sections", headers=bearer(raw))
    assert response.status_code == 401
    assert "retired" in response.json()["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic b3AuYTpzZWNyZXQ=", "Bearer a b", "bb_abc",
                                    "Bearer bb_not-a-real-token"])
async def test_a_bad_authorization_header_gets_401(client: httpx.AsyncClient, services: AppServices,
                                                   header: str) -> None:
    world = await make_world(services)
    response = await client.put(free_beds_path(world.a_icu), json=change(1), headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    assert (await section_row(services, world.a_icu)).version == 1


async def test_a_bearer_request_ignores_the_session_cookie(client: httpx.AsyncClient,
                                                           services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    await session_login(client, "coord")  # the coordinator could read hospital B: the token may not
    response = await client.get(f"/api/v1/sections/{world.b_surgery}", headers=bearer(raw))
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


async def test_a_bearer_token_does_not_open_the_web_pages(client: httpx.AsyncClient,
                                                          services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    response = await client.get("/account", headers=bearer(raw))
    assert response.status_code == 303  # to the login page: tokens are for /api/ only


async def test_last_use_is_noted_at_most_once_a_minute(client: httpx.AsyncClient, services: AppServices,
                                                       clock: ManualClock) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    assert (await token_row(services, "HIS A")).last_used_at is None
    first_use = clock.now()
    await client.get("/api/v1/sections", headers=bearer(raw))
    clock.advance(seconds=30)
    await client.get("/api/v1/sections", headers=bearer(raw))
    assert (await token_row(services, "HIS A")).last_used_at == first_use
    clock.advance(seconds=31)
    await client.get("/api/v1/sections", headers=bearer(raw))
    assert (await token_row(services, "HIS A")).last_used_at == clock.now()


async def test_each_client_address_is_audited(new_client: BrowserFactory, services: AppServices) -> None:
    world = await make_world(services)
    async with new_client("192.0.2.44") as browser:
        headers = await session_login(browser, "op.a")
        assert (await browser.put(free_beds_path(world.a_icu), json=change(3), headers=headers)).is_success
    [event] = await audit_events(services, "beds.free_beds_set")
    assert event.client_address == "192.0.2.44"
