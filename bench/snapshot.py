"""Benchmark 3, the snapshot: build and serialise it for 1,000, 10,000 and 50,000 sections (the server's
own code, timed in this process), its size raw and with permessage-deflate, and the time until one real
client has it through /ws/beds."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect

from accounts.models import Organisation
from app.beds.board_filter import BoardFilter
from app.beds.live_feed import BedFeed
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import SystemClock
from app.kit.db import UnitOfWork, make_engine, make_session_factory
from realtime.endpoint import BoardSocket
from realtime.hub import Hub

SIZES = (1_000, 10_000, 50_000)
PER_HOSPITAL = 50


async def grow_to(database_url: str, sections: int) -> None:
    """Add hospitals of 50 sections each until the board has ``sections`` sections."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            have = int(await connection.scalar(select(func.count()).select_from(Section)) or 0)
            type_ids = list(await connection.scalars(select(SectionType.id).order_by(SectionType.id)))
            hospital_type = await connection.scalar(select(HospitalType.id).order_by(HospitalType.id))
            now = datetime.now(UTC)
            first = have // PER_HOSPITAL + 1
            hospitals = range(first, first + max(0, sections - have + PER_HOSPITAL - 1) // PER_HOSPITAL)
            if not hospitals:
                return
            await connection.execute(insert(Organisation), [
                {"code": f"H-S{n:05d}", "name": f"Spitalul Snapshot {n}", "kind": "hospital"} for n in hospitals])
            ids = dict((await connection.execute(select(Organisation.code, Organisation.id).where(
                Organisation.code.like("H-S%")))).tuples().all())
            await connection.execute(insert(Hospital), [
                {"organisation_id": ids[f"H-S{n:05d}"], "hospital_type_id": hospital_type, "short_code": f"S{n:05d}"}
                for n in hospitals])
            await connection.execute(insert(Section), [
                {"hospital_id": ids[f"H-S{n:05d}"], "section_type_id": type_ids[k % len(type_ids)],
                 "code": f"S{k:03d}", "name": f"Secția {k} a spitalului {n}", "total_beds": 30, "free_beds": k % 30,
                 "version": 1, "updated_at": now, "updated_by": "bench"}
                for n in hospitals for k in range(PER_HOSPITAL)])
    finally:
        await engine.dispose()


def deflated_size(frame: bytes) -> int:
    """What permessage-deflate would put on the wire (raw deflate, the trailing 00 00 ff ff removed)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return len(compressor.compress(frame) + compressor.flush(zlib.Z_SYNC_FLUSH)) - 4


async def _one_bed_change(session_factory: async_sessionmaker[AsyncSession], section_id: int) -> None:
    """An operator's change as the board sees it: the row and its audit event, in one transaction."""
    async with UnitOfWork(session_factory, clock=SystemClock()) as uow:
        section = await uow.session.get(Section, section_id)
        assert section is not None
        section.free_beds, section.version = (section.free_beds + 1) % 30, section.version + 1
        await audit.record(uow.session, actor=Actor.system("cli"), action="beds.free_beds_set",
                           object_type="section", object_id=section_id,
                           after={"free_beds": section.free_beds, "version": section.version})


async def _timed(board: BoardSocket) -> tuple[float, str]:
    began = time.perf_counter()
    _seq, frame = await board.snapshot(BoardFilter(), resync=False)
    return time.perf_counter() - began, frame


async def server_time(database_url: str, runs: int) -> dict[str, Any]:
    """BoardSocket.snapshot as the endpoint calls it, in three situations: *cold* (a server's first snapshot,
    or the first after a change to hospitals or section types: every section loaded and serialised),
    *after a bed change* (the kept board patched from the audit log) and *unchanged* (nothing written since
    the last snapshot)."""
    engine = make_engine(database_url)
    try:
        session_factory = make_session_factory(engine)
        section_id = await _any_section(session_factory)

        def board() -> BoardSocket:
            return BoardSocket(Hub(), BedFeed(session_factory, SystemClock()),
                               authorise=lambda _ws: asyncio.sleep(0, None), now=lambda: datetime.now(UTC),
                               parse_filters=BoardFilter.parse)

        await _timed(board())  # warms the connection and the database's caches
        cold = [(await _timed(board()))[0] for _ in range(runs)]
        kept = board()
        await _timed(kept)
        changed, unchanged, frame = [], [], ""
        for _ in range(runs):
            await _one_bed_change(session_factory, section_id)
            changed.append((await _timed(kept))[0])
            seconds, frame = await _timed(kept)
            unchanged.append(seconds)
        raw = frame.encode()
        began = time.perf_counter()
        deflated = deflated_size(raw)
        return {"sections": len(json.loads(frame)["sections"]), "cold_ms": statistics.median(cold) * 1000,
                "changed_ms": statistics.median(changed) * 1000, "server_ms": statistics.median(unchanged) * 1000,
                "raw_bytes": len(raw), "deflate_bytes": deflated, "deflate_ms": (time.perf_counter() - began) * 1000}
    finally:
        await engine.dispose()


async def _any_section(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        found = await session.scalar(select(Section.id).order_by(Section.id).limit(1))
    assert found is not None
    return found


async def client_time(ws_url: str, origin: str, cookie: str, runs: int) -> float:
    """From opening the socket to holding the parsed snapshot, median of ``runs``, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        async with connect(ws_url, origin=origin, additional_headers={"Cookie": cookie},  # type: ignore[arg-type]
                           compression=None, max_size=None, open_timeout=60) as socket:
            await socket.send(json.dumps({"type": "subscribe", "filters": {}, "since": None}))
            while True:
                frame = await asyncio.wait_for(socket.recv(), 60)
                if isinstance(frame, str) and frame.startswith('{"type":"snapshot"'):
                    json.loads(frame)
                    break
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000
