"""Bed holds on both databases: never more live holds than free beds, even under 50 attempts at once; at most N per
coordinator; released on arrival and cancellation, expired with the clock moved (not slept); counted on the board
and in Nearest free bed; the operator's count never changed by a hold."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from app.beds.dispatch import announcements, expiry, queries
from app.beds.dispatch.holds import HoldLimitReached
from app.beds.dispatch.jobs import JOB
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import BedHold
from app.kit.clock import ManualClock
from app.kit.errors import Conflict
from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, audit_count
from tests.beds.dispatch.helpers import announce, patient, step, type_id
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import actor_of, section_row
from tests.factories import make_user
from tests.web import BrowserFactory


async def _live_holds(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(BedHold)
                                        .where(BedHold.released_at.is_(None))) or 0)


async def test_fifty_hold_attempts_on_three_free_beds_give_exactly_three(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-C", "Spitalul C")
    # Three free in two sections of the type, and a negative one that must not eat them.
    for name, free in (("ATI 1", 2), ("ATI 2", 1), ("ATI 3", -2)):
        await make_section(services, hospital, name, section_type="icu", free_beds=free, total_beds=10)
    await make_user(services, "coord", role="coordinator")
    coordinator = await actor_of(services, "coord")
    icu = await type_id(services, "icu")
    limits = DispatchLimits(holds_per_coordinator=100)

    async def attempt() -> str:
        draft = announcements.AnnouncementDraft(hospital_id=hospital, section_type_id=icu, category="stroke",
                                                urgency="immediate", age_band="65+", eta_minutes=20, hold=True)
        try:
            async with services.unit_of_work() as uow:
                await announcements.announce(uow, actor=coordinator, draft=draft, limits=limits)
        except Conflict as refused:
            return refused.code
        return "held"

    outcomes = await asyncio.gather(*(attempt() for _ in range(50)))
    assert outcomes.count("held") == 3, outcomes
    assert set(outcomes) == {"held", "no_bed_to_hold"}
    assert await _live_holds(services) == 3
    assert await audit_count(services, "dispatch.announced") == 3  # a refused hold announces nothing


async def test_holds_show_on_the_board_end_on_arrival_and_cancellation_and_never_change_the_count(
        services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)  # H-A's ICU: 2 free
    icu = await type_id(services, "icu")
    first = (await announce(people, "coord", patient(world.hospital_a, icu, hold=True))).json()
    second = (await announce(people, "coord2", patient(world.hospital_a, icu, hold=True))).json()
    assert first["hold"]["released_at"] is None
    third = await announce(people, "coord", patient(world.hospital_a, icu, hold=True))
    assert third.status_code == 409, third.text
    assert third.json()["error"]["code"] == "no_bed_to_hold"
    assert "2 free, 2 already held" in third.json()["error"]["message"]
    await announce(people, "coord", patient(world.hospital_a, icu))  # announced without a hold
    counts = (await people["coord"][0].get("/board/dispatch-counts")).json()["counts"]
    assert {"hospital_id": world.hospital_a, "section_type_id": icu, "announced": 3, "held": 2} in counts
    assert (await section_row(services, world.a_icu)).free_beds == 2  # the operator's count stays the truth

    nearest = await people["coord"][0].get(f"/api/v1/nearest?lat=44.43&lon=26.10&section_type={icu}")
    if nearest.status_code == 200:  # the map work's ranking, when it knows H-A's place
        ranked = {found["hospital_id"]: found for found in nearest.json().get("hospitals", [])}
        if world.hospital_a in ranked:
            assert ranked[world.hospital_a]["held"] == 2

    arrived = (await step(people, "op.a", first["id"], "arrived")).json()
    assert arrived["hold"]["released_how"] == "arrived"
    cancelled = (await step(people, "coord2", second["id"], "cancel", {"reason": "diverted"})).json()
    assert cancelled["hold"]["released_how"] == "cancelled"
    assert await _live_holds(services) == 0
    assert (await announce(people, "coord", patient(world.hospital_a, icu, hold=True))).status_code == 201
    await people.close()


async def test_a_coordinator_holds_at_most_the_configured_number(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-C", "Spitalul C")
    await make_section(services, hospital, "Chirurgie", section_type="surgery", free_beds=10)
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "coord2", role="coordinator")
    surgery = await type_id(services, "surgery")
    limits = DispatchLimits(holds_per_coordinator=2)

    async def hold(username: str) -> Any:
        draft = announcements.AnnouncementDraft(hospital_id=hospital, section_type_id=surgery, category="trauma",
                                                urgency="urgent", age_band="18-64", hold=True)
        async with services.unit_of_work() as uow:
            return await announcements.announce(uow, actor=await actor_of(services, username), draft=draft,
                                                limits=limits)

    await hold("coord")
    await hold("coord")
    with pytest.raises(HoldLimitReached):
        await hold("coord")
    await hold("coord2")  # another coordinator's own limit
    assert await _live_holds(services) == 3


async def test_a_hold_and_its_announcement_expire_at_eta_plus_the_hold_time(
        services: AppServices, new_client: BrowserFactory, clock: ManualClock) -> None:
    world, people = await alert_world(services, new_client)
    icu = await type_id(services, "icu")
    made = (await announce(people, "coord", patient(world.hospital_a, icu, hold=True, eta_minutes=10))).json()
    limits = DispatchLimits()  # ETA + 30 minutes
    clock.advance(minutes=39)
    async with services.unit_of_work() as uow:
        assert await expiry.expire_due(uow, limits=limits) == (0, 0)
    assert await _live_holds(services) == 1
    clock.advance(minutes=1, seconds=1)
    assert JOB.run is not None
    outcome = await JOB.run(services.job_context())
    assert "1 expired" in outcome, outcome
    assert await _live_holds(services) == 0
    async with services.session_factory() as session:  # the clock moved past the login session's idle time
        expired = await queries.announcements_for(session, actor=await actor_of(services, "coord"), state="expired")
    assert [(found["id"], found["hold"]["released_how"]) for found in expired] == [(made["id"], "expired")]
    assert await audit_count(services, "dispatch.expired") == 1
    async with services.unit_of_work() as uow:
        assert await expiry.expire_due(uow, limits=limits) == (0, 0)  # once
    await people.close()
