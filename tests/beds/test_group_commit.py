"""Free-bed writes that wait together share one commit, and each still gets its own answer.

Runs on both backends (the `services` fixture's database_url).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.errors import SectionVersionConflict
from app.beds.events import SectionChanged
from app.beds.running import bed_services
from app.beds.write_batch import FreeBedsWrite, FreeBedsWriter
from app.kit import audit
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.kit.state import AppServices
from tests.beds.factories import make_section
from tests.beds.test_api_setup import actor_of, audit_events, make_world, section_row

WRITERS = 8


@contextmanager
def counted_commits(services: AppServices) -> Iterator[list[int]]:
    commits: list[int] = []

    def on_commit(_connection: Any) -> None:
        commits.append(1)

    event.listen(services.engine.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(services.engine.sync_engine, "commit", on_commit)


async def sections(services: AppServices, hospital_id: int, count: int) -> list[int]:
    return [await make_section(services, hospital_id, f"Secția {number}", free_beds=5) for number in range(count)]


async def chain_holds(services: AppServices) -> bool:
    async with services.session_factory() as session:
        return (await audit.verify(session)).ok


async def test_writes_that_arrive_together_commit_together_each_with_its_answer(services: AppServices) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, WRITERS)
    with counted_commits(services) as commits:
        results = await asyncio.gather(*(bed_services(services).writes.set_free_beds(FreeBedsWrite(
            actor=operator, section_id=section_id, free_beds=number, expected_version=1))
            for number, section_id in enumerate(ids)))

    assert [(result.section["id"], result.section["free_beds"], result.section["version"]) for result in results] == [
        (section_id, number, 2) for number, section_id in enumerate(ids)]
    for number, section_id in enumerate(ids):
        assert (await section_row(services, section_id)).free_beds == number
    # All eight were waiting before the first commit began: one transaction, one commit.
    assert len(commits) == 1
    events = await audit_events(services, "beds.free_beds_set")
    assert [event.object_id for event in events] == [str(section_id) for section_id in ids]
    assert await chain_holds(services)


async def test_a_refused_write_in_a_batch_is_refused_alone(services: AppServices) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, 4)
    writes = [FreeBedsWrite(operator, ids[0], 1, 1), FreeBedsWrite(operator, ids[1], 2, 7),  # stale version
              FreeBedsWrite(operator, ids[2], "many", 1), FreeBedsWrite(operator, ids[3], 4, 1)]

    outcomes = await asyncio.gather(*(bed_services(services).writes.set_free_beds(write) for write in writes),
                                    return_exceptions=True)

    assert isinstance(outcomes[1], SectionVersionConflict)
    assert isinstance(outcomes[2], ValidationFailed)
    assert [(await section_row(services, section_id)).free_beds for section_id in ids] == [1, 5, 5, 4]
    assert [event.object_id for event in await audit_events(services, "beds.free_beds_set")] == [
        str(ids[0]), str(ids[3])]


async def test_two_writes_of_one_section_in_a_batch_see_each_other(services: AppServices) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    writes = bed_services(services).writes
    first = asyncio.create_task(writes.set_free_beds(FreeBedsWrite(operator, world.a_surgery, 2, 1)))
    second = asyncio.create_task(writes.set_free_beds(FreeBedsWrite(operator, world.a_surgery, 3, 1)))

    assert (await first).section["version"] == 2
    with pytest.raises(SectionVersionConflict):
        await second  # it named version 1, which the write before it in the same transaction replaced
    assert (await section_row(services, world.a_surgery)).free_beds == 2


class FailFirstCommit:
    """A unit of work's before-commit step that fails the first transaction that reaches it."""

    def __init__(self) -> None:
        self.failed = False
        self.published: list[SectionChanged] = []

    async def before_commit(self, _session: AsyncSession, _events: Sequence[object]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the shared transaction failed")

    async def publish(self, events: Sequence[object]) -> None:
        self.published.extend(event for event in events if isinstance(event, SectionChanged))


async def test_when_the_shared_transaction_fails_each_write_is_tried_alone(services: AppServices) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, 3)
    failing = FailFirstCommit()
    writer = FreeBedsWriter(lambda: UnitOfWork(services.session_factory, before_commit=failing.before_commit,
                                               publish=failing.publish))

    results = await asyncio.gather(*(writer.set_free_beds(FreeBedsWrite(operator, section_id, 9, 1))
                                     for section_id in ids))

    assert failing.failed
    assert [result.section["free_beds"] for result in results] == [9, 9, 9]
    events = await audit_events(services, "beds.free_beds_set")
    assert sorted(str(event.object_id) for event in events) == sorted(str(section_id) for section_id in ids)
    assert [change.seq for change in failing.published] == [event.seq for event in events]
    assert await chain_holds(services)


async def test_a_batch_costs_a_few_statements_whatever_its_size(services: AppServices) -> None:
    """What the group commit is for (issue 24): eight writes, eight answers, and the statements of about one. Their
    sections are read in one statement, their rows written in one executemany, and the chain's head, which every
    process's writes queue for, taken once for all their events. Before: 81 statements on SQLite, 88 on PostgreSQL
    (about ten per write: SAVEPOINT, RELEASE, the section twice, the head three times, the key twice)."""
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, WRITERS)
    statements: list[str] = []

    def on_execute(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(" ".join(statement.split()[:3]))

    event.listen(services.engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        results = await asyncio.gather(*(bed_services(services).writes.set_free_beds(FreeBedsWrite(
            actor=operator, section_id=section_id, free_beds=number, expected_version=1, idempotency_key=f"k{number}"))
            for number, section_id in enumerate(ids)))
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", on_execute)

    assert [result.section["free_beds"] for result in results] == list(range(WRITERS))
    # The batch's transaction; then, after its commit, the alert rules' read (on SQLite its own BEGIN IMMEDIATE).
    written = statements[:next((n for n, statement in enumerate(statements) if "alert_rules" in statement),
                               len(statements))]
    if written[-1:] == ["BEGIN IMMEDIATE"]:
        written.pop()
    assert not [statement for statement in written if "SAVEPOINT" in statement]
    assert sum(1 for statement in written if statement.startswith("UPDATE audit_head")) == 2  # taken, then its hash
    # The sections, the keys, the rows, the head, the events, its hash, the keys stored (+ pg_notify), and on SQLite
    # its BEGIN IMMEDIATE: 8 or 9.
    assert len(written) <= 9, "\n".join(written)
    assert await chain_holds(services)
