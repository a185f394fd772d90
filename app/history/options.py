"""The choices the history forms offer: hospitals, section types and the sections of one hospital."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType


@dataclass(frozen=True)
class FormOptions:
    hospitals: list[tuple[int, str]]
    section_types: list[tuple[int, str]]
    hospital_types: list[tuple[str, str]]
    sections: list[tuple[int, str]]


async def form_options(session: AsyncSession, language: str, hospital_id: int | None) -> FormOptions:
    hospitals = (await session.execute(
        select(Organisation.id, Organisation.name).join(Hospital, Hospital.organisation_id == Organisation.id)
        .order_by(Organisation.name))).all()
    section_types = list(await session.scalars(select(SectionType)))
    hospital_types = list(await session.scalars(select(HospitalType).order_by(HospitalType.id)))
    sections: list[tuple[int, str]] = []
    if hospital_id is not None:
        sections = [(id_, name) for id_, name in await session.execute(
            select(Section.id, Section.name).where(Section.hospital_id == hospital_id).order_by(Section.name))]

    def name(row: SectionType | HospitalType) -> str:
        return row.name_ro if language == "ro" else row.name_en

    return FormOptions(
        hospitals=[(id_, hospital) for id_, hospital in hospitals],
        section_types=sorted(((row.id, name(row)) for row in section_types), key=lambda pair: pair[1]),
        hospital_types=[(row.code, name(row)) for row in hospital_types],
        sections=sections)
