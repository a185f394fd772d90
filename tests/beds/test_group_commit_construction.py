"""The group commit's two promises hold by construction, not by every service keeping them.

- A write refused after it changed something leaves nothing behind: the batch's transaction fails as a whole
  and each write is tried again alone; the other writes of its batch commit.
- A publish that fails after the commit is logged; the write answers with its committed result and is not
  tried again (which would answer 409 for a write that is durable).

Runs on both backends (the `services` fixture's database_url).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds import service
from app.beds.errors import SectionVersionConflict
from app.beds.events import SectionChanged
from app.beds.running import bed_services
from app.beds.write_batch import FreeBedsWrite, FreeBedsWriter
from app.kit import audit
from app.kit.db import UnitOfWork
from app.kit.state import AppServices
from tests.beds.factories import make_section
from tests.beds.test_api_setup import (
    actor_of,
    audit_events,
    bearer,
    change,
    free_beds_path,
    make_token,
    make_world,
    section_row,
)


class PublishFails:
    """A unit of work's publisher that fails after every commit; counts the transactions that commit.

    Not a connection error: before the fix such a failure made the batch try each write again alone, and
    each, already committed at version 2, was answered 409."""

    def __init__(self) -> None:
        self.transactions = 0
        self.attempts = 0

    async def before_commit(self, _session: AsyncSession, _events: Sequence[object]) -> None:
        self.transactions += 1

    async def publish(self, _events: Sequence[object]) -> None:
        self.attempts += 1
        raise RuntimeError("the hub refused the events")


async def sections(services: AppServices, hospital_id: int, count: int) -> list[int]:
    return [await make_section(services, hospital_id, f"Secția {number}", free_beds=5) for number in range(count)]


async def chain_holds(services: AppServices) -> bool:
    async with services.session_factory() as session:
        return (await audit.verify(session)).ok


def publish_failures(caplog: pytest.LogCaptureFixture, kind: type[Exception]) -> list[logging.LogRecord]:
    return [record for record in caplog.records
            if record.name == "bedboard.realtime" and kind.__name__ in record.getMessage()]


async def test_a_publish_that_fails_after_the_commit_is_logged_and_the_writes_stand(
    services: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, 3)
    failing = PublishFails()
    writer = FreeBedsWriter(lambda: UnitOfWork(services.session_factory, before_commit=failing.before_commit,
                                               publish=failing.publish))

    with caplog.at_level(logging.ERROR, logger="bedboard.realtime"):
        results = await asyncio.gather(*(writer.set_free_beds(FreeBedsWrite(operator, section_id, 9, 1))
                                         for section_id in ids))

    assert [(result.section["free_beds"], result.section["version"]) for result in results] == [(9, 2)] * 3
    assert [(await section_row(services, section_id)).version for section_id in ids] == [2, 2, 2]
    # One transaction, committed once: nothing tried again.
    assert (failing.transactions, failing.attempts) == (1, 1)
    events = await audit_events(services, "beds.free_beds_set")
    assert [event.object_id for event in events] == [str(section_id) for section_id in ids]
    assert len(publish_failures(caplog, RuntimeError)) == 1
    assert await chain_holds(services)


async def test_an_api_write_whose_live_publish_fails_answers_200(
    services: AppServices, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "ward terminal")

    async def fail(_events: Sequence[object]) -> None:
        raise ConnectionResetError("the live channel went away")

    monkeypatch.setattr(bed_services(services).live, "after_commit", fail)
    with caplog.at_level(logging.ERROR, logger="bedboard.realtime"):
        response = await client.put(free_beds_path(world.a_surgery), json=change(3), headers=bearer(raw))

    assert response.status_code == 200, response.text
    assert (response.json()["free_beds"], response.json()["version"]) == (3, 2)
    assert (await section_row(services, world.a_surgery)).free_beds == 3
    assert len(await audit_events(services, "beds.free_beds_set")) == 1
    assert len(publish_failures(caplog, ConnectionResetError)) == 1  # before the fix: 503, yet committed


class Recorder:
    def __init__(self) -> None:
        self.published: list[SectionChanged] = []

    async def publish(self, events: Sequence[object]) -> None:
        self.published.extend(event for event in events if isinstance(event, SectionChanged))


async def test_a_write_refused_after_it_changed_something_leaves_nothing_and_the_others_commit(
    services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(services)
    operator = await actor_of(services, "op.a")
    ids = await sections(services, world.hospital_a, 3)
    refused_id = ids[1]
    real_announce = service.audit_and_announce_rows

    async def refuses_late(uow: UnitOfWork, rows: Sequence[service.WrittenRow]) -> list[service.WriteResult]:
        """The service as a careless edit could make it: the row written, audited, announced and its
        idempotency key stored, and only then a refusal."""
        results = await real_announce(uow, rows)
        for row, result in zip(rows, results, strict=True):
            if row.view.id == refused_id:
                await uow.session.flush()
                raise SectionVersionConflict("refused after the change", details={"current": result.section})
        return results

    monkeypatch.setattr(service, "audit_and_announce_rows", refuses_late)
    recorder = Recorder()
    writer = FreeBedsWriter(lambda: UnitOfWork(services.session_factory, publish=recorder.publish))

    outcomes = await asyncio.gather(*(writer.set_free_beds(FreeBedsWrite(
        operator, section_id, 9, 1, idempotency_key=f"key-{section_id}")) for section_id in ids),
        return_exceptions=True)

    assert isinstance(outcomes[1], SectionVersionConflict)
    assert [(await section_row(services, section_id)).free_beds for section_id in ids] == [9, 5, 9]
    assert [(await section_row(services, section_id)).version for section_id in ids] == [2, 1, 2]
    events = await audit_events(services, "beds.free_beds_set")
    assert [event.object_id for event in events] == [str(ids[0]), str(ids[2])]
    assert [change.section["id"] for change in recorder.published] == [ids[0], ids[2]]
    assert [change.seq for change in recorder.published] == [event.seq for event in events]
    assert await chain_holds(services)

    # Alone (the refusal rolls the whole transaction back), it leaves nothing either.
    with pytest.raises(SectionVersionConflict):
        await writer.set_free_beds(FreeBedsWrite(operator, refused_id, 8, 1, idempotency_key=f"key-{refused_id}"))
    assert ((await section_row(services, refused_id)).free_beds, len(recorder.published)) == (5, 2)
    assert len(await audit_events(services, "beds.free_beds_set")) == 2

    # Its idempotency key was not kept either: the same write, now accepted, is applied, not replayed.
    monkeypatch.setattr(service, "audit_and_announce_rows", real_announce)
    again = await writer.set_free_beds(FreeBedsWrite(operator, refused_id, 9, 1, idempotency_key=f"key-{refused_id}"))
    assert (again.replayed, again.section["version"]) == (False, 2)
