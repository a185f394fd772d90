"""The bed board's demo: the ministry and two ambulance services, hospitals and their bed sections, and a login
for each of the board's roles; plausible, clearly demo, the same on every machine.

Generated from a fixed seed so that screenshots and guides match what ``bedboard demo`` shows. Some
sections were last reported long ago (to show the 24-hour staleness warning) and two carry negative
counts (the seed's exceptional "-1"). Counts are timed relative to the moment of loading.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.demo_data import Demo, DemoOrganisation, DemoUser


@dataclass(frozen=True)
class DemoHospital:
    code: str
    name: str
    hospital_type: str


DEMO_HOSPITALS = (
    DemoHospital("H-FLOR", "Spitalul Clinic de Urgență Demo Floreasca", "emergency"),
    DemoHospital("H-BAGD", "Spitalul Clinic de Urgență Demo Bagdasar-Arseni", "emergency"),
    DemoHospital("H-UNIV", "Spitalul Universitar de Urgență Demo București", "emergency"),
    DemoHospital("H-ELIAS", "Spitalul Universitar de Urgență Demo Elias", "emergency"),
    DemoHospital("H-COLT", "Spitalul Clinic Demo Colțea", "clinical"),
    DemoHospital("H-MSCU", "Spitalul Clinic de Urgență pentru Copii Demo Marie Curie", "paediatric"),
    DemoHospital("H-SJUD", "Spitalul Clinic de Urgență Demo Sfântul Ioan", "emergency"),
    DemoHospital("H-MILT", "Spitalul Universitar de Urgență Militar Central Demo", "emergency"),
    DemoHospital("H-PANT", "Spitalul Clinic Demo Sfântul Pantelimon", "clinical"),
    DemoHospital("H-CARI", "Spitalul Clinic Demo Caritas", "clinical"),
    DemoHospital("H-FILA", "Spitalul Clinic Demo Filantropia", "clinical"),
    DemoHospital("H-COLE", "Spitalul Clinic Demo Coltea Nord", "clinical"),
    DemoHospital("H-MARI", "Spitalul Clinic Demo Sfânta Maria", "clinical"),
    DemoHospital("H-MALA", "Spitalul Clinic Demo Malaxa", "clinical"),
    DemoHospital("H-GROZ", "Spitalul Clinic de Copii Demo Grigore Alexandrescu", "paediatric"),
    DemoHospital("H-BUDI", "Spitalul Clinic de Copii Demo Budimex", "paediatric"),
    DemoHospital("H-VICT", "Spitalul Clinic de Copii Demo Victor Gomoiu", "paediatric"),
    DemoHospital("H-IBAL", "Institutul de Boli Cardiovasculare Demo C.C. Iliescu", "specialised"),
    DemoHospital("H-INBI", "Institutul Național de Boli Infecțioase Demo Matei Balș", "specialised"),
    DemoHospital("H-ONCO", "Institutul Oncologic Demo București", "specialised"),
    DemoHospital("H-NEUR", "Institutul de Neurologie Demo", "specialised"),
    DemoHospital("H-PNEU", "Institutul de Pneumoftiziologie Demo Marius Nasta", "specialised"),
    DemoHospital("H-FUND", "Institutul Clinic Demo Fundeni", "specialised"),
    DemoHospital("H-OBRE", "Spitalul Clinic de Psihiatrie Demo Obregia", "specialised"),
    DemoHospital("H-BALS", "Spitalul Clinic Demo Dr. Ion Cantacuzino", "clinical"),
)

ADULT_TYPES = ("icu", "surgery", "orthopaedics", "cardiology", "neurology", "neurosurgery", "internal_medicine",
               "urology", "gastroenterology", "pneumology", "nephrology", "burns", "ophthalmology", "ent",
               "haematology", "oncology", "toxicology", "obstetrics", "infectious", "cardiac_surgery")
CHILD_TYPES = ("paediatrics", "icu", "surgery", "orthopaedics", "neonatology", "neurology", "burns", "ent",
               "ophthalmology", "infectious", "toxicology", "cardiology")
# Sub-sections found in Romanian hospitals: a compartment inside a section.
SUB_SECTIONS = {
    "cardiology": ("coronary_icu", "Compartiment Terapie Intensivă Coronarieni"),
    "icu": ("icu", "Compartiment Terapie Intensivă Postoperatorie"),
    "surgery": ("surgery", "Compartiment Chirurgie Toracică"),
    "neurology": ("neurology", "Compartiment Unitate Accident Vascular Cerebral"),
}
STALE_SECTIONS = 8
NEGATIVE_VALUES = (-1, -2)


@dataclass(frozen=True)
class _Plan:
    section_type: str
    name: str
    total: int
    free: int
    age: timedelta
    parent_index: int | None = None


def _plans_for(hospital: DemoHospital, names: dict[str, str], rng: random.Random) -> list[_Plan]:
    pool = CHILD_TYPES if hospital.hospital_type == "paediatric" else ADULT_TYPES
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(9, 16)))
    plans: list[_Plan] = []
    for type_code in chosen:
        total = rng.randint(8, 60)
        plans.append(_Plan(type_code, f"Secția {names[type_code]}", total, rng.randint(0, max(1, total // 3)),
                           timedelta(minutes=rng.randint(2, 6 * 60))))
        if type_code in SUB_SECTIONS and rng.random() < 0.7:
            sub_type, sub_name = SUB_SECTIONS[type_code]
            sub_total = rng.randint(4, 12)
            plans.append(_Plan(sub_type, sub_name, sub_total, rng.randint(0, sub_total // 2),
                               timedelta(minutes=rng.randint(2, 6 * 60)), parent_index=len(plans) - 1))
    return plans


def _demo_plans(names: dict[str, str]) -> dict[str, list[_Plan]]:
    rng = random.Random(20090730)  # the day the seed's order was published
    plans = {hospital.code: _plans_for(hospital, names, rng) for hospital in DEMO_HOSPITALS}
    every = [(code, index) for code, hospital_plans in plans.items() for index in range(len(hospital_plans))]
    picked = rng.sample(every, k=STALE_SECTIONS + len(NEGATIVE_VALUES))
    for number, (code, index) in enumerate(picked):
        plan = plans[code][index]
        if number < STALE_SECTIONS:
            # From a little past the 24-hour warning to "2 days, 3 hours, 10 minutes" (the seed's example).
            age = (timedelta(hours=25), timedelta(days=2, hours=3, minutes=10))[number] if number < 2 else \
                timedelta(days=number, hours=number * 2, minutes=number * 7)
            plans[code][index] = _Plan(plan.section_type, plan.name, plan.total, plan.free, age, plan.parent_index)
        else:
            plans[code][index] = _Plan(plan.section_type, plan.name, plan.total,
                                       NEGATIVE_VALUES[number - STALE_SECTIONS], plan.age, plan.parent_index)
    return plans


async def _add_sections(session: AsyncSession, actor: Actor, hospital_id: int, plans: list[_Plan],
                        type_ids: dict[str, int], now: datetime) -> None:
    created: list[Section] = []
    for number, plan in enumerate(plans, start=1):
        parent = created[plan.parent_index] if plan.parent_index is not None else None
        section = Section(hospital_id=hospital_id, parent_id=parent.id if parent else None,
                          section_type_id=type_ids[plan.section_type], code=f"S{number:02d}", name=plan.name,
                          total_beds=plan.total, free_beds=plan.free, version=1, updated_at=now - plan.age,
                          updated_by="demo")
        session.add(section)
        await session.flush()
        created.append(section)
        await audit.record(session, actor=actor, action="beds.section_added", object_type="section",
                           object_id=section.id,
                           after={"hospital_id": hospital_id, "code": section.code, "name": section.name,
                                  "total_beds": section.total_beds, "free_beds": section.free_beds,
                                  "updated_at": section.updated_at.isoformat() if section.updated_at else None})


async def ensure_bed_demo(session: AsyncSession, actor: Actor, organisations: Mapping[str, int]) -> int:
    """Give every demo hospital its bed-board row and sections, once; returns how many hospitals were new."""
    type_ids = {row.code: row.id for row in await session.scalars(select(SectionType))}
    names = {row.code: row.name_ro for row in await session.scalars(select(SectionType))}
    hospital_types = {row.code: row.id for row in await session.scalars(select(HospitalType))}
    existing = set(await session.scalars(select(Hospital.organisation_id)))
    plans = _demo_plans(names)
    now, added = session_now(session), 0
    for hospital in DEMO_HOSPITALS:
        organisation_id = organisations[hospital.code]
        if organisation_id in existing:
            continue
        session.add(Hospital(organisation_id=organisation_id,
                             hospital_type_id=hospital_types[hospital.hospital_type], short_code=hospital.code))
        await session.flush()
        await _add_sections(session, actor, organisation_id, plans[hospital.code], type_ids, now)
        added += 1
    return added


async def _before_users(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    # The hospitals' rows and sections come before the logins, as in every demo so far (the audit log's order).
    await ensure_bed_demo(uow.session, actor, organisations)


AUTHORITIES = (
    DemoOrganisation("MS", "Ministerul Sănătății", "authority"),
    DemoOrganisation("SAMB", "Serviciul de Ambulanță București-Ilfov", "authority"),
    DemoOrganisation("SMURD", "SMURD București", "authority"),
)
DEMO = Demo(
    organisations=[*AUTHORITIES,
                   *(DemoOrganisation(hospital.code, hospital.name, "hospital", "MS") for hospital in DEMO_HOSPITALS)],
    users=[
        DemoUser("admin.samb", "Demo Administrator SAMB", "admin", "SAMB"),
        DemoUser("coord.samb", "Demo Coordinator SAMB", "coordinator", "SAMB"),
        DemoUser("audit.ms", "Demo Auditor MS", "auditor", "MS"),
        DemoUser("op.floreasca", "Demo Operator Floreasca", "operator", "H-FLOR", owner_code="SAMB"),
        DemoUser("admin.ms", "Demo Administrator MS", "admin", "MS"),
    ],
    before_users=_before_users,
)
