"""Admission status (issue 21): a hospital or a section limited or closed to ambulances, with a reason and an expiry.

Through the API as a hospital system or an operator's browser would call it, on both backends; the expiry with the
clock moved (never slept) and the job run as the servers run it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from accounts.models import Organisation, User
from app.beds import admission_jobs
from app.beds.board_filter import BoardFilter
from app.beds.live_feed import BedFeed
from app.beds.models import AdmissionPeriod, Hospital
from app.beds.running import bed_services
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications.models import Notification
from realtime.hub import Change
from tests.beds.test_api_setup import World, audit_events, bearer, make_token, make_world, session_login
from tests.factories import make_user
from tests.web import BrowserFactory


def hospital_path(hospital_id: int) -> str:
    return f"/api/v1/hospitals/{hospital_id}/admission"


def section_path(section_id: int) -> str:
    return f"/api/v1/sections/{section_id}/admission"


def closing(version: int = 1, **extra: Any) -> dict[str, Any]:
    return {"status": "closed", "reason_code": "icu_full", "expected_version": version, **extra}


async def hospital_row(services: AppServices, hospital_id: int) -> Hospital:
    async with services.session_factory() as session:
        return await session.get_one(Hospital, hospital_id)


async def periods(services: AppServices) -> list[AdmissionPeriod]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AdmissionPeriod).order_by(AdmissionPeriod.id)))


async def run_expiry_job(services: AppServices) -> str:
    assert admission_jobs.JOB.run is not None
    return await admission_jobs.JOB.run(services.job_context())


async def test_an_operator_closes_its_hospital_every_section_shows_it_and_it_reopens_by_itself(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.a")
    response = await client.put(hospital_path(world.hospital_a), headers=headers,
                                json=closing(reason="  only   walking wounded "))
    assert response.status_code == 200, response.text
    state = response.json()["admission"]
    assert (state["status"], state["reason_code"], state["reason"], state["set_by"], state["version"]) == (
        "closed", "icu_full", "only walking wounded", "op.a", 2)
    assert state["until"] == (clock.now() + timedelta(hours=4)).isoformat()  # the default expiry

    sections = (await client.get("/api/v1/sections")).json()["sections"]
    assert {section["admission_status"] for section in sections} == {"closed"}
    assert all(section["hospital_admission"]["reason_code"] == "icu_full" for section in sections)
    hospitals = (await client.get("/api/v1/hospitals")).json()["hospitals"]
    assert hospitals[0]["admission"]["status"] == "closed"
    [event] = await audit_events(services, "beds.hospital_admission_set")
    assert (event.actor, event.object_type, event.object_id) == ("op.a", "hospital", str(world.hospital_a))
    assert event.before == {"status": "open", "reason_code": None, "reason": None, "until": None, "version": 1}
    assert event.after is not None
    assert event.after["status"] == "closed"

    clock.advance(hours=3, minutes=50)
    assert (await run_expiry_job(services)).startswith("0 admission")  # not yet: ten minutes left
    assert (await hospital_row(services, world.hospital_a)).admission_status == "closed"
    clock.advance(minutes=10)
    assert (await run_expiry_job(services)).startswith("1 admission")
    row = await hospital_row(services, world.hospital_a)
    assert (row.admission_status, row.admission_reason_code, row.admission_until, row.admission_version) == (
        "open", None, None, 3)
    [expired] = await audit_events(services, "beds.hospital_admission_expired")
    assert expired.actor == "<system>"
    assert expired.before is not None
    assert expired.before["status"] == "closed"
    [period] = await periods(services)
    assert (period.status, period.reason_code, period.ended_how) == ("closed", "icu_full", "expired")
    assert period.ended_at is not None
    assert period.ended_at - period.started_at == timedelta(hours=4)


async def test_the_operators_are_reminded_a_quarter_of_an_hour_before_expiry(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock, new_client: BrowserFactory) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.a")
    until = clock.now() + timedelta(hours=1)
    response = await client.put(section_path(world.a_icu), headers=headers,
                                json={"status": "limited", "reason_code": "ct_down", "until": until.isoformat(),
                                      "expected_version": 1})
    assert response.status_code == 200, response.text
    # H-B's operator limits a section of theirs until the same time: both come due in one run of the job.
    async with new_client() as colleague:
        other = await colleague.put(section_path(world.b_surgery), headers=await session_login(colleague, "op.b"),
                                    json={"status": "limited", "reason_code": "ct_down", "until": until.isoformat(),
                                          "expected_version": 1})
    assert other.status_code == 200, other.text
    clock.advance(minutes=44)
    await run_expiry_job(services)
    clock.advance(minutes=2)
    await run_expiry_job(services)
    await run_expiry_job(services)  # told once, not at every run
    async with services.session_factory() as session:
        rows = await session.execute(select(User.username, Notification.params, Notification.link)
                                     .join(User, User.id == Notification.user_id).order_by(User.username))
        notices = [(username, params["what"], link) for username, params, link in rows]
    # Each hospital's operators hear of their own section only.
    assert notices == [("op.a", "ATI A", "/operator"), ("op.b", "Chirurgie B", "/operator")]


async def test_refusals_say_what_is_wrong_and_change_nothing(client: httpx.AsyncClient, services: AppServices,
                                                             clock: ManualClock) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.a")
    path = hospital_path(world.hospital_a)
    cases = [
        ({"status": "closed", "expected_version": 1}, "reason_code"),
        (closing(reason_code="no-such-reason"), "reason_code"),
        (closing(reason_code="other"), "reason"),
        (closing(until=(clock.now() + timedelta(hours=24, minutes=1)).isoformat()), "until"),
        (closing(until=(clock.now() - timedelta(minutes=5)).isoformat()), "until"),
        (closing(until="2026-12-07T18:00:00"), "until"),
        (closing(until="tomorrow"), "until"),
        ({"status": "shut", "expected_version": 1}, "status"),
        (closing(colour="red"), "colour"),
    ]
    for body, field in cases:
        response = await client.put(path, headers=headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"]["field"] == field, body
    refused_24 = await client.put(path, headers=headers, json=cases[3][0])
    assert "24 hours" in refused_24.json()["error"]["message"]
    assert (await hospital_row(services, world.hospital_a)).admission_version == 1
    assert await audit_events(services, "beds.hospital_admission_set") == []


async def test_another_hospitals_operator_and_a_coordinator_are_refused(client: httpx.AsyncClient,
                                                                        services: AppServices) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.b")
    response = await client.put(hospital_path(world.hospital_a), headers=headers, json=closing())
    assert response.status_code == 403
    response = await client.put(section_path(world.a_icu), headers=headers, json=closing())
    assert response.status_code == 403
    await client.post("/logout", headers=headers)
    coordinator = await session_login(client, "coord")
    assert (await client.put(hospital_path(world.hospital_a), headers=coordinator, json=closing())).status_code == 403
    assert (await client.get(hospital_path(world.hospital_a))).json()["admission"]["status"] == "open"
    assert (await hospital_row(services, world.hospital_a)).admission_version == 1


async def test_the_hospitals_authority_administrator_may_and_another_authoritys_may_not(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    await make_user(services, "admin.ms", role="admin", organisation="MS")
    async with services.unit_of_work() as uow:
        samb = await uow.session.scalar(select(Organisation.id).where(Organisation.code == "SAMB"))
        await uow.session.execute(update(Organisation).where(Organisation.id == world.hospital_a)
                                  .values(parent_id=samb))
    headers = await session_login(client, "admin.ms")
    assert (await client.put(hospital_path(world.hospital_a), headers=headers, json=closing())).status_code == 403
    await client.post("/logout", headers=headers)
    headers = await session_login(client, "admin")
    response = await client.put(hospital_path(world.hospital_a), headers=headers, json=closing())
    assert response.status_code == 200, response.text
    assert response.json()["admission"]["set_by"] == "admin"


async def test_two_writers_naming_one_version_one_wins_and_a_repeated_key_writes_once(
        new_client: BrowserFactory, services: AppServices) -> None:
    world = await make_world(services)
    raws = [await make_token(services, world.hospital_a, f"HIS A {number}") for number in range(2)]

    async def write(number: int, status: str) -> httpx.Response:
        async with new_client(f"10.0.0.{number + 1}") as http:
            return await http.put(section_path(world.a_surgery), headers=bearer(raws[number]),
                                  json=closing(status=status))

    first, second = await asyncio.gather(write(0, "closed"), write(1, "limited"))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert loser.json()["error"]["details"]["current"] == winner.json()
    assert len(await audit_events(services, "beds.section_admission_set")) == 1

    async with new_client("10.0.0.9") as http:
        headers = {**bearer(raws[0]), "Idempotency-Key": "reopen-1"}
        body = {"status": "open", "expected_version": 2}
        once = await http.put(section_path(world.a_surgery), headers=headers, json=body)
        again = await http.put(section_path(world.a_surgery), headers=headers, json=body)
        assert once.status_code == again.status_code == 200
        assert again.headers["idempotency-replayed"] == "true"
        assert again.json() == once.json()
    assert len(await audit_events(services, "beds.section_admission_set")) == 2
    [period] = await periods(services)
    assert period.ended_how == "reopened"


async def test_the_board_feed_carries_a_closure_in_snapshots_live_changes_and_resumes(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    """A hospital's closure is one audited write that changes every one of its rows: each goes to the hub under
    the write's seq, the next snapshot shows it, and a board that resumes from before it gets each row once."""
    world = await make_world(services)
    feed = BedFeed(services.session_factory, clock)
    seq_before, _items, _text = await feed.snapshot(BoardFilter())
    published: list[Change] = []
    services.hub.publish = published.append  # type: ignore[method-assign,assignment]  # what the hub is handed, in order
    live = bed_services(services).live
    await live.start()  # on PostgreSQL, the listener that hears the commit's NOTIFY (the app fixture runs no lifespan)
    try:
        await _close_and_check(client, services, feed, world, published, seq_before)
    finally:
        await live.stop()


async def _close_and_check(client: httpx.AsyncClient, services: AppServices, feed: BedFeed, world: World,
                           published: list[Change], seq_before: int) -> None:
    headers = await session_login(client, "op.a")
    response = await client.put(hospital_path(world.hospital_a), headers=headers, json=closing())
    assert response.status_code == 200, response.text

    [event] = await audit_events(services, "beds.hospital_admission_set")
    for _ in range(100):  # on PostgreSQL the changes come back through LISTEN, a moment after the commit
        if len(published) >= 2:
            break
        await asyncio.sleep(0.05)
    assert sorted(change.item_id for change in published) == sorted([world.a_surgery, world.a_icu])
    assert {change.seq for change in published} == {event.seq}
    assert all(change.item["admission_status"] == "closed" for change in published)
    _seq, items, _text = await feed.snapshot(BoardFilter())
    by_id = {item["id"]: item for item in items}
    assert by_id[world.a_icu]["hospital_admission"]["status"] == "closed"
    assert by_id[world.b_surgery]["admission_status"] == "open"

    resumed = await feed.backfill(seq_before, BoardFilter())
    assert resumed is not None
    frames = [json.loads(frame) for frame in resumed.frames]
    assert sorted(frame["section"]["id"] for frame in frames) == sorted([world.a_surgery, world.a_icu])
    assert all(frame["type"] == "change" and frame["seq"] == event.seq for frame in frames)
    assert all(frame["section"]["hospital_admission"]["reason_code"] == "icu_full" for frame in frames)
