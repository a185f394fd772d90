"""Licences unused for a month: the warning a week ahead, the deactivation, the seat back in the pool."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from accounts.models import User
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, License
from app.provisioning.licenses.usage import month_after, record_usage, sweep_unused
from tests.provisioning.licence_world import actor_of, make_licence_world

START = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)


def test_a_month_is_a_calendar_month() -> None:
    assert month_after(START) == datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert month_after(datetime(2026, 12, 5, tzinfo=UTC)) == datetime(2027, 1, 5, tzinfo=UTC)


async def _licence(services: AppServices, organisation_id: int, run: str) -> int:
    async with services.unit_of_work() as uow:
        licence = License(organisation_id=organisation_id, run=run, full_name="Alba Plaza Santelices",
                          gender="female", state=ACTIVE, created_at=START, activated_at=START, version=1)
        uow.session.add(licence)
        await uow.session.flush()
        return licence.id


async def _sweep(services: AppServices) -> tuple[int, int]:
    async with services.unit_of_work() as uow:
        report = await sweep_unused(uow, actor=Actor.system())
    return report.warned, report.deactivated


async def _referent_notices(services: AppServices) -> list[str]:
    async with services.session_factory() as session:
        return list((await session.execute(select(Notification.message).join(User, User.id == Notification.user_id)
                                           .where(User.username == "ref_a").order_by(Notification.id))).scalars())


async def test_warned_a_week_ahead_then_deactivated(services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = START
    unused = await _licence(services, world.commune_a, "12345678-5")
    used = await _licence(services, world.commune_a, "10000013-K")

    clock._now = datetime(2026, 2, 21, 14, 59, tzinfo=UTC)  # a week and a minute before the month is up
    assert await _sweep(services) == (0, 0)
    clock.advance(minutes=1)
    assert await _sweep(services) == (2, 0)
    assert await _sweep(services) == (0, 0)  # warned once
    assert await _referent_notices(services) == [
        "Licence #{license} of {name} is unused and will be deactivated on {date}."] * 2

    async with services.unit_of_work() as uow:  # the health record reports a use of the second one
        await record_usage(uow, actor=Actor.system(), uses=[("10000013-K", datetime(2026, 2, 25, tzinfo=UTC))])
    clock._now = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert await _sweep(services) == (0, 1)
    async with services.session_factory() as session:
        first = await session.get(License, unused)
        second = await session.get(License, used)
        actions = list((await session.execute(select(AuditEvent.action).where(
            AuditEvent.object_type == "license").order_by(AuditEvent.seq))).scalars())
    assert first is not None
    assert second is not None
    assert (first.state, first.deactivation_reason) == (DEACTIVATED, "unused")
    assert (second.state, second.warned_at) == (ACTIVE, None)  # the use started a new idle month
    assert actions == ["licenses.deactivation_warned", "licenses.deactivation_warned", "licenses.deactivated"]
    assert (await _referent_notices(services))[-1].startswith("Licence #{license} of {name} was deactivated")


async def test_the_sweep_run_twice_at_once_deactivates_once(services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = START
    for number, run in enumerate(("12345678-5", "10000013-K", "11111111-1")):
        await _licence(services, world.commune_a if number else world.commune_b, run)
    clock._now = datetime(2026, 3, 31, tzinfo=UTC)
    results = await asyncio.gather(_sweep(services), _sweep(services))
    assert sorted(deactivated for _warned, deactivated in results) == [0, 3]
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "licenses.deactivated"))
        active = await session.scalar(select(func.count()).select_from(License).where(License.state == ACTIVE))
    assert (events, active) == (3, 0)


async def test_an_older_or_future_use_report_never_postpones_wrongly(services: AppServices,
                                                                      clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = datetime(2026, 2, 10, tzinfo=UTC)
    licence_id = await _licence(services, world.commune_a, "12345678-5")
    uses = [("12345678-5", datetime(2026, 2, 5, tzinfo=UTC)), ("12345678-5", datetime(2026, 2, 1, tzinfo=UTC)),
            ("99999999-9", datetime(2026, 2, 5, tzinfo=UTC))]
    async with services.unit_of_work() as uow:
        report = await record_usage(uow, actor=await actor_of(services, "officer"), uses=uses)
    assert (report.updated, report.unchanged, report.unknown_runs) == (1, 0, ("99999999-9",))
    async with services.unit_of_work() as uow:
        again = await record_usage(uow, actor=Actor.system(),
                                   uses=[("12345678-5", datetime(2026, 2, 3, tzinfo=UTC)),
                                         ("12345678-5", datetime(2027, 1, 1, tzinfo=UTC))])
    assert again.updated == 1
    async with services.session_factory() as session:
        licence = await session.get(License, licence_id)
    assert licence is not None
    assert licence.last_used_at == clock.now()  # a report from the future counts as now
