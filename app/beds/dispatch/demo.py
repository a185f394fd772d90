"""The dispatch's demo (issue 22): patients SAMB's coordinator announced to the demo hospitals, a few still on the
way and a week of past ones, each step made through the same services a coordinator and an operator use.

Open now: four announcements made minutes before loading, to two hospitals, three of them holding a bed; Floreasca has
one its demo operator (op.floreasca) acknowledged and one still waiting, so its screen shows the incoming-patients
panel with its sound and the board shows "1 held · 1 announced" in its cells. Two hospitals, not four: each cell with
counts widens its column and the hospitals' names wrap, and four rows with counts took the 1366 px desk matrix past
its two screens (tests/e2e/test_board_matrix.py). Their ETAs put the expiry (ETA + 30 minutes) 40 to 62 minutes after
loading, so a fresh ``make run`` shows them for most of an hour; the waiting one raises the "not acknowledged" alert
about two minutes after loading, once the server's job runs (that is part of the story).

Past: fourteen announcements of the last six days that arrived, were cancelled with a reason, or expired with nobody
answering (after the "not acknowledged" alert), so /audit/holds has holds on several days. As the bed demo dates its
counts (app/beds/demo.py), each step runs with the unit of work's clock set to its back-dated moment, in time order,
and the expiries are the job's own functions (``expiry.alert_unacknowledged``, ``expiry.expire_due``) at the moment
the job would have run them. So the history, the audit log, the board's counts and the hospital's screen agree.

The hold time and the alert delay are the defaults (``DispatchLimits()``): a demo step is not given the settings.
A hold is made only while the section type has a free bed no other hold takes, so an installation whose counts
moved since its first demo still loads. Loaded once: nothing is added when any announcement exists. Notes carry
no names and no personal numbers, like every announcement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.sessions import actor_for
from app.beds.demo import demo_operator
from app.beds.dispatch import announcements, expiry, holds
from app.beds.dispatch.announcements import AnnouncementDraft
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import Announcement
from app.beds.models import Hospital, SectionType
from app.kit.actors import Actor
from app.kit.clock import Clock, ManualClock
from app.kit.db import UnitOfWork, session_now
from app.kit.demo_data import Demo

COORDINATOR, AUTHORITY = "coord.samb", "SAMB"
# The hospital whose demo operator has a login: its screen is the one the guides show.
OPERATORS = {"H-FLOR": "op.floreasca"}
LIMITS = DispatchLimits()


@dataclass(frozen=True)
class _Patient:
    """An announcement made ``ago`` before loading; ``ending`` (arrived, cancelled, expired) ``ended_after`` the
    announcement, or None while it is open."""

    hospital: str
    section_type: str
    category: str
    urgency: str
    age_band: str
    eta_minutes: int
    ago: timedelta
    note: str | None = None
    flags: tuple[str, ...] = ()
    hold: bool = True
    acknowledged_after: timedelta | None = None
    ending: str | None = None
    ended_after: timedelta | None = None
    reason: str | None = None


def _minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


def _ago(days: int, hours: int) -> timedelta:
    return timedelta(days=days, hours=hours)


OPEN = (
    _Patient("H-FLOR", "orthopaedics", "trauma", "urgent", "18-64", 30, _minutes(4),
             "Cădere de pe schelă, fractură de femur, conștient (demo)", acknowledged_after=_minutes(1)),
    _Patient("H-FLOR", "icu", "respiratory", "immediate", "65+", 20, _minutes(1),
             "Insuficiență respiratorie, SpO2 84% (demo)", flags=("ventilated",)),
    _Patient("H-UNIV", "cardiology", "stemi", "immediate", "65+", 15, _minutes(5),
             "Durere toracică de 40 de minute, ECG transmis (demo)", acknowledged_after=_minutes(1)),
    _Patient("H-UNIV", "icu", "burns", "urgent", "18-64", 35, _minutes(3), "Arsuri 20%, inhalare de fum (demo)",
             hold=False, acknowledged_after=_minutes(2)),
)
DIVERTED = "Dus la un spital mai apropiat (demo)"
PAST = (
    _Patient("H-FLOR", "surgery", "trauma", "urgent", "18-64", 20, _ago(6, 3), "Accident rutier (demo)",
             acknowledged_after=_minutes(2), ending="arrived", ended_after=_minutes(22)),
    _Patient("H-UNIV", "neurology", "stroke", "immediate", "65+", 15, _ago(6, 1), "Debut de 50 de minute (demo)",
             acknowledged_after=_minutes(1), ending="arrived", ended_after=_minutes(16)),
    _Patient("H-BAGD", "cardiology", "stemi", "immediate", "65+", 12, _ago(5, 7), None,
             acknowledged_after=_minutes(1), ending="arrived", ended_after=_minutes(14)),
    _Patient("H-FLOR", "icu", "respiratory", "urgent", "65+", 25, _ago(5, 2), None, flags=("ventilated",),
             acknowledged_after=_minutes(2), ending="cancelled", ended_after=_minutes(10), reason=DIVERTED),
    _Patient("H-MSCU", "icu", "paediatric", "urgent", "1-17", 30, _ago(4, 9), "Intoxicație (demo)",
             acknowledged_after=_minutes(2), ending="arrived", ended_after=_minutes(35)),
    _Patient("H-SJUD", "orthopaedics", "trauma", "normal", "18-64", 40, _ago(4, 4), None, hold=False,
             acknowledged_after=_minutes(2), ending="arrived", ended_after=_minutes(45)),
    _Patient("H-MILT", "icu", "burns", "immediate", "18-64", 18, _ago(3, 6), "Incendiu în locuință (demo)",
             ending="expired"),
    _Patient("H-FLOR", "orthopaedics", "trauma", "urgent", "65+", 20, _ago(3, 1), "Fractură de șold (demo)",
             acknowledged_after=_minutes(1), ending="arrived", ended_after=_minutes(25)),
    _Patient("H-PANT", "neurology", "stroke", "immediate", "65+", 15, _ago(2, 8), None,
             acknowledged_after=_minutes(2), ending="arrived", ended_after=_minutes(17)),
    _Patient("H-BAGD", "obstetrics", "obstetric", "urgent", "18-64", 20, _ago(2, 2), None, flags=("pregnant",),
             acknowledged_after=_minutes(1), ending="cancelled", ended_after=_minutes(8),
             reason="Naștere la fața locului, transport fără urgență (demo)"),
    _Patient("H-FLOR", "cardiology", "stemi", "immediate", "65+", 15, _ago(1, 5), None,
             acknowledged_after=_minutes(1), ending="arrived", ended_after=_minutes(15)),
    _Patient("H-MILT", "icu", "respiratory", "urgent", "65+", 30, _ago(1, 1), None, ending="expired"),
    _Patient("H-UNIV", "surgery", "trauma", "urgent", "18-64", 25, _ago(0, 6), "Plagă înjunghiată abdominală (demo)",
             acknowledged_after=_minutes(2), ending="arrived", ended_after=_minutes(28)),
    _Patient("H-SJUD", "neurosurgery", "trauma", "immediate", "18-64", 15, _ago(0, 3), None,
             acknowledged_after=_minutes(1), ending="cancelled", ended_after=_minutes(5), reason=DIVERTED),
)
PATIENTS = (*PAST, *OPEN)
# The order of steps that fall on the same moment (none do today): announce before anything else happens to it.
STEP_ORDER = ("announce", "acknowledge", "unacknowledged", "arrived", "cancelled", "expired")


def _steps(now: datetime) -> list[tuple[datetime, int, int, str]]:
    """(moment, step order, patient index, step) for every patient, in time order."""
    steps: list[tuple[datetime, int, int, str]] = []
    for index, patient in enumerate(PATIENTS):
        start = now - patient.ago
        moves = [(start, "announce")]
        if patient.acknowledged_after is not None:
            moves.append((start + patient.acknowledged_after, "acknowledge"))
        elif patient.ago > LIMITS.ack_within:
            moves.append((start + LIMITS.ack_within, "unacknowledged"))
        if patient.ending == "expired":
            moves.append((start + _minutes(patient.eta_minutes) + LIMITS.after_eta, "expired"))
        elif patient.ending is not None and patient.ended_after is not None:
            moves.append((start + patient.ended_after, patient.ending))
        steps += [(moment, STEP_ORDER.index(step), index, step) for moment, step in moves]
    return sorted(steps)


async def _actor(session: AsyncSession, username: str) -> Actor | None:
    user = await session.scalar(select(User).where(User.username == username))
    return None if user is None else await actor_for(session, user, source="cli", client_address=None)


async def _draft(session: AsyncSession, patient: _Patient, hospital_id: int, type_id: int) -> AnnouncementDraft:
    draft = AnnouncementDraft(hospital_id=hospital_id, section_type_id=type_id, category=patient.category,
                              urgency=patient.urgency, age_band=patient.age_band, flags=patient.flags,
                              eta_minutes=patient.eta_minutes, note=patient.note, hold=patient.hold)
    if patient.hold:
        free = await holds.free_beds_of(session, hospital_id, type_id)
        if await holds.live_holds(session, hospital_id, type_id) >= free:
            return replace(draft, hold=False)
    return draft


class _Story:
    """The people and ids the steps need, read once."""

    def __init__(self, coordinator: Actor, hospitals: Mapping[str, int], types: Mapping[str, int],
                 operators: Mapping[int, Actor]) -> None:
        self.coordinator, self.hospitals, self.types, self.operators = coordinator, hospitals, types, operators
        self.made: dict[int, int] = {}  # patient index -> announcement id

    def operator(self, hospital_id: int) -> Actor:
        return self.operators.get(hospital_id) or demo_operator(hospital_id)

    async def take(self, uow: UnitOfWork, index: int, step: str) -> None:
        patient = PATIENTS[index]
        hospital_id = self.hospitals[patient.hospital]
        if step == "announce":
            draft = await _draft(uow.session, patient, hospital_id, self.types[patient.section_type])
            made = await announcements.announce(uow, actor=self.coordinator, draft=draft, limits=LIMITS)
            self.made[index] = made.id
        elif step == "acknowledge":
            await announcements.acknowledge(uow, actor=self.operator(hospital_id), announcement_id=self.made[index])
        elif step == "unacknowledged":
            await expiry.alert_unacknowledged(uow, limits=LIMITS)
        elif step == "arrived":
            await announcements.arrive(uow, actor=self.operator(hospital_id), announcement_id=self.made[index])
        elif step == "cancelled":
            await announcements.cancel(uow, actor=self.coordinator, announcement_id=self.made[index],
                                       reason=patient.reason or DIVERTED)
        else:
            await expiry.expire_due(uow, limits=LIMITS)


async def _story(session: AsyncSession, organisations: Mapping[str, int]) -> _Story | None:
    """None when the demo's coordinator, a hospital or a section type it needs is missing (a partial demo)."""
    coordinator = await _actor(session, COORDINATOR)
    codes = {patient.hospital for patient in PATIENTS}
    hospitals = {code: organisations[code] for code in codes if code in organisations}
    present = set(await session.scalars(select(Hospital.organisation_id)
                                        .where(Hospital.organisation_id.in_(hospitals.values()))))
    types = {row.code: row.id for row in await session.scalars(select(SectionType))}
    if (coordinator is None or coordinator.organisation_code != AUTHORITY or set(hospitals) != codes
            or set(hospitals.values()) != present or any(p.section_type not in types for p in PATIENTS)):
        return None
    operators = {}
    for code, username in OPERATORS.items():
        operator = await _actor(session, username)
        if operator is not None and operator.organisation_id == hospitals[code]:
            operators[hospitals[code]] = operator
    return _Story(coordinator, hospitals, types, operators)


async def ensure_dispatch_demo(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    """Every patient's steps in time order, the unit of work's clock at each step's moment; once."""
    session = uow.session
    if await session.scalar(select(Announcement.id).limit(1)) is not None:
        return
    story = await _story(session, organisations)
    if story is None:
        return
    now = session_now(session)
    kept: Clock | None = session.info.get("clock")
    try:
        for moment, _order, index, step in _steps(now):
            session.info["clock"] = ManualClock(moment)
            await story.take(uow, index, step)
    finally:
        session.info["clock"] = kept


DEMO = Demo(after_users=ensure_dispatch_demo)
