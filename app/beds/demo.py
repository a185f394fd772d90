"""The bed board's demo: the ministry and two ambulance services, hospitals and their bed sections, and a login
for each of the board's roles; plausible, clearly demo, the same on every machine.

Generated from a fixed seed so that screenshots and guides match what ``bedboard demo`` shows. Some
sections were last reported long ago (to show the 24-hour staleness warning) and two carry negative
counts (the seed's exceptional "-1"). Counts are timed relative to the moment of loading.

The numbers have their history: every section is added nine days back (``beds.section_added``, before the
7-day chart's window) and its counts of the past week are written through the audited service
(``service.set_free_beds``) at back-dated moments, the unit of work's clock set to each moment in turn, in time
order across all hospitals (the log's order is its time order, which the chart and the board-as-it-was read).
So the live board, the board as it was (``/audit/board``) and the evolution chart tell one story. The writer is
a demo operator of each hospital ("demo", an actor of the operator role bound to that hospital, with no login:
``user_id`` 0), so the service's scope check runs as for any operator.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds import admission
from app.beds.demo_locations import DEMO_LOCATIONS
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.beds.service import set_free_beds
from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import Clock, ManualClock
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
# Sections are added this long before loading: before the chart's 7 days and the oldest stale report (7 d 15 h).
ADDED_BEFORE = timedelta(days=9)
HISTORY_DAYS = 7
# Between two reports of a section: at most 24 h, as operators are asked, or the chart greys the stretch as stale.
# About four counts a section in the week: enough for the chart to move and the past board to differ from today,
# at half the writes of a daily count (3,282 audited writes made the demo about 10 s on SQLite, 20 s under tests).
REPORT_EVERY = (timedelta(hours=36), timedelta(hours=47))
NEGATIVE_REASON = "Pacienți internați pe paturi suplimentare (demo)"
DEMO_OPERATOR = "demo"


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


@dataclass(frozen=True)
class _Report:
    """One count a demo section reported: written through the service at ``at``."""

    at: datetime
    hospital_id: int
    section_id: int
    free_beds: int


def _reports_of(section: Section, plan: _Plan, now: datetime, rng: random.Random) -> list[_Report]:
    """The section's counts of the past week, oldest first: one before the week began, then one every 36 to 47
    hours up to its current count ``plan.free``, reported ``plan.age`` ago (a stale section stopped reporting then;
    one older than the week has only that count)."""
    last, week_before = now - plan.age, now - timedelta(days=HISTORY_DAYS, hours=1)
    ceiling, moments, moment = max(1, plan.total // 3), [], last
    while moment > week_before:
        low, high = (int(bound.total_seconds() // 60) for bound in REPORT_EVERY)
        moment -= timedelta(minutes=rng.randint(low, high))
        moments.append(moment)
    earlier = [_Report(at, section.hospital_id, section.id, rng.randint(0, ceiling)) for at in reversed(moments)]
    return [*earlier, _Report(last, section.hospital_id, section.id, plan.free)]


async def _add_sections(session: AsyncSession, actor: Actor, hospital_id: int, plans: list[_Plan],
                        type_ids: dict[str, int], rng: random.Random, now: datetime) -> list[_Report]:
    """The sections as they were when added (their first count, no report yet); returns the counts to write."""
    created: list[Section] = []
    reports: list[_Report] = []
    for number, plan in enumerate(plans, start=1):
        parent = created[plan.parent_index] if plan.parent_index is not None else None
        section = Section(hospital_id=hospital_id, parent_id=parent.id if parent else None,
                          section_type_id=type_ids[plan.section_type], code=f"S{number:02d}", name=plan.name,
                          total_beds=plan.total, free_beds=0, version=1)
        session.add(section)
        await session.flush()
        created.append(section)
        reports += _reports_of(section, plan, now, rng)
        await audit.record(session, actor=actor, action="beds.section_added", object_type="section",
                           object_id=section.id,
                           after={"hospital_id": hospital_id, "code": section.code, "name": section.name,
                                  "total_beds": section.total_beds, "free_beds": section.free_beds,
                                  "updated_at": None})
    return reports


def demo_operator(hospital_id: int) -> Actor:
    """The hospital's demo operator with no login (``user_id`` 0): who reports the demo's counts and, in the
    dispatch's demo, acknowledges and receives its patients."""
    return Actor(username=DEMO_OPERATOR, source="cli", user_id=0, display_name="Demo",
                 organisation_id=hospital_id, organisation_kind="hospital", roles=frozenset({"operator"}))


@dataclass(frozen=True)
class _Admission:
    """A status a demo hospital (or its section of ``section_type``) was given ``ago``; ``reopened_after`` ends it."""

    hospital: str
    section_type: str | None
    status: str
    reason_code: str
    reason: str | None
    ago: timedelta
    lasts: timedelta
    reopened_after: timedelta | None = None


# One hospital closed now, one section limited now, and closures of the past week (the report and the chart's
# bands show them): set and ended through the audited service, like everything else the demo shows.
DEMO_ADMISSIONS = (
    _Admission("H-UNIV", None, "closed", "mass_casualty", "Accident rutier cu victime multiple (demo)",
               timedelta(days=3, hours=5), timedelta(hours=4), reopened_after=timedelta(hours=3)),
    _Admission("H-FLOR", "icu", "closed", "icu_full", None, timedelta(days=1, hours=9), timedelta(hours=6)),
    _Admission("H-ELIAS", None, "closed", "ct_down", "CT defect, tehnicianul sosește la 18:00 (demo)",
               timedelta(hours=1), timedelta(hours=4)),
    _Admission("H-BAGD", "neurosurgery", "limited", "no_surgeon",
               "Doar pacienți fără indicație neurochirurgicală (demo)", timedelta(minutes=40), timedelta(hours=6)),
)


async def _set_admissions(uow: UnitOfWork, organisations: Mapping[str, int], now: datetime) -> None:
    """The demo's statuses, each through ``admission.set_admission`` at its back-dated moment, in time order; a past
    closure that was not reopened by hand ends at its expiry through ``expire_due``, as the job would end it."""
    session = uow.session
    kept: Clock | None = session.info.get("clock")
    moves: list[tuple[datetime, _Admission, str]] = []
    for plan in DEMO_ADMISSIONS:
        moves.append((now - plan.ago, plan, plan.status))
        if plan.reopened_after is not None:
            moves.append((now - plan.ago + plan.reopened_after, plan, "open"))
        elif plan.lasts < plan.ago:
            moves.append((now - plan.ago + plan.lasts, plan, "expire"))
    try:
        for moment, plan, status in sorted(moves, key=lambda move: move[0]):
            session.info["clock"] = ManualClock(moment)
            hospital_id = organisations[plan.hospital]
            if status == "expire":
                await admission.expire_due(uow)
                continue
            section_id = None
            if plan.section_type is not None:
                section_id = await session.scalar(
                    select(Section.id).join(SectionType, SectionType.id == Section.section_type_id)
                    .where(Section.hospital_id == hospital_id, SectionType.code == plan.section_type,
                           Section.parent_id.is_(None)).order_by(Section.id).limit(1))
                if section_id is None:
                    continue
            row = await (session.get(Section, section_id) if section_id is not None
                         else session.get(Hospital, hospital_id))
            assert row is not None
            await admission.set_admission(
                uow, actor=demo_operator(hospital_id), target=admission.Target(hospital_id, section_id),
                request=admission.AdmissionRequest(
                    status=status, reason_code=plan.reason_code if status != "open" else None,
                    reason=plan.reason if status != "open" else None,
                    until=moment + plan.lasts if status != "open" else None,
                    expected_version=row.admission_version))
    finally:
        session.info["clock"] = kept


async def _write_reports(uow: UnitOfWork, reports: list[_Report]) -> None:
    """Every count through the audited write, in time order, the unit of work's clock at each report's moment."""
    session = uow.session
    kept: Clock | None = session.info.get("clock")
    versions: dict[int, int] = {}
    try:
        for report in sorted(reports, key=lambda item: (item.at, item.section_id)):
            session.info["clock"] = ManualClock(report.at)
            version = versions.get(report.section_id, 1)
            await set_free_beds(uow, actor=demo_operator(report.hospital_id), section_id=report.section_id,
                                free_beds=report.free_beds, expected_version=version,
                                reason=NEGATIVE_REASON if report.free_beds < 0 else None)
            versions[report.section_id] = version + 1
    finally:
        session.info["clock"] = kept


async def ensure_bed_demo(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> int:
    """Give every demo hospital its bed-board row and sections with a week of counts, once; returns how many
    hospitals were new."""
    session = uow.session
    type_ids = {row.code: row.id for row in await session.scalars(select(SectionType))}
    names = {row.code: row.name_ro for row in await session.scalars(select(SectionType))}
    hospital_types = {row.code: row.id for row in await session.scalars(select(HospitalType))}
    existing = set(await session.scalars(select(Hospital.organisation_id)))
    plans = _demo_plans(names)
    now, added = session_now(session), 0
    rng = random.Random(19620820)  # apart from the plans' generator, so that the sections stay as they were
    reports: list[_Report] = []
    kept: Clock | None = session.info.get("clock")
    session.info["clock"] = ManualClock(now - ADDED_BEFORE)
    try:
        for hospital in DEMO_HOSPITALS:
            organisation_id = organisations[hospital.code]
            if organisation_id in existing:
                continue
            latitude, longitude = DEMO_LOCATIONS[hospital.code]
            session.add(Hospital(organisation_id=organisation_id,
                                 hospital_type_id=hospital_types[hospital.hospital_type], short_code=hospital.code,
                                 latitude=latitude, longitude=longitude))
            await session.flush()
            reports += await _add_sections(session, actor, organisation_id, plans[hospital.code], type_ids, rng, now)
            added += 1
    finally:
        session.info["clock"] = kept
    await _write_reports(uow, reports)
    if added:
        await _set_admissions(uow, organisations, now)
    return added


async def _before_users(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    # The hospitals' rows and sections come before the logins, as in every demo so far (the audit log's order).
    await ensure_bed_demo(uow, actor, organisations)


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
