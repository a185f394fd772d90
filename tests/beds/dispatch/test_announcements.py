"""Announcements through the API, on both databases: a coordinator announces, the hospital's operators see and
acknowledge it, it arrives or is cancelled with a reason; every step audited and moved one way only. Another
hospital's operator neither sees nor touches it; personal numbers are refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, audit_count
from tests.beds.dispatch.helpers import announce, listed, patient, step, type_id
from tests.web import BrowserFactory


async def test_an_announcement_goes_from_announced_to_acknowledged_to_arrived(
        services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    surgery = await type_id(services, "surgery")
    made = await announce(people, "coord", patient(world.hospital_a, surgery))
    assert made.status_code == 201, made.text
    announcement = made.json()
    assert (announcement["state"], announcement["hospital_name"], announcement["hold"]) == ("announced",
                                                                                            "Spitalul A", None)
    assert announcement["category"] == "trauma"
    assert announcement["flags"] == ["ventilated"]
    assert await audit_count(services, "dispatch.announced") == 1

    seen = (await listed(people, "op.a", "?state=open")).json()["announcements"]
    assert [found["id"] for found in seen] == [announcement["id"]]
    acknowledged = await step(people, "op.a", announcement["id"], "acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert (acknowledged.json()["state"], acknowledged.json()["version"]) == ("acknowledged", 2)
    again = await step(people, "op.a", announcement["id"], "acknowledge")
    assert again.json()["version"] == 2  # a second acknowledgement changes nothing
    arrived = await step(people, "coord", announcement["id"], "arrived")
    assert arrived.json()["state"] == "arrived"
    late = await step(people, "coord", announcement["id"], "cancel", {"reason": "changed route"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "announcement_closed"
    assert [await audit_count(services, f"dispatch.{action}") for action in ("acknowledged", "arrived",
                                                                             "cancelled")] == [1, 1, 0]
    await people.close()


async def test_another_hospitals_operator_and_another_authority_see_nothing(
        services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    made = await announce(people, "coord", patient(world.hospital_a, await type_id(services, "surgery")))
    announcement_id = made.json()["id"]
    assert (await listed(people, "op.b")).json()["announcements"] == []
    refused = await listed(people, "op.b", f"?hospital_id={world.hospital_a}")
    assert refused.status_code == 403
    for username in ("op.b", "outsider"):
        assert (await step(people, username, announcement_id, "arrived")).status_code == 404, username
    assert (await step(people, "op.b", announcement_id, "acknowledge")).status_code == 404
    assert (await listed(people, "outsider")).json()["announcements"] == []
    assert (await step(people, "outsider", announcement_id, "cancel", {"reason": "x"})).status_code == 404
    # Coordinators announce, operators acknowledge: not the other way round, and auditors do neither.
    assert (await step(people, "coord", announcement_id, "acknowledge")).status_code == 403
    assert (await announce(people, "op.a", patient(world.hospital_a, 1))).status_code == 403
    assert (await listed(people, "auditor")).status_code == 403
    assert (await listed(people, "coord2")).json()["announcements"][0]["id"] == announcement_id  # same authority
    await people.close()


@pytest.mark.parametrize(("field", "text", "kind"), [
    ("note", "pacient 12.345.678-5, cădere", "RUN"),
    ("note", "CNP 1800101221144 ventilat", "CNP"),
    ("note", "pnr 19811218-9876", "personnummer"),
    ("category", "19811218-9876", "personnummer"),
])
async def test_a_personal_number_is_refused_naming_the_field(
        services: AppServices, new_client: BrowserFactory, field: str, text: str, kind: str) -> None:
    world, people = await alert_world(services, new_client)
    refused = await announce(people, "coord", patient(world.hospital_a, await type_id(services, "surgery"),
                                                      **{field: text}))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["details"]["field"] == field, error
    assert kind in error["message"], error
    assert await audit_count(services, "dispatch.announced") == 0
    # Figures that are not personal numbers pass: an ETA, a time, a count, a date.
    fine = await announce(people, "coord", patient(world.hospital_a, await type_id(services, "surgery"),
                                                   note="ETA 10:42, 2 units, since 2026-12-07"))
    assert fine.status_code == 201, fine.text
    await people.close()


async def test_a_cancellation_needs_a_reason_without_personal_numbers(
        services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    made = await announce(people, "coord", patient(world.hospital_a, await type_id(services, "surgery")))
    announcement_id = made.json()["id"]
    assert (await step(people, "coord", announcement_id, "cancel", {"reason": ""})).status_code == 422
    named = await step(people, "coord", announcement_id, "cancel", {"reason": "patient 1800101221144 refused"})
    assert named.status_code == 422
    assert named.json()["error"]["details"]["field"] == "reason"
    cancelled = await step(people, "coord2", announcement_id, "cancel", {"reason": "taken to another hospital"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["state"], cancelled.json()["cancel_reason"]) == ("cancelled", "taken to another hospital")
    assert await audit_count(services, "dispatch.cancelled") == 1
    await people.close()


async def test_bad_bodies_are_refused_naming_the_field(services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    surgery = await type_id(services, "surgery")
    cases: list[tuple[dict[str, Any], str]] = [
             ({"eta_minutes": 0}, "eta_minutes"), ({"eta_minutes": 601}, "eta_minutes"),
             ({"urgency": "soon"}, "urgency"), ({"age_band": "30"}, "age_band"), ({"flags": ["tired"]}, "flags"),
             ({"flags": ["cpr", "cpr"]}, "flags"), ({"category": "unknown"}, "category"),
             ({"note": "x" * 281}, "note"), ({"name": "Ion Popescu"}, "name"),
             ({"section_type_id": 0}, "section_type_id")]
    for change, field in cases:
        refused = await announce(people, "coord", patient(world.hospital_a, surgery, **change))
        assert refused.status_code == 422, (change, refused.text)
        assert refused.json()["error"]["details"]["field"] == field, (change, refused.json())
    unknown = await announce(people, "coord", patient(999999, surgery))
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["field"] == "hospital_id"
    assert await audit_count(services, "dispatch.announced") == 0
    categories = (await people["coord"][0].get("/api/v1/announcements/categories")).json()["categories"]
    assert [found["code"] for found in categories][:3] == ["trauma", "stroke", "stemi"]
    assert (await listed(people, "coord", "?state=later")).status_code == 422
    await people.close()
