"""The API-token page: authority admins create tokens (shown once, kept hashed), see their use, revoke them."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from sqlalchemy import select

from accounts.models import ApiToken
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_api_setup import audit_events, bearer, make_world, token_row
from tests.web import csrf_from, log_in


async def admin_client(client: httpx.AsyncClient) -> str:
    await log_in(client, "admin")
    return await csrf_from(client, "/admin/api-tokens")


async def create(client: httpx.AsyncClient, csrf: str, name: str, hospital_id: int | str) -> httpx.Response:
    return await client.post("/admin/api-tokens", data={"csrf_token": csrf, "name": name,
                                                         "hospital_id": str(hospital_id)})


def raw_token_in(page: str) -> str:
    found = re.search(r'value="(bb_[A-Za-z0-9_-]{43})"', page)
    assert found, "the new token is not on the page"
    return found.group(1)


async def test_an_admin_creates_a_token_that_is_shown_once_and_kept_hashed(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    world = await make_world(services)
    csrf = await admin_client(client)
    response = await create(client, csrf, "  HIS   Spitalul A ", world.hospital_a)
    assert response.status_code == 200
    assert "cannot be shown again" in response.text
    raw = raw_token_in(response.text)
    row = await token_row(services, "HIS Spitalul A")
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (row.prefix, row.hospital_id, row.created_by) == (raw[:10], world.hospital_a, "admin")
    listing = await client.get("/admin/api-tokens")
    assert "HIS Spitalul A" in listing.text
    assert raw[:10] in listing.text
    assert raw not in listing.text
    [event] = await audit_events(services, "beds.api_token_created")
    assert event.after == {"name": "HIS Spitalul A", "hospital_id": world.hospital_a, "prefix": raw[:10],
                           "owner": "SAMB"}
    assert raw not in str(event.after)
    assert row.token_hash not in str(event.after)
    # And it works, for its hospital.
    assert (await client.get(f"/api/v1/sections/{world.a_icu}", headers=bearer(raw))).status_code == 200


async def test_the_list_shows_last_use_and_revocation(client: httpx.AsyncClient, services: AppServices,
                                                      clock: ManualClock) -> None:
    world = await make_world(services)
    csrf = await admin_client(client)
    raw = raw_token_in((await create(client, csrf, "HIS A", world.hospital_a)).text)
    assert "never" in (await client.get("/admin/api-tokens")).text
    await client.get("/api/v1/sections", headers=bearer(raw))
    page = await client.get("/admin/api-tokens")
    assert "never" not in page.text
    assert "Mar 14, 2026, 05:12" in page.text  # 03:12 UTC is 05:12 in Bucharest


async def test_revoking_asks_first_then_refuses_the_token(client: httpx.AsyncClient,
                                                          services: AppServices) -> None:
    world = await make_world(services)
    csrf = await admin_client(client)
    raw = raw_token_in((await create(client, csrf, "HIS A", world.hospital_a)).text)
    token_id = (await token_row(services, "HIS A")).id
    confirm = await client.get(f"/admin/api-tokens/{token_id}/revoke")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.text
    assert (await token_row(services, "HIS A")).revoked_at is None  # looking at the question revokes nothing
    revoked = await client.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert "is revoked" in (await client.get(revoked.headers["location"])).text
    assert (await client.get("/api/v1/sections", headers=bearer(raw))).status_code == 401
    again = await client.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert again.status_code == 303
    [event] = await audit_events(services, "beds.api_token_revoked")
    assert event.after is not None
    assert (event.object_id, event.after["name"]) == (str(token_id), "HIS A")


@pytest.mark.parametrize(("name", "hospital", "message"), [
    ("", "hospital_a", "A token name has between 1 and 100 characters."),
    ("x" * 101, "hospital_a", "A token name has between 1 and 100 characters."),
    ("HIS B", "", "Choose one of the listed hospitals."),
    ("HIS B", "999999", "Choose one of the listed hospitals."),
    ("his a", "hospital_b", "There is already a token named his a; choose another name."),
])
async def test_invalid_tokens_are_refused_with_a_message(client: httpx.AsyncClient, services: AppServices,
                                                         name: str, hospital: str, message: str) -> None:
    world = await make_world(services)
    csrf = await admin_client(client)
    assert (await create(client, csrf, "HIS A", world.hospital_a)).status_code == 200
    hospital_id = getattr(world, hospital, hospital)
    response = await create(client, csrf, name, hospital_id)
    assert response.status_code == 422
    assert message in response.text
    async with services.session_factory() as session:
        assert len(list(await session.scalars(select(ApiToken)))) == 1


@pytest.mark.parametrize("username", ["coord", "op.a", "auditor"])
async def test_only_admins_may_manage_tokens(client: httpx.AsyncClient, services: AppServices,
                                             username: str) -> None:
    world = await make_world(services)
    await log_in(client, username)
    assert (await client.get("/admin/api-tokens")).status_code == 403
    csrf = await csrf_from(client, "/account")
    assert (await create(client, csrf, "Mine", world.hospital_a)).status_code == 403
    async with services.session_factory() as session:
        assert list(await session.scalars(select(ApiToken))) == []
        refusals = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "accounts.authorization_refused")))
    assert len(refusals) == 2


async def test_forms_need_the_csrf_token(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    await admin_client(client)
    response = await client.post("/admin/api-tokens", data={"name": "HIS A", "hospital_id": world.hospital_a})
    assert response.status_code == 403


async def test_a_missing_token_page_is_404(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await admin_client(client)
    for token_id in ("999", "abc", "99999999999999999999"):
        assert (await client.get(f"/admin/api-tokens/{token_id}/revoke")).status_code == 404


async def test_the_page_speaks_romanian(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    csrf = await admin_client(client)
    page = await client.post("/admin/api-tokens", headers={"Accept-Language": "ro"},
                             data={"csrf_token": csrf, "name": "HIS A", "hospital_id": str(world.hospital_a)})
    assert "nu mai poate fi afișată" in page.text
