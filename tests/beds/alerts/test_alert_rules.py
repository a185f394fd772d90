"""Alert rules through the API: the ICU rule's edge and hysteresis, an authority's rule and its shared
acknowledgement, the refusals (roles, another authority, bad input), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select, update

from accounts.models import User
from app.kit.state import AppServices
from app.notifications.outbox import OutboxMessage
from tests.beds.alerts.helpers import (
    add_rule,
    alert_world,
    audit_count,
    icu_type_id,
    open_alerts,
    set_free_beds,
)
from tests.web import BrowserFactory


async def test_icu_below_2_fires_once_per_edge_with_hysteresis(client: httpx.AsyncClient, services: AppServices,
                                                              new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    icu = await icu_type_id(services)
    created = await add_rule(people, "coord", kind="below", section_type_id=icu, threshold=2)
    assert created.status_code == 201, created.text
    assert created.json()["armed"] is True  # 2 free ICU beds now: not below 2
    assert await open_alerts(people, "coord") == []

    await set_free_beds(people, "op.a", world.a_icu, 1)  # the last-but-one ICU bed goes
    [alert] = await open_alerts(people, "coord")
    assert alert["kind"] == "below"
    assert (alert["details"]["free_beds"], alert["details"]["threshold"]) == (1, 2)
    assert alert["details"]["section_type_name_en"]

    for free in (0, 1, 2, 1):  # stays below, or back at 2 (< 2 + hysteresis 1): nothing more
        await set_free_beds(people, "op.a", world.a_icu, free)
    assert len(await open_alerts(people, "coord")) == 1
    assert await audit_count(services, "alerts.fired") == 1

    await set_free_beds(people, "op.a", world.a_icu, 3)  # recovered above the hysteresis: re-armed
    await set_free_beds(people, "op.a", world.a_icu, 1)  # and drops again
    assert len(await open_alerts(people, "coord")) == 2
    assert await audit_count(services, "alerts.fired") == 2
    # Only the rule's owner is told of a coordinator's own rule.
    assert await open_alerts(people, "coord2") == []
    await people.close()


async def test_an_authority_rule_is_shared_and_one_acknowledgement_serves_all(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    created = await add_rule(people, "admin", kind="negative", hospital_ids=[world.hospital_a])
    assert created.status_code == 201, created.text
    assert created.json()["scope"] == "authority"
    await set_free_beds(people, "op.b", world.b_surgery, -1)  # another hospital: not this rule's
    await set_free_beds(people, "op.a", world.a_surgery, -2)
    [seen_by_coord] = await open_alerts(people, "coord")
    [seen_by_coord2] = await open_alerts(people, "coord2")
    assert seen_by_coord == seen_by_coord2
    assert seen_by_coord["details"]["section_id"] == world.a_surgery
    assert seen_by_coord["details"]["free_beds"] == -2
    # Another authority's coordinator is told nothing of it, and cannot acknowledge it.
    assert await open_alerts(people, "outsider") == []
    outsider, outsider_headers = people["outsider"]
    refused = await outsider.post(f"/api/v1/alerts/{seen_by_coord['id']}/acknowledge", headers=outsider_headers)
    assert refused.status_code == 404

    coord, headers = people["coord"]
    acknowledged = await coord.post(f"/api/v1/alerts/{seen_by_coord['id']}/acknowledge", headers=headers)
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["acknowledged_by"]
    assert await open_alerts(people, "coord2") == []
    assert await open_alerts(people, "admin") == []
    assert await audit_count(services, "alerts.acknowledged") == 1
    # Still negative: no new alert; back to 0 and negative again: a new one.
    await set_free_beds(people, "op.a", world.a_surgery, -3)
    assert await open_alerts(people, "coord") == []
    await set_free_beds(people, "op.a", world.a_surgery, 0)
    await set_free_beds(people, "op.a", world.a_surgery, -1)
    assert len(await open_alerts(people, "coord2")) == 1
    await people.close()


async def test_who_may_keep_rules_and_what_a_rule_must_say(client: httpx.AsyncClient, services: AppServices,
                                                           new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    before = await audit_count(services, "alerts.rule_created")
    for username in ("op.a", "auditor"):
        refused = await add_rule(people, username, kind="negative")
        assert refused.status_code == 403, (username, refused.text)
    icu = await icu_type_id(services)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"kind": "below", "threshold": 2}, "section_type_id", "Choose the section type"),
        ({"kind": "below", "section_type_id": icu, "threshold": 0}, "threshold", "from 1 to"),
        ({"kind": "below", "section_type_id": icu}, "threshold", "from 1 to"),
        ({"kind": "sometimes"}, "kind", "below, admission, negative, overdue"),
        ({"kind": "negative", "colour": "red"}, "colour", "Unknown field colour"),
        ({"kind": "negative", "hospital_ids": [999999]}, "hospital_ids", "no hospital 999999"),
        ({"kind": "below", "section_type_id": icu, "threshold": 2, "hysteresis": -1}, "hysteresis", "from 0 to"),
    ]
    for body, field, words in cases:
        refused = await add_rule(people, "coord", **body)
        assert refused.status_code == 422, (body, refused.text)
        error = refused.json()["error"]
        assert error["details"]["field"] == field, (body, error)
        assert words in error["message"], (body, error)
    assert await audit_count(services, "alerts.rule_created") == before

    mine = (await add_rule(people, "coord", kind="overdue", hospital_ids=[world.hospital_b])).json()
    authority = (await add_rule(people, "admin", kind="negative")).json()
    coord, headers = people["coord"]
    listed = (await coord.get("/api/v1/alerts/rules")).json()["rules"]
    assert {rule["id"] for rule in listed} == {mine["id"], authority["id"]}
    # The authority's rule is its administrators' to delete; another's rule is not there for the outsider.
    assert (await coord.delete(f"/api/v1/alerts/rules/{authority['id']}", headers=headers)).status_code == 403
    outsider, outsider_headers = people["outsider"]
    assert (await outsider.delete(f"/api/v1/alerts/rules/{mine['id']}", headers=outsider_headers)).status_code == 404
    assert (await coord.delete(f"/api/v1/alerts/rules/{mine['id']}", headers=headers)).status_code == 204
    assert [rule["id"] for rule in (await coord.get("/api/v1/alerts/rules")).json()["rules"]] == [authority["id"]]
    assert await audit_count(services, "alerts.rule_deleted") == 1
    await people.close()


async def test_a_rule_with_email_sends_each_alert_through_the_outbox_in_the_readers_language(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(User).where(User.username == "coord")
                                  .values(email="coord@example.org", language="ro"))
    assert (await add_rule(people, "coord", kind="negative", email=True)).status_code == 201
    assert (await add_rule(people, "coord2", kind="negative")).status_code == 201  # no e-mail asked
    await set_free_beds(people, "op.a", world.a_surgery, -1)
    async with services.session_factory() as session:
        messages = list(await session.scalars(select(OutboxMessage)))
    assert [(message.recipient, message.subject) for message in messages] == [
        ("coord@example.org", "bedboard: Chirurgie A (Spitalul A): -1 libere (mai mulți pacienți decât paturi)")]
    await people.close()
