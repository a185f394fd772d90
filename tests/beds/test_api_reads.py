"""Reading the API: who sees which sections, the filters, hospitals and section types."""

from __future__ import annotations

from datetime import UTC, timedelta

import httpx
import pytest

from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import (
    World,
    audit_events,
    bearer,
    make_token,
    make_world,
    retire_hospital,
    session_login,
)


def ids_of(response: httpx.Response) -> set[int]:
    assert response.status_code == 200, response.text
    return {section["id"] for section in response.json()["sections"]}


async def test_a_coordinator_reads_every_section_in_service(client: httpx.AsyncClient, services: AppServices,
                                                            clock: ManualClock) -> None:
    world = await make_world(services)
    await session_login(client, "coord")
    response = await client.get("/api/v1/sections")
    assert ids_of(response) == {world.a_surgery, world.a_icu, world.b_surgery}  # not the retired one
    body = response.json()
    assert body["server_time"] == clock.now().isoformat()
    first = next(section for section in body["sections"] if section["id"] == world.a_icu)
    assert first["hospital_name"] == "Spitalul A"
    assert first["hospital_type"] == "emergency"
    assert first["section_type"] == "icu"
    assert (first["free_beds"], first["total_beds"], first["version"]) == (2, 10, 1)
    assert first["occupancy_pct"] == 80.0


async def test_sections_of_a_retired_hospital_are_not_listed(client: httpx.AsyncClient, services: AppServices,
                                                             clock: ManualClock) -> None:
    world = await make_world(services)
    await retire_hospital(services, world.hospital_b, clock.now())
    await session_login(client, "auditor")
    assert ids_of(await client.get("/api/v1/sections")) == {world.a_surgery, world.a_icu}
    assert (await client.get(f"/api/v1/sections/{world.b_surgery}")).status_code == 404


async def test_an_operator_reads_only_its_own_hospital(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    await session_login(client, "op.a")
    assert ids_of(await client.get("/api/v1/sections")) == {world.a_surgery, world.a_icu}
    # Asking for the other hospital by filter yields nothing rather than its sections.
    assert ids_of(await client.get("/api/v1/sections", params={"hospital": world.hospital_b})) == set()


async def test_a_token_reads_only_its_own_hospital(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_b, "HIS B")
    assert ids_of(await client.get("/api/v1/sections", headers=bearer(raw))) == {world.b_surgery}
    hospitals = (await client.get("/api/v1/hospitals", headers=bearer(raw))).json()["hospitals"]
    assert [hospital["id"] for hospital in hospitals] == [world.hospital_b]


@pytest.mark.parametrize("path", ["/api/v1/sections", "/api/v1/sections/1", "/api/v1/hospitals",
                                  "/api/v1/section-types"])
async def test_anonymous_readers_get_401_json(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["message"] == "Please log in."
    assert error["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("who", ["session", "token"])
async def test_reading_another_hospitals_section_is_refused_and_audited(
    client: httpx.AsyncClient, services: AppServices, who: str
) -> None:
    world = await make_world(services)
    headers = bearer(await make_token(services, world.hospital_a, "HIS A")) if who == "token" else {}
    if who == "session":
        await session_login(client, "op.a")
    response = await client.get(f"/api/v1/sections/{world.b_surgery}", headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You may see only the sections of your own hospital."
    refusals = await audit_events(services, "accounts.authorization_refused")
    assert [(event.actor, event.after) for event in refusals] == [
        ("token:HIS A" if who == "token" else "op.a",
         {"method": "GET", "needs": "forbidden", "section_id": world.b_surgery})]
    assert (await client.get(f"/api/v1/sections/{world.a_icu}", headers=headers)).json()["free_beds"] == 2


async def test_one_section(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    await session_login(client, "coord")
    response = await client.get(f"/api/v1/sections/{world.b_surgery}")
    assert response.status_code == 200
    assert response.json()["name"] == "Chirurgie B"
    for missing in (world.a_retired, 999_999):
        not_found = await client.get(f"/api/v1/sections/{missing}")
        assert not_found.status_code == 404
        assert not_found.json()["error"]["code"] == "section_not_found"
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999999"):
        invalid = await client.get(f"/api/v1/sections/{bad}")
        assert invalid.status_code == 422, bad
        assert invalid.json()["error"]["details"] == {"field": "section_id"}


async def filtered(client: httpx.AsyncClient, **params: str | list[str]) -> set[int]:
    return ids_of(await client.get("/api/v1/sections", params=params))


async def test_filters(client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    world: World = await make_world(services)
    hospital_c = await make_hospital(services, "H-C", "Spitalul C", hospital_type="paediatric")
    earlier = clock.now() - timedelta(hours=5)
    c_icu = await make_section(services, hospital_c, "ATI C", section_type="icu", updated_at=earlier,
                               updated_by="op.c")
    await session_login(client, "coord")
    assert await filtered(client, hospital=str(world.hospital_a)) == {world.a_surgery, world.a_icu}
    assert await filtered(client, hospital=[str(world.hospital_b), str(hospital_c)]) == {world.b_surgery, c_icu}
    assert await filtered(client, hospital=f"{world.hospital_b},{hospital_c}") == {world.b_surgery, c_icu}
    assert await filtered(client, section_type="icu") == {world.a_icu, c_icu}
    icu_id = (await client.get(f"/api/v1/sections/{c_icu}")).json()["section_type_id"]
    assert await filtered(client, section_type=str(icu_id)) == {world.a_icu, c_icu}
    assert await filtered(client, hospital_type="paediatric") == {c_icu}
    assert await filtered(client, hospital_type=["clinical", "paediatric"]) == {world.b_surgery, c_icu}
    assert await filtered(client, section_type="icu", hospital_type="emergency") == {world.a_icu}
    assert await filtered(client, updated_after=(earlier - timedelta(minutes=1)).isoformat()) == {c_icu}
    assert await filtered(client, updated_after=(earlier + timedelta(minutes=1)).isoformat()) == set()
    # Never updated counts as updated before any time: those are the stalest sections.
    everything = {world.a_surgery, world.a_icu, world.b_surgery, c_icu}
    assert await filtered(client, updated_before=earlier.isoformat()) == everything - {c_icu}
    assert await filtered(client, updated_before="2030-01-01T00:00:00Z") == everything


async def test_an_unencoded_plus_in_an_offset_is_understood(client: httpx.AsyncClient, services: AppServices,
                                                            clock: ManualClock) -> None:
    await make_world(services)
    await session_login(client, "coord")
    local = clock.now().astimezone(UTC).replace(tzinfo=None) + timedelta(hours=2)
    response = await client.get(f"/api/v1/sections?updated_after={local.isoformat()}+02:00")
    assert response.status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("hospital=abc", "hospital"),
    ("hospital=0", "hospital"),
    ("hospital=99999999999999", "hospital"),
    ("section_type=ICU!", "section_type"),
    ("section_type=no_such_type", "section_type"),
    ("hospital_type=no_such_type", "hospital_type"),
    ("updated_after=yesterday", "updated_after"),
    ("updated_after=2026-03-14T08:00:00", "updated_after"),
    ("updated_before=0001-01-01T00:00:00%2B01:00", "updated_before"),
    ("hospitals=1", "hospitals"),
    ("include_retired=1", "include_retired"),
    ("hospital=" + ",".join(["1"] * 101), "hospital"),
])
async def test_bad_filters_get_422(client: httpx.AsyncClient, services: AppServices, query: str,
                                   field: str) -> None:
    await make_world(services)
    await session_login(client, "coord")
    response = await client.get(f"/api/v1/sections?{query}")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"]["field"] == field
    assert error["message"]


async def test_hospitals_and_section_types(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    await session_login(client, "coord")
    hospitals = (await client.get("/api/v1/hospitals")).json()["hospitals"]
    facts = ("id", "code", "short_code", "name", "hospital_type", "latitude", "longitude")
    assert [{key: hospital[key] for key in facts} for hospital in hospitals] == [
        {"id": world.hospital_a, "code": "H-A", "short_code": "H-A", "name": "Spitalul A",
         "hospital_type": "emergency", "latitude": None, "longitude": None},
        {"id": world.hospital_b, "code": "H-B", "short_code": "H-B", "name": "Spitalul B",
         "hospital_type": "clinical", "latitude": None, "longitude": None},
    ]
    assert [hospital["admission"]["status"] for hospital in hospitals] == ["open", "open"]
    types = (await client.get("/api/v1/section-types")).json()["section_types"]
    icu = next(entry for entry in types if entry["code"] == "icu")
    assert icu["name_ro"] == "Anestezie și terapie intensivă"


async def test_messages_follow_the_callers_language(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await session_login(client, "coord")
    response = await client.get("/api/v1/sections?hospital_type=nope", headers={"Accept-Language": "ro"})
    assert response.json()["error"]["message"] == "Nu există niciun tip de spital cu codul nope."

