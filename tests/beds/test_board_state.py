"""The live board's kept state: a snapshot after a bed change is patched from the audit log, one after any
other change to the board is reloaded, and what an earlier snapshot handed out never changes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update

from accounts.models import Organisation
from app.beds.board_filter import BoardFilter
from app.beds.live_feed import BedFeed
from app.beds.models import Section
from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_api_setup import World, make_world
from tests.beds.test_write_path import setup, write


async def _snapshot(feed: BedFeed, filters: BoardFilter | None = None) -> tuple[int, dict[int, dict[str, Any]],
                                                                                  str]:
    seq, items, text = await feed.snapshot(filters or BoardFilter())
    assert json.loads(text) == items  # the kept text is the items, exactly
    return seq, {item["id"]: item for item in items}, text


async def test_a_bed_change_reaches_the_next_snapshot(services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    feed = BedFeed(services.session_factory, clock)
    first_seq, first, first_text = await _snapshot(feed)
    await write(services, clock, operator, world.a_surgery, 3)
    seq, items, _text = await _snapshot(feed)
    assert seq > first_seq
    assert (items[world.a_surgery]["free_beds"], items[world.a_surgery]["version"]) == (3, 2)
    assert items[world.b_surgery] == first[world.b_surgery]
    # A socket still sending the first snapshot holds what it was given.
    assert json.loads(first_text) == list(first.values())
    assert first[world.a_surgery]["free_beds"] == 5
    assert world.a_retired not in items


async def _audited_change(services: AppServices, clock: ManualClock, action: str, object_id: int,
                          change: Any) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(change)
        await audit.record(uow.session, actor=Actor.system("cli"), action=action, object_type="section",
                           object_id=object_id)


async def test_a_renamed_hospital_and_a_retired_section_reload_the_board(services: AppServices,
                                                                         clock: ManualClock) -> None:
    world: World = await make_world(services)
    feed = BedFeed(services.session_factory, clock)
    await _snapshot(feed)
    await _audited_change(services, clock, "beds.hospital_changed", world.hospital_a,
                          update(Organisation).where(Organisation.id == world.hospital_a).values(name="Spitalul Nou"))
    await _audited_change(services, clock, "beds.section_retired", world.b_surgery,
                          update(Section).where(Section.id == world.b_surgery).values(retired_at=clock.now()))
    _seq, items, _text = await _snapshot(feed)
    assert {items[section]["hospital_name"] for section in (world.a_surgery, world.a_icu)} == {"Spitalul Nou"}
    assert world.b_surgery not in items


async def test_a_filtered_snapshot_is_the_matching_part(services: AppServices, clock: ManualClock) -> None:
    world: World = await make_world(services)
    feed = BedFeed(services.session_factory, clock)
    _seq, everything, _text = await _snapshot(feed)
    _seq, only_b, _text = await _snapshot(feed, BoardFilter(hospitals=frozenset({world.hospital_b})))
    assert set(only_b) == {section for section, item in everything.items()
                           if item["hospital_id"] == world.hospital_b} == {world.b_surgery}
