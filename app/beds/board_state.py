"""The whole live board as of one audit sequence number, kept between snapshots.

Each section is kept as its JSON object and as that object's text, so a snapshot is a filter and a join
rather than a query and a serialisation of every section. After a change the state is patched from the audit
log when only bed numbers changed (the common case: operators typing), and reloaded whole otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.board_filter import BoardFilter
from app.beds.models import Section
from app.beds.section_queries import SectionView, section_query, to_view, views_of
from app.kit.audit import AuditEvent
from realtime.filters import Filter

# Changes that touch only the changed section's own row; any other "beds." action (a renamed hospital, a new
# section type colour) or an organisation change may touch many sections, so the board is reloaded whole.
PATCHABLE = frozenset({"beds.free_beds_set", "beds.confirmed", "beds.section_admission_set",
                       "beds.section_admission_expired"})
RELOADING_PREFIXES = ("beds.", "accounts.organisation")
MAX_PATCH_EVENTS = 1_000
UNFILTERED = BoardFilter()


# One encoder for every section: json.dumps with options builds a new JSONEncoder per call, a fifth of the
# cold board's serialisation (10,000 sections: 127 ms through json.dumps, 93 ms in the encoder itself).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_text = _ENCODER.encode
# Selections kept per state (the board's distinct filters, not its sockets'): a bound on what odd filters cost.
MAX_KEPT_SELECTIONS = 64


@dataclass
class BoardState:
    seq: int
    items: dict[int, dict[str, Any]]
    texts: dict[int, str]
    # The selections made of this state, by filter: boards with the same filters (most show everything) share
    # one list and one JSON text instead of joining 10,000 sections each (5 MB a socket after a restart).
    selections: dict[Filter, tuple[list[dict[str, Any]], str]] = field(default_factory=dict)

    @classmethod
    def of(cls, seq: int, views: Iterable[SectionView]) -> BoardState:
        state = cls(seq, {}, {})
        state.put(views)
        return state

    def put(self, views: Iterable[SectionView]) -> None:
        for view in views:
            if view.retired:
                self.items.pop(view.id, None)
                self.texts.pop(view.id, None)
                continue
            item = view.as_json()
            self.items[view.id], self.texts[view.id] = item, _text(item)

    def select(self, filters: Filter, now: datetime) -> tuple[list[dict[str, Any]], str]:
        """The matching sections and the same as one JSON array, shared by the callers with equal filters
        (a filter on staleness depends on ``now``: it is selected anew each time)."""
        kept = self.selections.get(filters)
        if kept is not None:
            return kept
        if filters == UNFILTERED:
            chosen = list(self.items)
        else:
            chosen = [key for key, item in self.items.items() if filters.matches(item, now)]
        selection = [self.items[key] for key in chosen], "[" + ",".join(self.texts[key] for key in chosen) + "]"
        if not (isinstance(filters, BoardFilter) and filters.stale_only) and len(self.selections) < MAX_KEPT_SELECTIONS:
            self.selections[filters] = selection
        return selection


async def load(session: AsyncSession, seq: int) -> BoardState:
    """Every section, read through the session's connection: plain rows, without the ORM's result machinery
    (a third of the cold board's time at 10,000 sections); nothing is pending in a snapshot's session."""
    connection = await session.connection()
    rows = await connection.execute(section_query().where(Section.retired_at.is_(None)))
    return BoardState.of(seq, map(to_view, rows))


async def advance(session: AsyncSession, state: BoardState | None, seq: int) -> BoardState:
    """The state as of ``seq``: the same one, patched, or reloaded. The caller's transaction sees ``seq``."""
    if state is None or seq < state.seq:
        return await load(session, seq)
    if seq == state.seq:
        return state
    events = (await session.execute(
        select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.seq > state.seq, AuditEvent.seq <= seq)
        .order_by(AuditEvent.seq).limit(MAX_PATCH_EVENTS + 1))).all()
    if len(events) > MAX_PATCH_EVENTS or any(
            action not in PATCHABLE and action.startswith(RELOADING_PREFIXES) for action, _object in events):
        return await load(session, seq)
    ids = {int(object_id) for action, object_id in events
           if action in PATCHABLE and object_id is not None and object_id.isdigit()}
    patched = BoardState(seq, dict(state.items), dict(state.texts))  # readers of the old state keep theirs
    if ids:
        patched.put(await views_of(session, section_query().where(Section.id.in_(ids))))
    return patched
