"""The write path of beds.service: one transaction for the row, its audit event and its live event."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from app.beds import service
from app.beds.errors import SectionNotFound, SectionVersionConflict
from app.beds.events import SectionChanged
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from tests.beds.test_api_setup import World, actor_of, audit_count, audit_events, make_world, section_row


class Published:
    """The publish callback of a unit of work: collects what it is given, after commit."""

    def __init__(self) -> None:
        self.events: list[SectionChanged] = []

    async def __call__(self, events: Sequence[object]) -> None:
        self.events.extend(event for event in events if isinstance(event, SectionChanged))


async def write(services: AppServices, clock: ManualClock, actor: Actor, section_id: int, free_beds: object,
                expected_version: object = 1, *, reason: str | None = None,
                published: Published | None = None) -> service.WriteResult:
    async with UnitOfWork(services.session_factory, clock=clock, publish=published) as uow:
        return await service.set_free_beds(uow, actor=actor, section_id=section_id, free_beds=free_beds,
                                           expected_version=expected_version, reason=reason)


async def setup(services: AppServices) -> tuple[World, Actor]:
    world = await make_world(services)
    return world, await actor_of(services, "op.a")


async def test_a_write_bumps_the_version_audits_and_announces(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    published = Published()
    result = await write(services, clock, operator, world.a_surgery, 3, published=published)
    row = await section_row(services, world.a_surgery)
    assert (row.free_beds, row.version, row.updated_by, row.updated_at) == (3, 2, "op.a", clock.now())
    assert result.section["version"] == 2
    assert not result.replayed
    [event] = await audit_events(services, "beds.free_beds_set")
    assert (event.actor, event.source, event.object_type, event.object_id) == (
        "op.a", "web", "section", str(world.a_surgery))
    assert event.before == {"free_beds": 5, "version": 1}
    assert event.after == {"free_beds": 3, "version": 2, "hospital_id": world.hospital_a}
    assert published.events == [SectionChanged(seq=event.seq, kind="free_beds_set", section=result.section)]


async def test_a_negative_count_keeps_its_reason(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    await write(services, clock, operator, world.a_icu, -2, reason="  two  patients\nin the corridor ")
    [event] = await audit_events(services, "beds.free_beds_set")
    assert event.after is not None
    assert (event.after["free_beds"], event.after["reason"]) == (-2, "two patients in the corridor")


@pytest.mark.parametrize("value", [-999, 0, 9999])
async def test_the_limits_are_accepted(services: AppServices, clock: ManualClock, value: int) -> None:
    world, operator = await setup(services)
    assert (await write(services, clock, operator, world.a_icu, value)).section["free_beds"] == value


@pytest.mark.parametrize(("value", "version", "reason"), [
    (-1000, 1, None), (10_000, 1, None), (2.0, 1, None), ("5", 1, None), (True, 1, None), (None, 1, None),
    (3, 0, None), (3, True, None), (3, "1", None), (3, 1, "x" * 201),
])
async def test_invalid_input_writes_nothing(services: AppServices, clock: ManualClock, value: object,
                                            version: object, reason: str | None) -> None:
    world, operator = await setup(services)
    published = Published()
    before = await audit_count(services)
    with pytest.raises(ValidationFailed) as refused:
        await write(services, clock, operator, world.a_icu, value, version, reason=reason, published=published)
    assert refused.value.details["field"] in {"free_beds", "expected_version", "reason"}
    assert (await section_row(services, world.a_icu)).version == 1
    assert await audit_count(services) == before
    assert published.events == []


async def test_a_stale_version_is_a_conflict_with_the_current_state(services: AppServices,
                                                                    clock: ManualClock) -> None:
    world, operator = await setup(services)
    first = await write(services, clock, operator, world.a_icu, 4)
    published = Published()
    with pytest.raises(SectionVersionConflict) as conflict:
        await write(services, clock, operator, world.a_icu, 9, 1, published=published)
    assert conflict.value.details["current"] == first.section
    assert conflict.value.params["free_beds"] == 4
    assert (await section_row(services, world.a_icu)).free_beds == 4
    assert len(await audit_events(services, "beds.free_beds_set")) == 1
    assert published.events == []


async def test_retired_and_missing_sections_are_not_found(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    for section_id in (world.a_retired, 999_999):
        with pytest.raises(SectionNotFound):
            await write(services, clock, operator, section_id, 1)


@pytest.mark.parametrize("username", ["op.b", "coord", "admin"])
async def test_only_the_hospitals_operators_may_write(services: AppServices, clock: ManualClock,
                                                      username: str) -> None:
    world = await make_world(services)
    with pytest.raises(PermissionDenied):
        await write(services, clock, await actor_of(services, username), world.a_icu, 1)
    assert (await section_row(services, world.a_icu)).version == 1


async def test_a_second_writer_waits_for_the_first_and_then_conflicts(services: AppServices,
                                                                      clock: ManualClock) -> None:
    world, operator = await setup(services)
    async with UnitOfWork(services.session_factory, clock=clock) as first:
        await service.set_free_beds(first, actor=operator, section_id=world.a_icu, free_beds=3, expected_version=1)
        second = asyncio.create_task(write(services, clock, operator, world.a_icu, 8, 1))
        await asyncio.sleep(0.3)
        assert not second.done()  # held by the first writer's lock, not racing past it
    with pytest.raises(SectionVersionConflict):
        await second
    assert (await section_row(services, world.a_icu)).free_beds == 3


async def confirm(services: AppServices, clock: ManualClock, actor: Actor, versions: dict[int, int],
                  published: Published) -> service.ConfirmOutcome:
    async with UnitOfWork(services.session_factory, clock=clock, publish=published) as uow:
        return await service.confirm_unchanged(uow, actor=actor, versions=versions)


async def test_confirming_unchanged_sections(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    changed = await write(services, clock, operator, world.a_surgery, 4)  # now at version 2
    clock.advance(hours=3)
    published = Published()
    outcome = await confirm(services, clock, operator, {world.a_icu: 1, world.a_surgery: 1}, published)
    assert outcome.confirmed == [world.a_icu]
    assert [conflict["id"] for conflict in outcome.conflicts] == [world.a_surgery]
    assert outcome.conflicts[0] == changed.section
    icu = await section_row(services, world.a_icu)
    assert (icu.confirmed_at, icu.confirmed_by, icu.version, icu.free_beds) == (clock.now(), "op.a", 1, 2)
    surgery = await section_row(services, world.a_surgery)
    assert surgery.confirmed_at is None
    [event] = await audit_events(services, "beds.confirmed")
    assert (event.object_id, event.before) == (str(world.a_icu), {"confirmed_at": None})
    assert event.after == {"free_beds": 2, "version": 1, "hospital_id": world.hospital_a}
    assert [(item.seq, item.kind, item.section["id"]) for item in published.events] == [
        (event.seq, "confirmed", world.a_icu)]
