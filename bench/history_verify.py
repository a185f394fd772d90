"""Benchmark 4's chain check: the app's own ``audit.verify`` against its checks on bare asyncpg rows."""

from __future__ import annotations

import json
import time
from typing import Any

import asyncpg

from app.kit import audit
from app.kit.db import make_engine, make_session_factory
from bench.common import median
from bench.history_data import COLUMNS, dsn_of


async def _reference_verify(connection: asyncpg.Connection) -> None:
    """audit.verify's checks (order, links, content) on bare asyncpg rows: no ORM, no session."""
    expected, prev_hash = 1, audit.GENESIS_HASH
    query = f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq"
    async with connection.transaction():
        async for row in connection.cursor(query, prefetch=2000):
            event = {key: row[key] for key in ("seq", "actor", "actor_id", "organisation", "action", "object_type",
                                               "object_id", "source", "client_address")}
            event.update({key: None if row[key] is None else json.loads(row[key]) for key in ("before", "after")})
            event["at"] = row["at"].isoformat()
            if (row["seq"] != expected or row["prev_hash"] != prev_hash
                    or audit.chain_hash(prev_hash, audit.canonical_json(event)) != row["hash"]):
                raise RuntimeError(f"the reference finds event {row['seq']} broken")
            expected, prev_hash = expected + 1, row["hash"]


async def measure(database_url: str, events: int, runs: int) -> dict[str, Any]:
    """Events a second through each, median of ``runs``; the chain must hold ``events`` events."""
    engine = make_engine(database_url)
    connection = await asyncpg.connect(dsn_of(database_url))
    try:
        mine, reference = [], []
        for _ in range(runs):
            async with make_session_factory(engine)() as session:
                began = time.perf_counter()
                verdict = await audit.verify(session)
                mine.append(events / (time.perf_counter() - began))
            if not verdict.ok or verdict.count != events:
                raise RuntimeError(f"audit.verify refuses the generated chain: {verdict}")
            began = time.perf_counter()
            await _reference_verify(connection)
            reference.append(events / (time.perf_counter() - began))
        return {"events": events, "bedboard": median(mine), "reference": median(reference)}
    finally:
        await connection.close()
        await engine.dispose()


async def verify_all(database_url: str) -> str:
    """The whole chain through the app's own verify, once: proof that the generated million holds."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            began = time.perf_counter()
            verdict = await audit.verify(session)
            return f"audit.verify over the whole chain: {verdict} in {time.perf_counter() - began:.0f} s"
    finally:
        await engine.dispose()
