"""Hospitals and sections for tests, written straight to the tables the nomenclature import fills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.kit.state import AppServices


async def make_hospital(services: AppServices, code: str, name: str | None = None,
                        hospital_type: str = "emergency") -> int:
    """Creates a hospital organisation with its bed-board row; returns the organisation id."""
    async with services.unit_of_work() as uow:
        type_id = await uow.session.scalar(select(HospitalType.id).where(HospitalType.code == hospital_type))
        assert type_id is not None, hospital_type
        organisation = Organisation(code=code, name=name or f"Spitalul {code}", kind="hospital")
        uow.session.add(organisation)
        await uow.session.flush()
        uow.session.add(Hospital(organisation_id=organisation.id, hospital_type_id=type_id, short_code=code))
        return organisation.id


async def make_section(
    services: AppServices, hospital_id: int, name: str, *, total_beds: int = 20, free_beds: int = 5,
    section_type: str = "surgery", parent_id: int | None = None, code: str | None = None,
    updated_at: datetime | None = None, updated_by: str | None = None,
) -> int:
    async with services.unit_of_work() as uow:
        type_id = await uow.session.scalar(select(SectionType.id).where(SectionType.code == section_type))
        assert type_id is not None, section_type
        section = Section(hospital_id=hospital_id, parent_id=parent_id, section_type_id=type_id,
                          code=code or name.lower().replace(" ", "-"), name=name, total_beds=total_beds,
                          free_beds=free_beds, version=1, updated_at=updated_at, updated_by=updated_by)
        uow.session.add(section)
        await uow.session.flush()
        return section.id
