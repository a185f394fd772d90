"""What a rule counts: the sections of a type, as a coordinator who must send a patient there would count them.

A section counts toward "free beds of type T fall below N" with its free beds when it is open to ambulances (its
own status and its hospital's: the stricter one; a status past its expiry counts as open, as the expiry job will
make it) and not overdue (a number past its type's update interval is not one to send an ambulance on). A
negative count counts as 0: a section with more patients than beds does not take beds away from the others.
Limited sections are left out too: they take only some patients, so their beds are not free for any patient.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, Section, SectionType
from app.beds.staleness import is_stale

STRICTNESS = {"open": 0, "limited": 1, "closed": 2}


@dataclass(frozen=True)
class SectionCount:
    id: int
    hospital_id: int
    hospital_name: str
    name: str
    section_type_id: int
    free_beds: int
    reported_at: datetime | None
    interval_hours: int
    status: str  # the stricter of the section's and its hospital's admission status

    def overdue(self, now: datetime) -> bool:
        return is_stale(self.reported_at, now, self.interval_hours)

    def counted(self, now: datetime) -> int:
        if self.status != "open" or self.overdue(now):
            return 0
        return max(0, self.free_beds)


def _status(status: str | None, until: datetime | None, now: datetime) -> str:
    if status is None or (until is not None and until <= now):
        return "open"
    return status


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    return max((moment for moment in (first, second) if moment is not None), default=None)


async def sections(session: AsyncSession, now: datetime, *, section_type_ids: Iterable[int] | None = None,
                   section_ids: Iterable[int] | None = None) -> list[SectionCount]:
    """The sections in service (of these types, or these ids), one query."""
    query = (select(Section.id, Section.hospital_id, Organisation.name, Section.name, Section.section_type_id,
                    Section.free_beds, Section.updated_at, Section.confirmed_at, SectionType.update_interval_hours,
                    Section.admission_status, Section.admission_until, Hospital.admission_status,
                    Hospital.admission_until)
             .join(SectionType, SectionType.id == Section.section_type_id)
             .join(Hospital, Hospital.organisation_id == Section.hospital_id)
             .join(Organisation, Organisation.id == Section.hospital_id)
             .where(Section.retired_at.is_(None), Hospital.retired_at.is_(None)))
    if section_type_ids is not None:
        query = query.where(Section.section_type_id.in_(list(section_type_ids)))
    if section_ids is not None:
        query = query.where(Section.id.in_(list(section_ids)))
    found = []
    for row in await session.execute(query):
        own, hospital = _status(row[9], row[10], now), _status(row[11], row[12], now)
        found.append(SectionCount(id=row[0], hospital_id=row[1], hospital_name=row[2], name=row[3],
                                  section_type_id=row[4], free_beds=row[5], reported_at=_later(row[6], row[7]),
                                  interval_hours=row[8], status=max(own, hospital, key=STRICTNESS.__getitem__)))
    return found


async def totals(session: AsyncSession, now: datetime, section_type_ids: Iterable[int]) -> dict[int, TypeTotals]:
    """Each type's counted free beds per hospital, reading only what the count needs (no names: a change that
    alerts nobody never shows them)."""
    query = (select(Section.section_type_id, Section.hospital_id, Section.free_beds, Section.updated_at,
                    Section.confirmed_at, SectionType.update_interval_hours, Section.admission_status,
                    Section.admission_until, Hospital.admission_status, Hospital.admission_until)
             .join(SectionType, SectionType.id == Section.section_type_id)
             .join(Hospital, Hospital.organisation_id == Section.hospital_id)
             .where(Section.retired_at.is_(None), Hospital.retired_at.is_(None),
                    Section.section_type_id.in_(list(section_type_ids))))
    found: dict[int, dict[int, int]] = {type_id: {} for type_id in section_type_ids}
    for row in await session.execute(query):
        type_id, hospital_id, free, updated, confirmed, hours, own, own_until, whole, whole_until = row
        closed = _status(own, own_until, now) != "open" or _status(whole, whole_until, now) != "open"
        counted = 0 if closed or free <= 0 or is_stale(_later(updated, confirmed), now, hours) else free
        by_hospital = found[type_id]
        by_hospital[hospital_id] = by_hospital.get(hospital_id, 0) + counted
    return {type_id: TypeTotals(by_hospital) for type_id, by_hospital in found.items()}


@dataclass(frozen=True)
class TypeTotals:
    """One type's counted free beds per hospital, so that a thousand rules of that type each add up their
    hospitals without another query."""

    by_hospital: dict[int, int]

    def total(self, hospital_ids: Sequence[int]) -> int:
        if not hospital_ids:
            return sum(self.by_hospital.values())
        return sum(self.by_hospital.get(hospital_id, 0) for hospital_id in hospital_ids)


def in_scope(hospital_ids: Sequence[int], hospital_id: int) -> bool:
    return not hospital_ids or hospital_id in hospital_ids
