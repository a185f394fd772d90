"""The alerts' live channel: each notice out of the unit of work, into the hub of every process.

As the bed board's channel (app/beds/live_channel.py), but on a PostgreSQL channel of its own: a notice is
``pg_notify``-ed inside the transaction that fired or acknowledged the alert (it leaves only if that commits) and
every process hears it; on SQLite (one process) it goes to this process's hub after the commit. A channel apart
keeps the bed board's listener, and its per-change decoding, exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from app.beds.alerts.events import AlertNotice
from app.beds.live_channel import listener_dsn
from realtime.backends import Backend, MemoryBackend, PostgresBackend
from realtime.hub import Hub, Notice, dumps

ALERT_CHANNEL = "bedboard_alerts"


def encode(notice: AlertNotice) -> str:
    return dumps({"seq": notice.seq, "audience": sorted(notice.audience), "frame": notice.frame})


def _notices(events: Sequence[object]) -> list[AlertNotice]:
    return [event for event in events if isinstance(event, AlertNotice)]


class AlertChannel:
    def __init__(self, hub: Hub, database_url: str) -> None:
        self.hub = hub
        dsn = listener_dsn(database_url)
        self.shared = dsn is not None
        self.backend: Backend = PostgresBackend(dsn, channel=ALERT_CHANNEL) if dsn else MemoryBackend()

    @property
    def listening(self) -> bool:
        return self.backend.listening

    async def start(self) -> None:
        # A gap (the listener reconnected) may have lost notices: every board takes a fresh snapshot, which
        # carries its open alerts.
        await self.backend.start(self.receive, self.hub.resync_all)

    async def stop(self) -> None:
        await self.backend.stop()

    async def before_commit(self, session: AsyncSession, events: Sequence[object]) -> None:
        if not self.shared:
            return
        for notice in _notices(events):
            await session.execute(select(func.pg_notify(ALERT_CHANNEL, encode(notice))))

    async def after_commit(self, events: Sequence[object]) -> None:
        if self.shared:
            return
        for notice in _notices(events):
            self.receive(encode(notice))

    def receive(self, payload: str) -> None:
        message = json.loads(payload)
        frame = dumps(message["frame"])
        self.hub.notify(Notice(seq=int(message["seq"]), audience=frozenset(message["audience"]), frame=frame))
