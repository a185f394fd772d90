from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, make_engine, make_session_factory

ACTOR = Actor(username="ana", source="web", user_id=7, organisation_code="SAMB", client_address="10.0.0.5")


async def write_events(unit_of_work: Callable[[], UnitOfWork], count: int) -> None:
    for number in range(count):
        async with unit_of_work() as uow:
            await audit.record(uow.session, actor=ACTOR, action="test.event", object_type="thing",
                               object_id=number, before={"n": number}, after={"n": number + 1})


async def verify(session_factory: async_sessionmaker[AsyncSession],
                 kept: audit.ChainHead | None = None) -> audit.Verification:
    async with session_factory() as session:
        return await audit.verify(session, kept)


async def test_events_form_a_verifiable_chain(unit_of_work: Callable[[], UnitOfWork],
                                              session_factory: async_sessionmaker[AsyncSession]) -> None:
    await write_events(unit_of_work, 5)
    result = await verify(session_factory)
    assert result.ok
    assert result.count == 5
    async with session_factory() as session:
        rows = (await session.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))).all()
        assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
        assert rows[0].prev_hash == audit.GENESIS_HASH
        assert rows[1].prev_hash == rows[0].hash
        assert rows[2].after == {"n": 3}
        assert rows[2].actor == "ana"
        assert rows[2].client_address == "10.0.0.5"
        assert str(await audit.head(session)) == f"5:{rows[4].hash}"


async def test_secrets_are_refused_by_the_log(unit_of_work: Callable[[], UnitOfWork]) -> None:
    with pytest.raises(ValueError, match="password_hash"):
        async with unit_of_work() as uow:
            await audit.record(uow.session, actor=ACTOR, action="x", after={"password_hash": "$argon2"})


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'eve'", "DELETE FROM audit_events"])
async def test_the_database_refuses_to_change_the_log(
    unit_of_work: Callable[[], UnitOfWork], engine: AsyncEngine, statement: str
) -> None:
    await write_events(unit_of_work, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM audit_events"))).scalar() == 2


async def drop_triggers(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            await connection.execute(text("DROP TRIGGER audit_events_no_update"))
            await connection.execute(text("DROP TRIGGER audit_events_no_delete"))


async def test_verify_names_an_edited_row(unit_of_work: Callable[[], UnitOfWork], engine: AsyncEngine,
                                          session_factory: async_sessionmaker[AsyncSession]) -> None:
    await write_events(unit_of_work, 6)
    await drop_triggers(engine)
    async with engine.begin() as connection:
        await connection.execute(text("""UPDATE audit_events SET "after" = '{"n": 99}' WHERE seq = 4"""))
    result = await verify(session_factory)
    assert not result.ok
    assert result.broken_seq == 4
    assert "content" in result.reason


async def test_verify_names_a_deleted_row(unit_of_work: Callable[[], UnitOfWork], engine: AsyncEngine,
                                          session_factory: async_sessionmaker[AsyncSession]) -> None:
    await write_events(unit_of_work, 6)
    await drop_triggers(engine)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    result = await verify(session_factory)
    assert not result.ok
    assert result.broken_seq == 3
    assert "missing" in result.reason


async def test_a_kept_head_catches_a_truncated_tail(
    unit_of_work: Callable[[], UnitOfWork], engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await write_events(unit_of_work, 6)
    async with session_factory() as session:
        kept = await audit.head(session)
    assert (await verify(session_factory, kept)).ok
    await drop_triggers(engine)
    # A careful forger removes the last rows and rewinds the head row to match: only the kept head shows it.
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM audit_events WHERE seq > 4"))
        hash4 = (await connection.execute(text("SELECT hash FROM audit_events WHERE seq = 4"))).scalar()
        await connection.execute(text("UPDATE audit_head SET seq = 4, hash = :h"), {"h": hash4})
    assert (await verify(session_factory)).ok
    result = await verify(session_factory, kept)
    assert not result.ok
    assert result.broken_seq == 5
    assert "kept head" in result.reason


async def test_a_kept_head_that_differs_is_reported(unit_of_work: Callable[[], UnitOfWork],
                                                    session_factory: async_sessionmaker[AsyncSession]) -> None:
    await write_events(unit_of_work, 3)
    result = await verify(session_factory, audit.ChainHead(2, "f" * 64))
    assert result.broken_seq == 2


def test_kept_head_parsing() -> None:
    assert audit.ChainHead.parse("12:" + "A" * 64) == audit.ChainHead(12, "a" * 64)
    with pytest.raises(ValueError, match="SEQ:HASH"):
        audit.ChainHead.parse("12-abc")


async def test_fifty_concurrent_writers_get_a_gapless_ordered_chain(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=50, max_overflow=0)
    factory = make_session_factory(engine)

    async def writer(number: int) -> int:
        async with UnitOfWork(factory) as uow:
            event = await audit.record(uow.session, actor=ACTOR, action="test.concurrent", object_id=number)
            # Hold the transaction open a moment so that the writers really overlap.
            await asyncio.sleep(0.001)
            return event.seq

    try:
        seqs = await asyncio.gather(*(writer(n) for n in range(50)))
        assert sorted(seqs) == list(range(1, 51))
        async with factory() as session:
            assert (await session.scalar(select(func.count()).select_from(audit.AuditEvent))) == 50
            result = await audit.verify(session)
        assert result.ok
        assert result.count == 50
    finally:
        await engine.dispose()
