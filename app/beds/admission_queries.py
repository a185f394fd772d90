"""Past admission statuses for readers of the history: the stretches a hospital or a section was limited or closed.

The history's chart bands, its log and the closures report read ``admission_periods`` (written with each status,
app/beds/admission.py) through this module, as plain values, never the ORM rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import AdmissionPeriod, AdmissionReason, Section


@dataclass(frozen=True)
class AdmissionStretch:
    """One stretch during which a hospital (``section_id`` None) or a section was limited or closed."""

    hospital_id: int
    hospital: str
    section_id: int | None
    section: str | None
    status: str  # "limited" or "closed"
    reason_code: str
    reason_en: str
    reason_ro: str
    reason: str | None  # the words the setter added ("other" needs them)
    started_at: datetime
    started_by: str
    until: datetime  # the expiry set with it
    ended_at: datetime | None  # None: still in force
    ended_how: str | None  # "expired", "reopened", "replaced"

    def reason_name(self, language: str) -> str:
        return self.reason_ro if language == "ro" else self.reason_en

    def end(self, now: datetime) -> datetime:
        """When it ended, or ``now`` for one still in force."""
        return self.ended_at if self.ended_at is not None else now


def _sections_and_hospitals(section_ids: Collection[int]) -> ColumnElement[bool]:
    """The periods of these sections and of the hospitals they belong to (a hospital closed closes its sections)."""
    hospitals = select(Section.hospital_id).where(Section.id.in_(section_ids))
    return or_(AdmissionPeriod.section_id.in_(section_ids),
               and_(AdmissionPeriod.section_id.is_(None), AdmissionPeriod.hospital_id.in_(hospitals)))


async def admission_stretches(session: AsyncSession, *, since: datetime, until: datetime,
                              section_ids: Collection[int] | None = None) -> list[AdmissionStretch]:
    """Every stretch that overlaps ``[since, until)``, oldest first: of the given sections and their hospitals, or
    of every hospital and section when ``section_ids`` is None. Retired ones included: the past is as it was."""
    where = true() if section_ids is None else _sections_and_hospitals(section_ids)
    rows = await session.execute(
        select(AdmissionPeriod, Organisation.name, Section.name, AdmissionReason.name_en, AdmissionReason.name_ro)
        .join(Organisation, Organisation.id == AdmissionPeriod.hospital_id)
        .outerjoin(Section, Section.id == AdmissionPeriod.section_id)
        .outerjoin(AdmissionReason, AdmissionReason.code == AdmissionPeriod.reason_code)
        .where(where, AdmissionPeriod.started_at < until,
               or_(AdmissionPeriod.ended_at.is_(None), AdmissionPeriod.ended_at > since))
        .order_by(AdmissionPeriod.started_at, AdmissionPeriod.id))
    return [AdmissionStretch(
        hospital_id=period.hospital_id, hospital=hospital, section_id=period.section_id, section=section,
        status=period.status, reason_code=period.reason_code, reason_en=name_en or period.reason_code,
        reason_ro=name_ro or period.reason_code, reason=period.reason, started_at=period.started_at,
        started_by=period.started_by, until=period.until, ended_at=period.ended_at, ended_how=period.ended_how)
        for period, hospital, section, name_en, name_ro in rows]


async def admission_reason_names(session: AsyncSession, language: str) -> dict[str, str]:
    """Every reason of the list, retired ones too (an old log row names them), by code, in ``language``."""
    rows = await session.execute(select(AdmissionReason.code, AdmissionReason.name_en, AdmissionReason.name_ro))
    return {code: name_ro if language == "ro" else name_en for code, name_en, name_ro in rows}
