"""The reason given for a negative count, as the board's cell dialog asks for it (app/beds/queries.py)."""

from __future__ import annotations

from app.beds import queries
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_write_path import setup, write


async def test_only_the_last_count_of_each_section_gives_its_reason(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    await write(services, clock, operator, world.a_icu, -1, 1, reason="doi pacienți pe hol")
    await write(services, clock, operator, world.a_surgery, -2, 1, reason="urgență în masă")
    await write(services, clock, operator, world.a_surgery, 4, 2)  # positive again: the old reason is history
    async with services.session_factory() as session:
        reasons = await queries.negative_reasons(session, [world.a_icu, world.a_surgery, world.b_surgery])
    assert reasons == {world.a_icu: "doi pacienți pe hol"}


async def test_a_negative_count_without_a_reason_has_none(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    await write(services, clock, operator, world.a_icu, -3, 1)
    async with services.session_factory() as session:
        assert await queries.negative_reasons(session, [world.a_icu]) == {}
        assert await queries.negative_reasons(session, []) == {}
