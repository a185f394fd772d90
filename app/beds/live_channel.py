"""The live channel's glue: bed events out of the unit of work, into the hub of every process.

SQLite (one process): after commit, the event goes straight to this process's hub. PostgreSQL: the
event goes out as ``pg_notify`` inside the transaction, so it exists only if the write commits, and
every process (this one included) hears it through its listener.

The payload is the change frame the boards receive, encoded once in the writer: a listener parses it (its
filters read the section) and sends the same text, where it used to decode the payload and encode the frame
again in every worker. A transaction's events go out in one statement (``unnest`` keeps their order), one round
trip for a group commit's batch instead of one per write.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.events import SectionChanged
from realtime.backends import CHANNEL, Backend, MemoryBackend, PostgresBackend
from realtime.hub import Change, Hub, Notice, dumps


def listener_dsn(database_url: str) -> str | None:
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# unnest's rows come in the array's order, and each row's pg_notify is queued as it comes: listeners hear the
# changes in seq order.
_NOTIFY_ALL = text("SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) AS payload")


def change_of(event: SectionChanged, committed_at: float) -> Change:
    section = event.section
    return Change(seq=event.seq, item=section, committed_at=committed_at, removed=bool(section.get("retired")))


def encode(event: SectionChanged, committed_at: float) -> str:
    """The change frame (``Hub.change_frame``), which is also the NOTIFY payload."""
    return Hub.change_frame(change_of(event, committed_at))


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
        payloads = [encode(event, now) for event in self._section_events(events)]
        if payloads:
            await session.execute(_NOTIFY_ALL, {"channel": CHANNEL, "payloads": payloads})

    async def after_commit(self, events: Sequence[object]) -> None:
        if self.shared:
            return
        now = time.time()
        for event in self._section_events(events):  # the same process: no payload to encode and parse
            self.hub.publish(change_of(event, now))

    def receive(self, payload: str) -> None:
        message: dict[str, Any] = json.loads(payload)
        if "audience" in message:  # a notice for some boards only (app/beds/alerts/channel.py), on this one listener
            self.hub.notify(Notice(seq=int(message["seq"]), audience=frozenset(message["audience"]),
                                   frame=dumps(message["frame"])))
            return
        section = message["section"]
        committed_at = datetime.fromisoformat(message["committed_at"]).timestamp()
        self.hub.publish(Change(seq=int(message["seq"]), item=section, committed_at=committed_at,
                                removed=bool(section.get("retired")), frame=payload))
