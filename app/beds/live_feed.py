"""What the live board socket serves: a snapshot of the sections, or the changes since a sequence number.

A resume is rebuilt from the audit log, which holds every change in commit order: each change the client
missed is sent once, in order. Too far behind (past the retention window), or a number this database
never issued, gets a fresh snapshot instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.beds import board_state
from app.beds.board_state import BoardState
from app.beds.models import Section
from app.beds.section_queries import SectionView, section_query, views_of
from app.kit import audit
from app.kit.audit import AuditEvent
from app.kit.clock import Clock
from app.kit.coalesce import Coalescer
from app.kit.db import is_database_unavailable
from realtime.endpoint import Backfill
from realtime.filters import Filter
from realtime.hub import Change, Hub, SnapshotUnavailable

# The audit actions that change what the board shows.
BOARD_ACTIONS = ("beds.free_beds_set", "beds.confirmed", "beds.section_added", "beds.section_changed",
                 "beds.section_retired", "beds.section_admission_set", "beds.section_admission_expired",
                 "beds.hospital_admission_set", "beds.hospital_admission_expired")
# A hospital's status is audited on the hospital: every section of it changes on the board.
HOSPITAL_ACTIONS = frozenset({"beds.hospital_admission_set", "beds.hospital_admission_expired"})
RETENTION_EVENTS = 10_000
# Changes to every section of a type at once (a new update interval, app/beds/nomenclature/intervals.py): the
# audit event names the type, not the sections, so a board resuming across one is sent a fresh snapshot.
WHOLE_BOARD_ACTIONS = ("beds.section_type_interval_set",)


def _as_of(view: SectionView, event: AuditEvent) -> SectionView:
    """The section as this event left it: its number from the event, its other facts as they are now."""
    after: dict[str, Any] = event.after or {}
    if event.action == "beds.free_beds_set":
        return replace(view, free_beds=int(after["free_beds"]), version=int(after["version"]),
                       updated_at=event.at, updated_by=event.actor)
    if event.action == "beds.confirmed":
        return replace(view, free_beds=int(after["free_beds"]), version=int(after["version"]),
                       confirmed_at=event.at, confirmed_by=event.actor)
    return view


class BedFeed:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self.epoch = "unknown"
        # Every change the board shows is audited, so the audit head names the board's state: coordinators
        # connecting at shift change share one load, and later snapshots patch it with what changed.
        self._board: BoardState | None = None
        self._reads: Coalescer[BoardState] = Coalescer()
        self._backfills: Coalescer[Backfill | None] = Coalescer()

    async def load_epoch(self) -> None:
        """Names this database: a client that resumes against another one (a restore, a new install) resyncs."""
        async with self._session_factory() as session:
            first = await session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 1))
        self.epoch = hashlib.sha256((first or "empty").encode()).hexdigest()[:16]

    async def _consistent(self, session: AsyncSession) -> None:
        # One snapshot of the database for the head and the rows (PostgreSQL reads per statement otherwise).
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))

    async def snapshot(self, filters: Filter) -> tuple[int, list[dict[str, Any]], str]:
        # Sockets subscribing at once (a restart: every board reconnects) share one read of the head and one
        # load or patch of the board, begun after each of them asked (app/kit/coalesce.py), and the boards with
        # the same filters share one selection and its JSON (BoardState.select).
        board = await self._reads.run(None, self._read)
        return board.seq, *board.select(filters, self._clock.now())

    async def _read(self) -> BoardState:
        try:
            async with self._session_factory() as session, session.begin():
                await self._consistent(session)
                seq = (await audit.head(session)).seq
                board = self._board = await board_state.advance(session, self._board, seq)
        except Exception as error:
            if is_database_unavailable(error):
                raise SnapshotUnavailable from error  # the hub asks again; the board's socket stays open
            raise
        return board

    async def backfill(self, since: int, filters: Filter) -> Backfill | None:
        # Pages resume after a restart with the last number they saw, most of them the same one: the sockets
        # resuming at once from one number with one filter share one read begun after each asked.
        return await self._backfills.run((since, filters), lambda: self._backfill(since, filters))

    async def _backfill(self, since: int, filters: Filter) -> Backfill | None:
        now = self._clock.now()
        async with self._session_factory() as session, session.begin():
            await self._consistent(session)
            head = (await audit.head(session)).seq
            if since > head:
                return None
            events = list(await session.scalars(
                select(AuditEvent).where(AuditEvent.seq > since, AuditEvent.action.in_(BOARD_ACTIONS))
                .order_by(AuditEvent.seq).limit(RETENTION_EVENTS + 1)))
            if len(events) > RETENTION_EVENTS:
                return None
            if await session.scalar(select(AuditEvent.seq).where(
                    AuditEvent.seq > since, AuditEvent.action.in_(WHOLE_BOARD_ACTIONS)).limit(1)) is not None:
                return None
            numbered = [event for event in events if event.object_id and event.object_id.isdigit()]
            ids = {int(event.object_id or 0) for event in numbered if event.action not in HOSPITAL_ACTIONS}
            hospitals = {int(event.object_id or 0) for event in numbered if event.action in HOSPITAL_ACTIONS}
            views = {view.id: view for view in await views_of(session, section_query().where(
                or_(Section.id.in_(ids), and_(Section.hospital_id.in_(hospitals), Section.retired_at.is_(None)))))}
        of_hospital: dict[int, list[SectionView]] = {}
        for view in views.values():
            of_hospital.setdefault(view.hospital_id, []).append(view)
        frames = []
        for event in events:
            touched = (of_hospital.get(int(event.object_id or 0), []) if event.action in HOSPITAL_ACTIONS
                       else [views[int(event.object_id or 0)]] if int(event.object_id or 0) in views else [])
            frames += [self._frame(_as_of(view, event), event, filters, now) for view in touched]
        return Backfill(frames=frames, last_seq=head)

    @staticmethod
    def _frame(state: SectionView, event: AuditEvent, filters: Filter, now: datetime) -> str:
        change = Change(seq=event.seq, item=state.as_json(), committed_at=event.at.timestamp(),
                        removed=state.retired or event.action == "beds.section_retired")
        visible = not change.removed and filters.matches(change.item, now)
        return Hub.change_frame(change) if visible else Hub.leave_frame(change)
