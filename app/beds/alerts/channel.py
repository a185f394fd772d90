"""The alerts' part of the live channel: each notice out of the unit of work, into the hub of every process.

The notices ride the bed board's channel (app/beds/live_channel.py): on PostgreSQL a notice is ``pg_notify``-ed on
the same channel inside the transaction that fired or acknowledged the alert (it leaves only if that commits), and
every process's one listener hands it to its hub (a payload with an ``audience``); on SQLite (one process) it goes
to this process's hub after the commit. One listener per process, whatever the number of live channels: a lost
connection resyncs every board once, and the snapshot it sends carries the open alerts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from app.beds.alerts.events import AlertNotice
from app.beds.live_channel import listener_dsn
from realtime.backends import CHANNEL
from realtime.hub import Hub, Notice, dumps


def encode(notice: AlertNotice) -> str:
    return dumps({"seq": notice.seq, "audience": sorted(notice.audience), "frame": notice.frame})


def _notices(events: Sequence[object]) -> list[AlertNotice]:
    return [event for event in events if isinstance(event, AlertNotice)]


class AlertChannel:
    def __init__(self, hub: Hub, database_url: str) -> None:
        self.hub = hub
        self.shared = listener_dsn(database_url) is not None

    async def before_commit(self, session: AsyncSession, events: Sequence[object]) -> None:
        if not self.shared:
            return
        for notice in _notices(events):
            await session.execute(select(func.pg_notify(CHANNEL, encode(notice))))

    async def after_commit(self, events: Sequence[object]) -> None:
        if self.shared:
            return
        for notice in _notices(events):
            self.hub.notify(Notice(seq=notice.seq, audience=notice.audience, frame=dumps(notice.frame)))
