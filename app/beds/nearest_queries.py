"""What 'Nearest free bed' ranks (app/beds/nearest.py): each hospital's beds of the chosen section types.

Counted the way the board's Find a bed counts them (static/js/board_find.js): a sub-section of a chosen section is
inside its parent's count already; a section closed to ambulances (itself or its whole hospital) gives no bed to
the open count, and a hospital whose every chosen section is closed is closed, with those sections' beds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.dispatch import queries as dispatch_queries
from app.beds.models import Hospital, Section
from app.beds.nearest import Candidate, Point
from app.beds.section_queries import SectionView, section_query, views_of
from app.beds.staleness import is_stale


@dataclass(frozen=True)
class DispatchCounts:
    held: int = 0
    announced: int = 0


async def dispatch_counts(session: AsyncSession, section_type_ids: Sequence[int]) -> dict[int, DispatchCounts]:
    """Beds held and patients announced, not yet arrived, per hospital in these section types (the dispatch's,
    app/beds/dispatch/queries.py): a held bed is not available to others."""
    counted = await dispatch_queries.counts_by_hospital(session, section_type_ids)
    return {hospital_id: DispatchCounts(held=held, announced=announced)
            for hospital_id, (held, announced) in counted.items()}


@dataclass
class _Tally:
    open_free: int = 0
    closed_free: int = 0
    any_open: bool = False
    limited: bool = False
    stale: bool = False
    sections: list[SectionView] = field(default_factory=list)


def _tally(views: Sequence[SectionView], chosen: set[int], now: datetime) -> dict[int, _Tally]:
    by_id = {view.id: view for view in views}
    tallies: dict[int, _Tally] = {}
    for view in views:
        tally = tallies.setdefault(view.hospital_id, _Tally())
        tally.sections.append(view)
        status = view.admission_status
        closed = status == "closed"
        tally.any_open |= not closed
        tally.limited |= status == "limited"
        tally.stale |= is_stale(view.reported_at, now, view.update_interval_hours)
        parent = by_id.get(view.parent_id) if view.parent_id is not None else None
        if parent is not None and parent.section_type_id in chosen:
            continue
        if closed:
            tally.closed_free += view.free_beds
        else:
            tally.open_free += view.free_beds
    return tallies


@dataclass(frozen=True)
class Unplaced:
    """A hospital with sections of the chosen types but no known location: it cannot be ranked."""

    hospital_id: int
    name: str
    free_beds: int


async def candidates(session: AsyncSession, *, section_type_ids: Sequence[int], now: datetime
                     ) -> tuple[list[Candidate], list[Unplaced]]:
    chosen = set(section_type_ids)
    query = section_query().where(Section.retired_at.is_(None), Hospital.retired_at.is_(None),
                                  Section.section_type_id.in_(chosen))
    views = await views_of(session, query)
    tallies = _tally(views, chosen, now)
    located = {row.organisation_id: row for row in await session.execute(
        select(Hospital.organisation_id, Hospital.latitude, Hospital.longitude, Organisation.name)
        .join(Organisation, Organisation.id == Hospital.organisation_id)
        .where(Hospital.organisation_id.in_(tallies)).order_by(func.lower(Organisation.name)))}
    counts = await dispatch_counts(session, section_type_ids)
    found: list[Candidate] = []
    unplaced: list[Unplaced] = []
    for hospital_id, tally in tallies.items():
        row = located[hospital_id]
        free = tally.open_free if tally.any_open else tally.closed_free
        if row.latitude is None or row.longitude is None:
            unplaced.append(Unplaced(hospital_id, row.name, free))
            continue
        dispatch = counts.get(hospital_id, DispatchCounts())
        found.append(Candidate(hospital_id, row.name, Point(row.latitude, row.longitude), free,
                               closed=not tally.any_open, limited=tally.limited, stale=tally.stale,
                               held=dispatch.held, announced=dispatch.announced))
    unplaced.sort(key=lambda item: item.name.casefold())
    return found, unplaced
