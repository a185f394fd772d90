"""The demo's dispatch (app/beds/dispatch/demo.py) on both databases: Floreasca's operator has two patients coming (one
acknowledged, one waiting), the board counts the held beds and the announced patients, the holds report has a week
of holds that ended every way, and what the demo made keeps the caps and names nobody."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select

from accounts.models import Organisation
from app.beds.dispatch import expiry, holds
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import Announcement, BedHold
from app.beds.dispatch.personal_data import personal_number_in
from app.demo import DemoLogin
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.web import BrowserFactory, log_in


async def logged_in(new_client: BrowserFactory, logins: list[DemoLogin], username: str) -> httpx.AsyncClient:
    client = new_client()
    password = next(login.password for login in logins if login.username == username)
    assert password is not None
    assert (await log_in(client, username, password)).status_code == 303
    return client


async def hospital_id(services: AppServices, code: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(Organisation.id).where(Organisation.code == code))
    assert found is not None
    return found


async def test_the_demo_operator_has_two_patients_coming_and_the_board_counts_the_holds(
    services: AppServices, demo_loaded: list[DemoLogin], new_client: BrowserFactory, clock: ManualClock,
) -> None:
    operator = await logged_in(new_client, demo_loaded, "op.floreasca")
    coordinator = await logged_in(new_client, demo_loaded, "coord.samb")
    try:
        incoming = (await operator.get("/api/v1/announcements?state=open")).json()["announcements"]
        screen = (await operator.get("/operator")).text
        on_the_way = (await coordinator.get("/api/v1/announcements?state=open")).json()["announcements"]
        counts = (await coordinator.get("/board/dispatch-counts")).json()["counts"]
    finally:
        await operator.aclose()
        await coordinator.aclose()
    floreasca = await hospital_id(services, "H-FLOR")
    # Floreasca's screen: one patient its operator acknowledged, one nobody has yet (the sound, the framed panel),
    # each holding a bed; the operator sees no other hospital's patients.
    assert 'id="announcements-panel"' in screen
    assert {row["hospital_id"] for row in incoming} == {floreasca}
    assert sorted((row["state"], row["acknowledged_by"] or "") for row in incoming) == [
        ("acknowledged", "Demo Operator Floreasca"), ("announced", "")]
    assert all(row["hold"] is not None and row["hold"]["released_at"] is None for row in incoming)
    # SAMB's coordinator: four patients on their way to two hospitals, three beds held for them, on the board.
    assert len(on_the_way) == 4
    assert len({row["hospital_id"] for row in on_the_way}) == 2
    assert sum(found["announced"] for found in counts) == 4
    assert sum(found["held"] for found in counts) == 3
    assert sum(found["held"] for found in counts if found["hospital_id"] == floreasca) == 2
    # Each arrives 10 to 35 minutes after loading and stays open until 30 minutes after that: a fresh `make run`
    # shows them for most of an hour.
    etas = sorted(datetime.fromisoformat(row["eta_at"]) - clock.now() for row in on_the_way)
    assert etas[0] >= timedelta(minutes=10), etas
    assert etas[-1] <= timedelta(minutes=35), etas


async def test_the_holds_report_has_a_week_of_holds_and_the_job_finds_nothing_to_expire(
    services: AppServices, demo_loaded: list[DemoLogin], new_client: BrowserFactory, clock: ManualClock,
) -> None:
    auditor = await logged_in(new_client, demo_loaded, "audit.ms")
    try:
        report = await auditor.get("/audit/holds")
    finally:
        await auditor.aclose()
    assert report.status_code == 200
    days = {(clock.now() - timedelta(days=back)).date().isoformat() for back in range(7)}
    assert len([day for day in days if f"<td>{day}</td>" in report.text]) >= 6
    for ending in ("arrived: ", "cancelled: ", "expired: "):
        assert ending in report.text
    assert "Demo Coordinator SAMB" in report.text
    async with services.session_factory() as session:
        states = dict((await session.execute(select(Announcement.state, func.count())
                                             .group_by(Announcement.state))).all())
        notes = [*await session.scalars(select(Announcement.note)), *await session.scalars(
            select(Announcement.cancel_reason))]
        live = (await session.execute(select(BedHold.hospital_id, BedHold.section_type_id, func.count())
                                      .where(BedHold.released_at.is_(None))
                                      .group_by(BedHold.hospital_id, BedHold.section_type_id))).all()
        free = [await holds.free_beds_of(session, hospital, type_id) for hospital, type_id, _count in live]
    assert states == {"announced": 1, "acknowledged": 3, "arrived": 9, "cancelled": 3, "expired": 2}
    assert all(count <= beds for (_hospital, _type, count), beds in zip(live, free, strict=True))
    assert sum(count for _hospital, _type, count in live) <= DispatchLimits().holds_per_coordinator
    assert not [note for note in notes if note and personal_number_in(note)]
    # The job, run at the moment of loading, has nothing to alert or expire: the past is settled, the open are fresh.
    async with services.unit_of_work() as uow:
        assert await expiry.alert_unacknowledged(uow, limits=DispatchLimits()) == 0
        assert await expiry.expire_due(uow, limits=DispatchLimits()) == (0, 0)
