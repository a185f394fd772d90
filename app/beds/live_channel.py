"""The live channel's glue: bed events out of the unit of work, into the hub of every process.

SQLite (one process): after commit, the event goes straight to this process's hub. PostgreSQL: the
event goes out as ``pg_notify`` inside the transaction, so it exists only if the write commits, and
every process (this one included) hears it through its listener.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from app.beds.events import SectionChanged
from realtime.backends import CHANNEL, Backend, MemoryBackend, PostgresBackend
from realtime.hub import Change, Hub, Notice, dumps


def listener_dsn(database_url: str) -> str | None:
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def encode(event: SectionChanged, committed_at: float) -> str:
    return json.dumps({"seq": event.seq, "kind": event.kind, "committed_at": committed_at,
                       "section": event.section}, separators=(",", ":"), ensure_ascii=False)


class LiveChannel:
    def __init__(self, hub: Hub, database_url: str) -> None:
        self.hub = hub
        dsn = listener_dsn(database_url)
        self.shared = dsn is not None
        self.backend: Backend = PostgresBackend(dsn) if dsn else MemoryBackend()

    @property
    def listening(self) -> bool:
        """False while the PostgreSQL listener is disconnected: boards in this process would miss changes."""
        return self.backend.listening

    async def start(self) -> None:
        await self.backend.start(self.receive, self.hub.resync_all)

    async def stop(self) -> None:
        await self.backend.stop()

    @staticmethod
    def _section_events(events: Sequence[object]) -> list[SectionChanged]:
        return [event for event in events if isinstance(event, SectionChanged)]

    async def before_commit(self, session: AsyncSession, events: Sequence[object]) -> None:
        if not self.shared:
            return
        now = time.time()
        for event in self._section_events(events):
            await session.execute(select(func.pg_notify(CHANNEL, encode(event, now))))

    async def after_commit(self, events: Sequence[object]) -> None:
        if self.shared:
            return
        now = time.time()
        for event in self._section_events(events):
            self.receive(encode(event, now))

    def receive(self, payload: str) -> None:
        message: dict[str, Any] = json.loads(payload)
        if "audience" in message:  # a notice for some boards only (app/beds/alerts/channel.py), on this one listener
            self.hub.notify(Notice(seq=int(message["seq"]), audience=frozenset(message["audience"]),
                                   frame=dumps(message["frame"])))
            return
        section = message["section"]
        self.hub.publish(Change(seq=int(message["seq"]), item=section, committed_at=float(message["committed_at"]),
                                removed=bool(section.get("retired"))))
