"""The board as it was at a moment, rebuilt from the log: every section's number, who set it, its age.

Like the live feed's ``_as_of``: a section's facts come from beds (``app.beds.interface``), and its number,
version and reports from its last bed event at or before the moment. A section with no event by then shows the
value its first later change replaced. Names and approved beds changed later by an import are undone
from the ``beds.section_changed`` events' old values. A section's admission status at the moment is the stricter of
its own and its hospital's stretch then in force (issue 21).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.interface import (
    AdmissionStretch,
    BoardFilter,
    SectionView,
    admission_stretches,
    is_stale,
    retirements,
    section_views,
)
from app.kit.audit import AuditEvent

# The stricter of a hospital's and its section's status is the one an ambulance met.
STRICTNESS = {"limited": 1, "closed": 2}


@dataclass(frozen=True)
class PastSection:
    view: SectionView
    age: timedelta | None
    stale: bool
    admission: AdmissionStretch | None = None  # limited or closed at that moment (the stricter of section, hospital)


async def _admission_at(session: AsyncSession, moment: datetime) -> dict[tuple[int, int | None], AdmissionStretch]:
    """The stretches in force at ``moment``, by (hospital, section or None for the whole hospital)."""
    stretches = await admission_stretches(session, since=moment, until=moment + timedelta(microseconds=1))
    return {(stretch.hospital_id, stretch.section_id): stretch for stretch in stretches}


def _stricter(*stretches: AdmissionStretch | None) -> AdmissionStretch | None:
    found = [stretch for stretch in stretches if stretch is not None]
    return max(found, key=lambda stretch: STRICTNESS[stretch.status], default=None)


async def _events(session: AsyncSession, ids: list[str], moment: datetime, action: str,
                  *, after: bool = False) -> dict[str, AuditEvent]:
    """Per section, its last ``action`` event at or before ``moment`` (or its first one after it)."""
    pick = func.min(AuditEvent.seq) if after else func.max(AuditEvent.seq)
    when = AuditEvent.at > moment if after else AuditEvent.at <= moment
    seqs = select(pick).where(AuditEvent.action == action, AuditEvent.object_type == "section",
                              AuditEvent.object_id.in_(ids), when).group_by(AuditEvent.object_id)
    events = await session.scalars(select(AuditEvent).where(AuditEvent.seq.in_(seqs)))
    return {str(event.object_id): event for event in events}


def _undo_later_imports(view: SectionView, changes: list[AuditEvent]) -> SectionView:
    fields: dict[str, Any] = {}
    for event in changes:  # in order: the earliest later change holds the value at the moment
        for key in ("name", "total_beds"):
            if key in (event.before or {}) and key not in fields:
                fields[key] = (event.before or {})[key]
    return replace(view, **fields) if fields else view


def _as_at(view: SectionView, moment: datetime, last_set: AuditEvent | None, next_set: AuditEvent | None,
           last_confirmed: AuditEvent | None) -> SectionView:
    state = view
    if last_set is not None:
        after = last_set.after or {}
        state = replace(state, free_beds=int(after["free_beds"]), version=int(after["version"]),
                        updated_at=last_set.at, updated_by=last_set.actor)
    elif next_set is not None:
        before = next_set.before or {}
        state = replace(state, free_beds=int(before["free_beds"]), version=int(before["version"]),
                        updated_at=None, updated_by=None)
    if last_confirmed is not None:
        state = replace(state, confirmed_at=last_confirmed.at, confirmed_by=last_confirmed.actor)
        if last_set is None or last_confirmed.seq > last_set.seq:
            state = replace(state, version=int((last_confirmed.after or {})["version"]))
    elif state.confirmed_at is not None and state.confirmed_at > moment:
        state = replace(state, confirmed_at=None, confirmed_by=None)
    return state


async def _present_at(session: AsyncSession, moment: datetime) -> list[SectionView]:
    """The sections that were on the board: not yet retired, and not added later."""
    retired = {id_ for id_, at in (await retirements(session)).items() if at <= moment}
    added_later = set(await session.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == "beds.section_added", AuditEvent.at > moment)))
    views = await section_views(session)
    return [view for view in views if view.id not in retired and str(view.id) not in added_later]


async def board_at(session: AsyncSession, moment: datetime, filters: BoardFilter) -> list[PastSection]:
    views = await _present_at(session, moment)
    ids = [str(view.id) for view in views]
    last_set = await _events(session, ids, moment, "beds.free_beds_set")
    next_set = await _events(session, ids, moment, "beds.free_beds_set", after=True)
    confirmed = await _events(session, ids, moment, "beds.confirmed")
    later_changes: dict[str, list[AuditEvent]] = {}
    for event in await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "beds.section_changed", AuditEvent.at > moment).order_by(AuditEvent.seq)):
        later_changes.setdefault(str(event.object_id), []).append(event)
    admission = await _admission_at(session, moment)
    board: list[PastSection] = []
    for view in views:
        key = str(view.id)
        state = _as_at(_undo_later_imports(view, later_changes.get(key, [])), moment, last_set.get(key),
                       next_set.get(key), confirmed.get(key))
        if state.updated_at is not None and state.updated_at > moment:
            state = replace(state, updated_at=None, updated_by=None)
        if not filters.matches(state.as_json(), moment):
            continue
        reported = state.reported_at
        board.append(PastSection(state, None if reported is None else moment - reported,
                                 is_stale(reported, moment, state.update_interval_hours),
                                 _stricter(admission.get((view.hospital_id, None)),
                                           admission.get((view.hospital_id, view.id)))))
    return board
