"""The pool's ping of idle connections (app/kit/db.py): a PostgreSQL connection killed while it sat in the
pool is replaced before anyone gets it, and a busy connection is not pinged at all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from app.kit import db
from app.kit.db import make_engine


async def test_a_connection_killed_while_idle_is_replaced_not_handed_out(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            killed = await connection.scalar(text("SELECT pg_backend_pid()"))
        killer = make_engine(postgres_url)
        async with killer.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
        await killer.dispose()
        await asyncio.sleep(0.3)

        async with engine.connect() as connection:  # without the ping: ConnectionDoesNotExistError
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != killed
    finally:
        await engine.dispose()


async def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cursor, statement, *_rest: statements.append(statement))
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
    try:
        for _ in range(5):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert (len(statements), pings) == (5, [])
    finally:
        await engine.dispose()
