"""What API readers may see: sections filtered in one query, hospitals and section types.

Coordinators, administrators and auditors (who may view the board) read every section in service;
operators and hospital systems read only their own hospital's. Retired sections and the sections of
retired hospitals are never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from accounts import permissions
from accounts.models import Organisation
from app.beds.errors import SectionNotFound
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.beds.section_queries import Admission, SectionQuery, SectionView, section_query, views_of
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _


@dataclass(frozen=True)
class SectionFilters:
    """Each filter narrows the list; several values of one filter mean any of them."""

    hospital_ids: tuple[int, ...] = ()
    section_type_ids: tuple[int, ...] = ()
    section_type_codes: tuple[str, ...] = ()
    hospital_type_codes: tuple[str, ...] = ()
    updated_before: datetime | None = None
    updated_after: datetime | None = None


def readable_hospital(actor: Actor) -> int | None:
    """The one hospital an actor may read, or None when it may read them all."""
    if permissions.may(actor, permissions.BOARD_VIEW):
        return None
    if permissions.may(actor, permissions.BEDS_WRITE_OWN_HOSPITAL) and actor.organisation_id is not None:
        return actor.organisation_id
    raise PermissionDenied(_("You may not read the bed board."))


def _in_service() -> tuple[ColumnElement[bool], ...]:
    return Section.retired_at.is_(None), Hospital.retired_at.is_(None)


async def _check_codes(session: AsyncSession, column: InstrumentedAttribute[str], codes: Iterable[str],
                       message: str, field: str) -> None:
    """An unknown code is refused rather than silently matching nothing: it is almost always a typo."""
    wanted = set(codes)
    known = set(await session.scalars(select(column).where(column.in_(wanted)))) if wanted else set()
    unknown = sorted(wanted - known)
    if unknown:
        raise ValidationFailed(message, code=unknown[0], details={"field": field})


async def _filtered(session: AsyncSession, query: SectionQuery, filters: SectionFilters) -> SectionQuery:
    if filters.hospital_ids:
        query = query.where(Section.hospital_id.in_(filters.hospital_ids))
    if filters.section_type_ids or filters.section_type_codes:
        await _check_codes(session, SectionType.code, filters.section_type_codes,
                           _("There is no section type with the code {code}."), "section_type")
        query = query.where(or_(Section.section_type_id.in_(filters.section_type_ids),
                                SectionType.code.in_(filters.section_type_codes)))
    if filters.hospital_type_codes:
        await _check_codes(session, HospitalType.code, filters.hospital_type_codes,
                           _("There is no hospital type with the code {code}."), "hospital_type")
        query = query.where(HospitalType.code.in_(filters.hospital_type_codes))
    if filters.updated_before is not None:
        # A section never updated counts as updated before any time: it is the stalest of all.
        query = query.where(or_(Section.updated_at.is_(None), Section.updated_at < filters.updated_before))
    if filters.updated_after is not None:
        query = query.where(Section.updated_at >= filters.updated_after)
    return query


async def list_sections(session: AsyncSession, *, actor: Actor, filters: SectionFilters) -> list[SectionView]:
    own = readable_hospital(actor)
    query = section_query().where(*_in_service())
    if own is not None:
        query = query.where(Section.hospital_id == own)
    query = await _filtered(session, query, filters)
    return await views_of(session, query.order_by(func.lower(Organisation.name), func.lower(Section.name),
                                                  Section.id))


async def one_section(session: AsyncSession, *, actor: Actor, section_id: int) -> SectionView:
    """Another hospital's section is refused (403, audited), like a write to it; a retired one is not found."""
    own = readable_hospital(actor)
    views = await views_of(session, section_query().where(Section.id == section_id, *_in_service()))
    if not views:
        raise SectionNotFound(_("There is no such section."), details={"section_id": section_id})
    if own is not None and views[0].hospital_id != own:
        raise PermissionDenied(_("You may see only the sections of your own hospital."),
                               details={"section_id": section_id})
    return views[0]


async def hospitals(session: AsyncSession, *, actor: Actor) -> list[dict[str, Any]]:
    own = readable_hospital(actor)
    query = (select(Organisation, Hospital, HospitalType)
             .join(Hospital, Hospital.organisation_id == Organisation.id)
             .join(HospitalType, HospitalType.id == Hospital.hospital_type_id)
             .where(Hospital.retired_at.is_(None)).order_by(func.lower(Organisation.name), Organisation.id))
    if own is not None:
        query = query.where(Organisation.id == own)
    return [{"id": organisation.id, "code": organisation.code, "short_code": hospital.short_code,
             "name": organisation.name, "hospital_type": hospital_type.code,
             "latitude": hospital.latitude, "longitude": hospital.longitude,
             "admission": Admission(hospital.admission_status, hospital.admission_reason_code,
                                    hospital.admission_reason, hospital.admission_until, hospital.admission_set_by,
                                    hospital.admission_set_at, hospital.admission_version).as_json()}
            for organisation, hospital, hospital_type in await session.execute(query)]


async def section_types(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(select(SectionType).order_by(SectionType.code))
    return [{"id": row.id, "code": row.code, "name_en": row.name_en, "name_ro": row.name_ro,
             "update_interval_hours": row.update_interval_hours} for row in rows]


async def hospital_types(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(select(HospitalType).order_by(HospitalType.id))
    return [{"code": row.code, "name_en": row.name_en, "name_ro": row.name_ro, "colour": row.colour} for row in rows]


async def is_listed_hospital(session: AsyncSession, organisation_id: int) -> bool:
    """Whether the organisation is a hospital of the approved list (an operator's screen needs one)."""
    return await session.get(Hospital, organisation_id) is not None


MAX_REASON_LOOKUPS = 200


async def negative_reasons(session: AsyncSession, section_ids: Iterable[int]) -> dict[int, str]:
    """The reason the operator gave for each of these sections' last count, where that count was negative.

    The reason lives only in the audit log (the write stores it with the change, app/beds/service.py), so the board
    asks for it when a coordinator opens a cell rather than carrying it in every live frame.
    """
    wanted = {str(section_id) for section_id in list(section_ids)[:MAX_REASON_LOOKUPS]}
    if not wanted:
        return {}
    rows = await session.execute(
        select(AuditEvent.object_id, AuditEvent.after)
        .where(AuditEvent.action == "beds.free_beds_set", AuditEvent.object_id.in_(wanted))
        .order_by(AuditEvent.seq.desc()))
    reasons: dict[int, str] = {}
    seen: set[str] = set()
    for object_id, after in rows:
        if object_id is None or object_id in seen:
            continue
        seen.add(object_id)  # only the last count of each section counts
        if isinstance(after, dict) and isinstance(after.get("free_beds"), int) and after["free_beds"] < 0 \
                and isinstance(after.get("reason"), str):
            reasons[int(object_id)] = after["reason"]
        if len(seen) == len(wanted):
            break
    return reasons
