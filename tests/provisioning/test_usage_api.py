"""The health record's usage feed: POST /api/v1/licenses/usage with a licence-usage token, on both databases;
and the officer's page that makes and revokes those tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from accounts import tokens
from accounts.models import ApiToken, Organisation
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.licenses.models import ACTIVE, License
from app.provisioning.licenses.usage_tokens import LICENSES_USAGE
from tests.beds.test_api_setup import bearer, change, free_beds_path, make_token, make_world
from tests.beds.test_openapi import schema_errors
from tests.provisioning.licence_world import actor_of, make_licence_world
from tests.web import csrf_from, log_in

USAGE = "/api/v1/licenses/usage"
OURS, OTHERS, NOBODY = "12345678-5", "10000013-K", "11111111-1"
ACTIVATED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
USED = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # before the clock fixture's now (2026-03-14)


@dataclass(frozen=True)
class Feed:
    token: str
    ours: int
    others: int


async def add_licence(services: AppServices, organisation_id: int, run: str, **fields: Any) -> int:
    async with services.unit_of_work() as uow:
        licence = License(organisation_id=organisation_id, run=run, full_name="Alba Plaza Santelices",
                          gender="female", state=ACTIVE, created_at=ACTIVATED, activated_at=ACTIVATED, version=1,
                          **fields)
        uow.session.add(licence)
        await uow.session.flush()
        return licence.id


async def make_usage_token(services: AppServices, name: str = "Rayen usage") -> str:
    async with services.unit_of_work() as uow:
        created = await tokens.create_token(uow, actor=await actor_of(services, "officer"), scope=LICENSES_USAGE,
                                            name=name, organisation_id=None)
    return created.raw


async def make_feed(services: AppServices) -> Feed:
    """Our service's licence (warned of its coming deactivation) and another service's, with a token of ours."""
    world = await make_licence_world(services)
    async with services.unit_of_work() as uow:
        other_service = Organisation(code="SSMOC", name="Servicio Occidente", kind="health_service")
        uow.session.add(other_service)
        await uow.session.flush()
        other_commune = Organisation(code="MAIPU", name="commune MAIPU", kind="commune", parent_id=other_service.id)
        uow.session.add(other_commune)
        await uow.session.flush()
        other_id = other_commune.id
    ours = await add_licence(services, world.establishment_a, OURS, warned_at=ACTIVATED)
    others = await add_licence(services, other_id, OTHERS)
    return Feed(await make_usage_token(services), ours, others)


async def licence(services: AppServices, licence_id: int) -> License:
    async with services.session_factory() as session:
        return await session.get_one(License, licence_id)


async def usage_events(services: AppServices) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "licenses.usage_recorded")))


def use(run: str, when: str = "2026-03-10T12:00:00Z") -> dict[str, str]:
    return {"run": run, "last_used_at": when}


async def test_a_batch_updates_our_licence_and_lists_unknown_runs(client: httpx.AsyncClient,
                                                                  services: AppServices) -> None:
    feed = await make_feed(services)
    batch = {"uses": [use("12.345.678-5"), use("10000013-k"), use(NOBODY), use(OURS, "2026-03-01T09:00:00-03:00")]}
    response = await client.post(USAGE, json=batch, headers=bearer(feed.token))
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 1, "unchanged": 0, "unknown_runs": [OTHERS, NOBODY]}
    assert not schema_errors("UsageResult", response.json())
    ours = await licence(services, feed.ours)
    assert (ours.last_used_at, ours.warned_at) == (USED, None)  # the latest use counts; a new idle month starts
    assert (await licence(services, feed.others)).last_used_at is None  # another service's licence is untouched
    [event] = await usage_events(services)
    assert event.actor == "token:Rayen usage"
    assert event.source == "api"
    assert event.after == {"reported": 3, "updated": 1, "unchanged": 0, "unknown_runs": [OTHERS, NOBODY]}

    again = await client.post(USAGE, json={"uses": [use(OURS)]}, headers=bearer(feed.token))
    assert again.json() == {"updated": 0, "unchanged": 1, "unknown_runs": []}


async def test_a_batch_with_bad_items_is_refused_whole(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    batch = {"uses": [use(OURS), use("12345678-9"), {"run": OURS}, use(OURS, "2026-03-10 12:00"), "x",
                      {**use(OURS), "extra": 1}]}
    response = await client.post(USAGE, json=batch, headers=bearer(feed.token))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "5 of the 6 uses are not valid; nothing was recorded."
    assert [(item["index"], item["field"]) for item in error["details"]["errors"]] == [
        (1, "run"), (2, "last_used_at"), (3, "last_used_at"), (4, "item"), (5, "extra")]
    assert error["details"]["error_count"] == 5
    assert not schema_errors("UsageRefusal", response.json())
    assert (await licence(services, feed.ours)).last_used_at is None
    assert await usage_events(services) == []


async def test_the_batch_shape_and_size_are_checked(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    for body, field in (({"uses": []}, "uses"), ({"uses": {}}, "uses"), ({"uses": [use(OURS)], "more": 1}, "more"),
                        ({"uses": [use(OURS)] * 5001}, "uses")):
        response = await client.post(USAGE, json=body, headers=bearer(feed.token))
        assert response.status_code == 422, body
        assert response.json()["error"]["details"]["field"] == field
    spanish = await client.post(USAGE, json={"uses": [use("12345678-9")]},
                                headers={**bearer(feed.token), "Accept-Language": "es"})
    assert spanish.json()["error"]["message"] == "1 de los 1 usos no son válidos; no se registró nada."
    assert await usage_events(services) == []


async def test_each_token_works_only_in_its_own_part_of_the_api(client: httpx.AsyncClient,
                                                                services: AppServices) -> None:
    feed = await make_feed(services)
    world = await make_world(services)
    beds_token = await make_token(services, world.hospital_a, "HIS A")
    refused = await client.put(free_beds_path(world.a_icu), json=change(1), headers=bearer(feed.token))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "wrong_token_scope"
    assert (await client.get("/api/v1/sections", headers=bearer(feed.token))).status_code == 403
    wrong = await client.post(USAGE, json={"uses": [use(OURS)]}, headers=bearer(beds_token))
    assert wrong.status_code == 403
    assert (await client.get("/api/v1/sections", headers=bearer(beds_token))).status_code == 200
    async with services.session_factory() as session:
        refusals = list(await session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "accounts.authorization_refused")))
    assert {"method": "POST", "needs": "token_scope:beds"} in refusals
    assert (await licence(services, feed.ours)).last_used_at is None


async def test_without_a_token_it_is_401(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    assert (await client.post(USAGE, json={"uses": [use(OURS)]})).status_code == 401
    revoked = await client.post(USAGE, json={"uses": [use(OURS)]}, headers=bearer(feed.token + "x"))
    assert revoked.status_code == 401
    await log_in(client, "officer")
    csrf = await csrf_from(client, "/account")
    by_session = await client.post(USAGE, json={"uses": [use(OURS)]}, headers={"X-CSRF-Token": csrf})
    assert by_session.status_code == 401
    assert by_session.headers["www-authenticate"].startswith("Bearer")
    assert (await licence(services, feed.ours)).last_used_at is None


async def test_the_officer_makes_and_revokes_a_token(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    await log_in(client, "officer")
    csrf = await csrf_from(client, "/licenses/usage")
    created = await client.post("/licenses/usage/tokens", data={"name": "Feed 2", "csrf_token": csrf})
    assert created.status_code == 200
    async with services.session_factory() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.name == "Feed 2"))
    assert row is not None
    assert (row.scope, row.hospital_id) == ("licenses.usage", None)
    assert row.prefix in created.text
    taken = await client.post("/licenses/usage/tokens", data={"name": "feed 2", "csrf_token": csrf})
    assert taken.status_code == 422
    page = await client.get("/licenses/usage")
    assert "Feed 2" in page.text
    assert "Rayen usage" in page.text
    revoked = await client.post(f"/licenses/usage/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    # A token of our own page never shows on the bed board's admin page, and a revoked one stops working.
    first = await client.post(f"/licenses/usage/tokens/{(await token_id(services, 'Rayen usage'))}/revoke",
                              data={"csrf_token": csrf})
    assert first.status_code == 303
    assert (await client.post(USAGE, json={"uses": [use(OURS)]}, headers=bearer(feed.token))).status_code == 401


async def token_id(services: AppServices, name: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(ApiToken.id).where(ApiToken.name == name))
    assert found is not None
    return found


async def test_a_referent_may_not_manage_usage_tokens(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    await log_in(client, "ref_a")
    assert (await client.get("/licenses/usage")).status_code == 403
    csrf = await csrf_from(client, "/account")
    own = await token_id(services, "Rayen usage")
    assert (await client.post(f"/licenses/usage/tokens/{own}/revoke", data={"csrf_token": csrf})).status_code == 403
    assert (await client.post(USAGE, json={"uses": [use(OURS)]}, headers=bearer(feed.token))).status_code == 200
