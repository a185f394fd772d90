"""The choices the history forms offer: hospitals, section types and the sections of one hospital."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.interface import hospital_choices, hospital_type_choices, section_choices, section_type_choices


@dataclass(frozen=True)
class FormOptions:
    hospitals: list[tuple[int, str]]
    section_types: list[tuple[int, str]]
    hospital_types: list[tuple[str, str]]
    sections: list[tuple[int, str]]


async def form_options(session: AsyncSession, language: str, hospital_id: int | None) -> FormOptions:
    return FormOptions(
        hospitals=await hospital_choices(session),
        section_types=await section_type_choices(session, language),
        hospital_types=await hospital_type_choices(session, language),
        sections=[] if hospital_id is None else await section_choices(session, hospital_id))
