"""The alerts a board is sent besides the live ones: those open now, with its snapshot, and what it missed (fired
or acknowledged after its ``since``), on a resume. Read from the alerts' own rows, whose ``fired_seq`` and
``acknowledged_seq`` are the audit sequence numbers of both moments, so a resume is one indexed query."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.beds.alerts import audience as labels
from app.beds.alerts.firing import alert_json
from app.beds.alerts.models import Alert
from app.kit.actors import Actor
from app.kit.coalesce import Coalescer
from realtime.hub import dumps

# Never more than this many open alerts on one board: past it, the oldest are the ones a person no longer reads.
MAX_OPEN = 200


def _for(audience: frozenset[str]) -> ColumnElement[bool]:
    users, authorities = labels.parse(audience)
    return or_(false(), Alert.owner_user_id.in_(users),
               and_(Alert.owner_user_id.is_(None), Alert.organisation_id.in_(authorities)))


async def open_alerts(session: AsyncSession, audience: frozenset[str]) -> list[Alert]:
    return list(await session.scalars(select(Alert).where(_for(audience), Alert.acknowledged_at.is_(None))
                                      .order_by(Alert.fired_seq.desc()).limit(MAX_OPEN)))


async def open_alerts_of(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    return [alert_json(alert) for alert in await open_alerts(session, labels.viewer_audience(actor))]


class AlertNotices:
    """The board socket's ``NoticeFeed`` (realtime/endpoint.py)."""

    notices_key = "alerts"

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        # Boards of one audience subscribing at once (a restart) share one read, begun after each asked.
        self._current: Coalescer[str] = Coalescer()
        self._since: Coalescer[list[str]] = Coalescer()

    async def current(self, audience: frozenset[str]) -> str:
        return await self._current.run(audience, lambda: self._read_current(audience))

    async def _read_current(self, audience: frozenset[str]) -> str:
        async with self._session_factory() as session, session.begin():
            found = [alert_json(alert) for alert in await open_alerts(session, audience)]
        return json.dumps(found, separators=(",", ":"), ensure_ascii=False)

    async def since(self, audience: frozenset[str], since: int, until: int) -> list[str]:
        # Pages resuming after a restart from one number: one read for the sockets of one audience.
        return await self._since.run((audience, since, until), lambda: self._read_since(audience, since, until))

    async def _read_since(self, audience: frozenset[str], since: int, until: int) -> list[str]:
        async with self._session_factory() as session, session.begin():
            fired = or_(Alert.fired_seq.between(since + 1, until), Alert.acknowledged_seq.between(since + 1, until))
            missed = list(await session.scalars(select(Alert).where(_for(audience), fired)))
        frames: list[tuple[int, str]] = []
        for alert in missed:
            if since < alert.fired_seq <= until:
                frames.append((alert.fired_seq, dumps({"type": "alert", "seq": alert.fired_seq,
                                                       "alert": alert_json(alert)})))
            if alert.acknowledged_seq is not None and since < alert.acknowledged_seq <= until:
                assert alert.acknowledged_at is not None
                frames.append((alert.acknowledged_seq, dumps({
                    "type": "alert_acknowledged", "seq": alert.acknowledged_seq, "alert_id": alert.id,
                    "acknowledged_at": alert.acknowledged_at.isoformat(),
                    "acknowledged_by": alert.acknowledged_by})))
        return [frame for _seq, frame in sorted(frames)]
