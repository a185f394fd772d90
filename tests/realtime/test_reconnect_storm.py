"""Boards reconnecting at once (a restart) share one read of the board and one serialised snapshot per filter,
and none of them is given a snapshot older than its own subscribe (issue 24)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from app.beds.board_filter import BoardFilter
from app.beds.live_feed import BedFeed
from app.kit.clock import ManualClock
from app.kit.coalesce import Coalescer
from app.kit.state import AppServices
from tests.beds.test_write_path import setup, write

BOARDS = 200


def _count_statements(services: AppServices) -> list[str]:
    statements: list[str] = []
    engine = services.session_factory.kw["bind"]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    return statements


async def test_boards_subscribing_at_once_share_one_read_and_one_text(services: AppServices,
                                                                    clock: ManualClock) -> None:
    world, _operator = await setup(services)
    feed = BedFeed(services.session_factory, clock)  # a server just started: nothing loaded yet
    statements = _count_statements(services)
    one_hospital = BoardFilter(hospitals=frozenset({world.hospital_a}))
    answers = await asyncio.gather(*[feed.snapshot(BoardFilter() if n % 2 else one_hospital) for n in range(BOARDS)])
    # Each board alone read the head and loaded the board: about 3 statements each, 600 for 200 boards.
    assert len(statements) <= 12, statements
    everything = [text for n, (_seq, _items, text) in enumerate(answers) if n % 2]
    hospital_a = [text for n, (_seq, _items, text) in enumerate(answers) if not n % 2]
    assert all(text is everything[0] for text in everything)  # one serialised text, shared
    assert all(text is hospital_a[0] for text in hospital_a)
    assert f'"id":{world.b_surgery},' in everything[0]
    assert f'"id":{world.b_surgery},' not in hospital_a[0]


async def test_a_board_subscribing_after_a_change_gets_it_even_while_others_are_served(
        services: AppServices, clock: ManualClock) -> None:
    world, operator = await setup(services)
    feed = BedFeed(services.session_factory, clock)
    early = asyncio.ensure_future(feed.snapshot(BoardFilter()))
    await asyncio.sleep(0)  # the first read has begun
    await write(services, clock, operator, world.a_surgery, 3)
    _seq, late_items, _text = await feed.snapshot(BoardFilter())  # asked after the change was committed
    await early
    assert next(item for item in late_items if item["id"] == world.a_surgery)["free_beds"] == 3


async def test_a_caller_arriving_during_a_read_waits_for_the_next_one() -> None:
    """What keeps a revoked session refused: a handshake never gets a lookup that began before it arrived."""
    reads: list[int] = []
    gate = asyncio.Event()

    async def read() -> int:
        reads.append(len(reads) + 1)
        number = len(reads)
        if number == 1:
            await gate.wait()
        return number

    shared: Coalescer[int] = Coalescer()
    first = asyncio.ensure_future(shared.run("token", read))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # read 1 is running
    later = [asyncio.ensure_future(shared.run("token", read)) for _ in range(50)]
    other_key = await shared.run("another token", read)
    gate.set()
    assert await first == 1
    assert set(await asyncio.gather(*later)) == {3}  # one read for the 50, begun after they all asked
    assert other_key == 2
    assert len(reads) == 3


async def test_a_failed_read_fails_each_of_its_callers_and_the_next_read_runs_again() -> None:
    attempts: list[int] = []

    async def read() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database away")
        return 7

    shared: Coalescer[int] = Coalescer()
    failed = await asyncio.gather(*[shared.run(None, read) for _ in range(5)], return_exceptions=True)
    assert all(isinstance(outcome, ConnectionError) for outcome in failed)
    assert await shared.run(None, read) == 7
