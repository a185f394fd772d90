"""Sections as readers see them: joined with their hospital and type, occupancy derived, never stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType


@dataclass(frozen=True)
class Admission:
    """A hospital's or a section's admission status as readers see it (app/beds/admission.py sets it)."""

    status: str
    reason_code: str | None
    reason: str | None
    until: datetime | None
    set_by: str | None
    set_at: datetime | None
    version: int

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "reason_code": self.reason_code, "reason": self.reason,
                "until": _iso(self.until), "set_by": self.set_by, "set_at": _iso(self.set_at),
                "version": self.version}


OPEN = Admission("open", None, None, None, None, None, 1)
# The stricter of a hospital's and its section's status is the one an ambulance meets.
STRICTNESS = {"open": 0, "limited": 1, "closed": 2}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True)
class SectionView:
    id: int
    hospital_id: int
    hospital_name: str
    hospital_code: str
    hospital_type: str
    hospital_colour: str
    section_type: str
    section_type_id: int
    code: str
    name: str
    parent_id: int | None
    total_beds: int
    free_beds: int
    version: int
    updated_at: datetime | None
    updated_by: str | None
    confirmed_at: datetime | None
    confirmed_by: str | None
    # The section type's required update interval (``staleness.is_stale`` reads it).
    update_interval_hours: int
    admission: Admission = OPEN
    hospital_admission: Admission = OPEN
    retired: bool = False

    @property
    def admission_status(self) -> str:
        """What an ambulance meets: closed when the hospital or the section is closed, and so on."""
        return max(self.admission.status, self.hospital_admission.status, key=STRICTNESS.__getitem__)

    @property
    def occupied(self) -> int:
        return self.total_beds - self.free_beds

    @property
    def occupancy_pct(self) -> float | None:
        """Percent of approved beds occupied; a section with no approved beds has none."""
        if self.total_beds <= 0:
            return None
        return round(100 * self.occupied / self.total_beds, 1)

    @property
    def reported_at(self) -> datetime | None:
        """When someone last vouched for the number: changed it or confirmed it unchanged."""
        moments = [moment for moment in (self.updated_at, self.confirmed_at) if moment is not None]
        return max(moments, default=None)

    def as_json(self) -> dict[str, Any]:
        iso = _iso
        return {
            "id": self.id, "hospital_id": self.hospital_id, "hospital_name": self.hospital_name,
            "hospital_code": self.hospital_code, "hospital_type": self.hospital_type,
            "section_type": self.section_type, "section_type_id": self.section_type_id, "code": self.code,
            "name": self.name, "parent_id": self.parent_id, "total_beds": self.total_beds,
            "free_beds": self.free_beds, "occupancy_pct": self.occupancy_pct, "version": self.version,
            "updated_at": iso(self.updated_at), "updated_by": self.updated_by,
            "confirmed_at": iso(self.confirmed_at), "confirmed_by": self.confirmed_by,
            "reported_at": iso(self.reported_at), "update_interval_hours": self.update_interval_hours,
            # Null while open: most sections are open, and the two objects would add a third to every section of
            # every snapshot (1,500 sections: 1.0 MB became 1.45 MB). GET .../admission gives the version to write.
            "admission": None if self.admission.status == "open" else self.admission.as_json(),
            "hospital_admission": (None if self.hospital_admission.status == "open"
                                   else self.hospital_admission.as_json()),
            "admission_status": self.admission_status,
        }


# Plain columns, not ORM entities: a board of 10,000 sections loads in a fraction of the time, and readers
# never change what they read.
_COLUMNS = (
    Section.id, Section.hospital_id, Organisation.name.label("hospital_name"),
    Hospital.short_code.label("hospital_code"), HospitalType.code.label("hospital_type"),
    HospitalType.colour.label("hospital_colour"), SectionType.code.label("section_type"),
    Section.section_type_id, Section.code, Section.name, Section.parent_id, Section.total_beds, Section.free_beds,
    Section.version, Section.updated_at, Section.updated_by, Section.confirmed_at, Section.confirmed_by,
    SectionType.update_interval_hours,
    Section.admission_status, Section.admission_reason_code, Section.admission_reason, Section.admission_until,
    Section.admission_set_by, Section.admission_set_at, Section.admission_version,
    Hospital.admission_status, Hospital.admission_reason_code, Hospital.admission_reason, Hospital.admission_until,
    Hospital.admission_set_by, Hospital.admission_set_at, Hospital.admission_version,
    Section.retired_at,
)
_PLAIN = 19  # the columns before the section's admission, in SectionView's field order
_ADMISSION = 7
SectionQuery = Select[*tuple[Any, ...]]


def section_query() -> SectionQuery:
    return (
        select(*_COLUMNS)
        .select_from(Section)
        .join(Hospital, Hospital.organisation_id == Section.hospital_id)
        .join(Organisation, Organisation.id == Hospital.organisation_id)
        .join(HospitalType, HospitalType.id == Hospital.hospital_type_id)
        .join(SectionType, SectionType.id == Section.section_type_id)
    )


def _admission(values: Sequence[Any]) -> Admission:
    return OPEN if values[0] == "open" and values[6] == 1 else Admission(*values)


def to_view(row: Row[*tuple[Any, ...]]) -> SectionView:
    """By position (``_COLUMNS`` is in SectionView's field order, the two admissions' columns after the plain ones,
    retired_at last): a third of the time of going through names."""
    values = list(row)
    section_end = _PLAIN + _ADMISSION
    return SectionView(*[*values[:_PLAIN], _admission(values[_PLAIN:section_end]),
                         _admission(values[section_end:section_end + _ADMISSION]), values[-1] is not None])


async def views_of(session: AsyncSession, query: SectionQuery) -> list[SectionView]:
    return [to_view(row) for row in await session.execute(query)]


async def view_of(session: AsyncSession, section_id: int) -> SectionView | None:
    views = await views_of(session, section_query().where(Section.id == section_id))
    return views[0] if views else None


def nested(views: Iterable[SectionView]) -> list[tuple[SectionView, int]]:
    """Sections in reading order with their depth: each hospital's sections by name, sub-sections under
    their section."""
    ordered = sorted(views, key=lambda view: (view.hospital_name.casefold(), view.name.casefold(), view.id))
    children: dict[int | None, list[SectionView]] = {}
    present = {view.id for view in ordered}
    for view in ordered:
        parent = view.parent_id if view.parent_id in present else None
        children.setdefault(parent, []).append(view)
    result: list[tuple[SectionView, int]] = []

    def walk(siblings: Sequence[SectionView], depth: int) -> None:
        for view in siblings:
            result.append((view, depth))
            walk(children.get(view.id, []), depth + 1)

    roots = children.get(None, [])
    walk(roots, 0)
    return result
