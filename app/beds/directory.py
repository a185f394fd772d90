"""Hospitals, sections and their types as another domain names, picks and lists them, retired ones included.

The history labels audit rows, offers filter choices and rebuilds past boards from these reads; it learns
them here, as plain values, instead of querying beds' tables itself, so that the tables may change behind
this module. Unlike ``queries`` (what API readers may see now, checked against the reader), nothing here is
narrowed to what is in service: a past board or an old log row names sections that have since been retired.
Callers check the permission to read the history first.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.beds.section_queries import SectionView, section_query, views_of

Choice = tuple[int, str]


@dataclass(frozen=True)
class SectionName:
    hospital_id: int
    hospital: str
    section: str


async def section_names(session: AsyncSession, ids: Collection[int] | None = None) -> dict[int, SectionName]:
    """Hospital and section names by section id (all of them for an export: there are thousands, not millions)."""
    query = select(Section.id, Section.hospital_id, Organisation.name, Section.name).join(
        Organisation, Organisation.id == Section.hospital_id)
    if ids is not None:
        query = query.where(Section.id.in_(ids))
    return {id_: SectionName(hospital_id, hospital, name) for id_, hospital_id, hospital, name in
            await session.execute(query)}


async def section_ids(session: AsyncSession, *, hospital_id: int | None = None, section_id: int | None = None,
                      section_type_id: int | None = None) -> list[int]:
    """The ids of the sections that match every criterion given (every section when none is)."""
    query = select(Section.id)
    if hospital_id is not None:
        query = query.where(Section.hospital_id == hospital_id)
    if section_id is not None:
        query = query.where(Section.id == section_id)
    if section_type_id is not None:
        query = query.where(Section.section_type_id == section_type_id)
    return list(await session.scalars(query))


async def section_views(session: AsyncSession, ids: Collection[int] | None = None) -> list[SectionView]:
    """Every section as it stands now (or the ones asked for), retired ones too, unordered."""
    query = section_query()
    if ids is not None:
        query = query.where(Section.id.in_(ids))
    return await views_of(session, query)


async def retirements(session: AsyncSession) -> dict[int, datetime]:
    """When each retired section was retired (a view says only that it is)."""
    rows = await session.execute(select(Section.id, Section.retired_at).where(Section.retired_at.is_not(None)))
    return {id_: at for id_, at in rows if at is not None}  # the check tells the type checker what SQL did


def _name(row: SectionType | HospitalType, language: str) -> str:
    return row.name_ro if language == "ro" else row.name_en


async def hospital_choices(session: AsyncSession) -> list[Choice]:
    """Every hospital of the list, by name."""
    return [(id_, name) for id_, name in await session.execute(
        select(Organisation.id, Organisation.name).join(Hospital, Hospital.organisation_id == Organisation.id)
        .order_by(Organisation.name))]


async def section_type_choices(session: AsyncSession, language: str) -> list[Choice]:
    """Section types by their name in ``language`` (Romanian or English)."""
    rows = await session.scalars(select(SectionType))
    return sorted(((row.id, _name(row, language)) for row in rows), key=lambda pair: pair[1])


async def hospital_type_choices(session: AsyncSession, language: str) -> list[tuple[str, str]]:
    """Hospital types as (code, name), in the list's own order: the board's filter names them by code."""
    rows = await session.scalars(select(HospitalType).order_by(HospitalType.id))
    return [(row.code, _name(row, language)) for row in rows]


async def section_choices(session: AsyncSession, hospital_id: int) -> list[Choice]:
    """One hospital's sections, by name."""
    return [(id_, name) for id_, name in await session.execute(
        select(Section.id, Section.name).where(Section.hospital_id == hospital_id).order_by(Section.name))]
