"""'Nearest free bed' (issue 22): hospitals ranked by distance from an incident, closed ones under the policy.

Four hospitals at known points around Piața Unirii (the incident): N 0.7 km, M 2.9 km, F 5.1 km and O 31 km away
(beyond the default 15 km radius). Through the API on both databases, and the pure ranking for what it decides alone.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from app.beds.models import Hospital
from app.beds.nearest import Candidate, NearestPolicy, Point, distance_km, rank
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import session_login
from tests.factories import make_user

UNIRII = Point(44.4268, 26.1025)
PLACES = {"N": (44.4330, 26.1030), "M": (44.4527, 26.1010), "F": (44.3824, 26.1157), "O": (44.7000, 26.1800)}


async def make_places(services: AppServices, free: dict[str, int] | None = None) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, (latitude, longitude) in PLACES.items():
        hospital_id = await make_hospital(services, f"H-{name}", f"Spitalul {name}")
        async with services.unit_of_work() as uow:
            await uow.session.execute(update(Hospital).where(Hospital.organisation_id == hospital_id)
                                      .values(latitude=latitude, longitude=longitude))
        await make_section(services, hospital_id, f"ATI {name}", section_type="icu",
                           free_beds=(free or {}).get(name, 3), updated_at=services.clock.now())
        ids[name] = hospital_id
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "op.n", role="operator", organisation="H-N")
    return ids


async def close(services: AppServices, *hospital_ids: int) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Hospital).where(Hospital.organisation_id.in_(hospital_ids)).values(
            admission_status="closed", admission_until=services.clock.now() + timedelta(hours=4), admission_version=2))


async def ranking(client: httpx.AsyncClient, **params: str) -> dict[str, object]:
    answer = await client.get("/api/v1/nearest", params={"lat": UNIRII.latitude, "lon": UNIRII.longitude,
                                                         "section_type": "icu", **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def names(body: dict[str, object]) -> list[str]:
    hospitals = body["hospitals"]
    assert isinstance(hospitals, list)
    return [str(item["name"]).removeprefix("Spitalul ") for item in hospitals]


async def test_hospitals_are_ranked_by_distance_as_the_crow_flies(client: httpx.AsyncClient,
                                                                   services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "coord")
    body = await ranking(client)
    assert names(body) == ["N", "M", "F", "O"]
    assert body["distance"] == "as_the_crow_flies"
    hospitals = body["hospitals"]
    assert isinstance(hospitals, list)
    assert [item["distance_km"] for item in hospitals] == pytest.approx([0.69, 2.88, 5.05, 30.99], abs=0.02)
    assert [item["within_radius"] for item in hospitals] == [True, True, True, False]
    assert hospitals[0]["free_beds"] == 3
    assert hospitals[0]["available"] == 3
    assert hospitals[0]["held"] == 0
    assert hospitals[0]["announced"] == 0


async def test_a_closed_hospital_follows_the_open_ones_when_one_is_open_nearby(client: httpx.AsyncClient,
                                                                             services: AppServices) -> None:
    ids = await make_places(services)
    await close(services, ids["N"])
    await session_login(client, "coord")
    body = await ranking(client)
    assert names(body) == ["M", "F", "O", "N"]
    hospitals = body["hospitals"]
    assert isinstance(hospitals, list)
    assert hospitals[-1]["closed"] is True
    assert hospitals[-1]["taken_although_closed"] is False


async def test_bavarias_rule_sends_to_the_nearest_even_if_closed(client: httpx.AsyncClient,
                                                                 services: AppServices) -> None:
    ids = await make_places(services)
    await close(services, ids["N"], ids["M"], ids["F"])
    await session_login(client, "coord")
    body = await ranking(client)
    assert body["policy"] == {"radius_km": 15.0, "when_none_open": "nearest-even-if-closed"}
    # The closed ones within the radius lead, nearest first; the open one beyond it comes next.
    assert names(body) == ["N", "M", "F", "O"]
    hospitals = body["hospitals"]
    assert isinstance(hospitals, list)
    assert [item["taken_although_closed"] for item in hospitals] == [True, True, True, False]
    assert body["closed_left_out"] == 0


async def test_the_open_only_policy_leaves_closed_hospitals_out(client: httpx.AsyncClient,
                                                                services: AppServices) -> None:
    ids = await make_places(services)
    await close(services, ids["N"], ids["M"], ids["F"])
    services.settings = services.settings.with_changes(nearest_when_none_open="open-only", nearest_radius_km=10.0)
    await session_login(client, "coord")
    body = await ranking(client)
    assert names(body) == ["O"]
    assert body["closed_left_out"] == 3
    assert body["policy"] == {"radius_km": 10.0, "when_none_open": "open-only"}


async def test_a_hospital_with_no_bed_comes_after_those_with_one(client: httpx.AsyncClient,
                                                                 services: AppServices) -> None:
    await make_places(services, free={"N": 0})
    await session_login(client, "coord")
    assert names(await ranking(client)) == ["M", "F", "O", "N"]


async def test_refusals_name_the_field(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "coord")
    answer = await client.get("/api/v1/nearest", params={"lat": "91", "lon": "26.1", "section_type": "icu"})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == "lat"
    answer = await client.get("/api/v1/nearest", params={"lat": "44.4", "lon": "26.1"})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == "section_type"
    answer = await client.get("/api/v1/nearest", params={"lat": "44.4", "lon": "26.1", "section_type": "nope"})
    assert answer.status_code == 422
    assert "nope" in answer.json()["error"]["message"]


async def test_an_operator_may_not_rank_hospitals(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "op.n")
    answer = await client.get("/api/v1/nearest", params={"lat": "44.4", "lon": "26.1", "section_type": "icu"})
    assert answer.status_code == 403


async def test_a_hospital_without_a_location_is_listed_apart(client: httpx.AsyncClient,
                                                             services: AppServices) -> None:
    await make_places(services)
    nowhere = await make_hospital(services, "H-X", "Spitalul X")
    await make_section(services, nowhere, "ATI X", section_type="icu", free_beds=9)
    await session_login(client, "coord")
    body = await ranking(client)
    assert "X" not in names(body)
    assert body["unplaced"] == [{"hospital_id": nowhere, "name": "Spitalul X", "free_beds": 9}]


# --- the pure ranking -------------------------------------------------------------------------------------------


def candidate(name: str, *, free: int = 2, closed: bool = False, held: int = 0) -> Candidate:
    latitude, longitude = PLACES[name]
    return Candidate(ord(name), name, Point(latitude, longitude), free, closed=closed, held=held)


def test_the_haversine_distance_of_a_known_pair() -> None:
    # Piața Unirii to Henri Coandă airport: about 16 km on a map (0.1444° of latitude, 0.0175° of longitude).
    assert distance_km(UNIRII, Point(44.5711, 26.0850)) == pytest.approx(16.1, abs=0.2)
    assert distance_km(UNIRII, UNIRII) == 0


def test_held_beds_are_not_available() -> None:
    ranked = rank([candidate("N", free=1, held=1), candidate("M")], UNIRII, NearestPolicy())
    assert [item.candidate.name for item in ranked.ranked] == ["M", "N"]
    assert ranked.ranked[1].tier == 4


@pytest.mark.parametrize(("rule", "expected", "left_out"), [
    ("nearest-even-if-closed", ["N", "M", "O"], 0),
    ("open-only", ["O"], 2),
])
def test_when_none_is_open_within_the_radius(rule: str, expected: list[str], left_out: int) -> None:
    policy = NearestPolicy(15.0, "open-only" if rule == "open-only" else "nearest-even-if-closed")
    ranked = rank([candidate("O"), candidate("M", closed=True), candidate("N", closed=True)], UNIRII, policy)
    assert [item.candidate.name for item in ranked.ranked] == expected
    assert ranked.closed_left_out == left_out
