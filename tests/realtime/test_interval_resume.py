"""A board that resumes across a new update interval (issue 21) is sent a fresh snapshot, not a partial backfill.

The interval's audit event names the section type, not its sections, so a backfill could not say which sections
it touched; the board would keep judging them by the old interval until its next full snapshot.
"""

from __future__ import annotations

from sqlalchemy import select

from app.beds.models import SectionType
from app.beds.nomenclature import intervals
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, make_engine, make_session_factory
from tests.realtime.conftest import BoardWorld, Browser, next_message, subscribe


async def set_icu_interval(database_url: str, hours: int) -> None:
    """As another process would (the command line acts as the system itself: ``may_import``)."""
    engine = make_engine(database_url)
    try:
        async with UnitOfWork(make_session_factory(engine)) as uow:
            icu = await uow.session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
            assert icu is not None
            assert await intervals.set_interval(uow, actor=Actor(username="<cli>", source="cli"),
                                                section_type_id=icu, hours=hours)
    finally:
        await engine.dispose()


async def test_a_board_resuming_across_a_new_interval_gets_a_fresh_snapshot(board_world: BoardWorld,
                                                                          database_url: str) -> None:
    coordinator = Browser(board_world.url)
    await coordinator.log_in("coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        snapshot = await next_message(socket)
    before = {section["id"]: section for section in snapshot["sections"]}
    assert before[board_world.icu_a]["update_interval_hours"] == 24
    await set_icu_interval(database_url, 8)
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket, since=snapshot["seq"], epoch=snapshot["epoch"])
        resync = await next_message(socket)
    assert resync["type"] == "snapshot"
    assert resync["resync"] is True
    after = {section["id"]: section for section in resync["sections"]}
    assert after[board_world.icu_a]["update_interval_hours"] == 8
    assert after[board_world.surgery_a]["update_interval_hours"] == 24
    await coordinator.close()
