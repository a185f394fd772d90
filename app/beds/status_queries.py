"""What the admission-status pages show: a hospital's status and its sections', the reasons to choose from in the
reader's language, the notes on open statuses, and an authority's hospitals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from accounts import permissions
from accounts.models import Organisation
from app.beds import admission_notes
from app.beds.admission import Target, admission_of
from app.beds.admission_forms import minutes_left
from app.beds.errors import HospitalNotFound
from app.beds.models import AdmissionReason, Hospital, Section
from app.beds.section_queries import Admission, nested, section_query, views_of
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import PermissionDenied
from app.kit.i18n import _


@dataclass(frozen=True)
class ReasonOption:
    code: str
    name: str
    needs_text: bool


@dataclass(frozen=True)
class StatusLine:
    """One hospital's or section's status as a page shows it; ``key`` names its form ("hospital" or the section
    id), so that a refusal comes back next to the form it came from."""

    key: str
    target: Target
    name: str
    admission: Admission
    reason_name: str | None
    minutes_left: int | None
    depth: int = 0
    notes: list[admission_notes.NoteView] = field(default_factory=list)


@dataclass(frozen=True)
class HospitalStatuses:
    hospital_id: int
    hospital_name: str
    hospital: StatusLine
    sections: list[StatusLine]
    reasons: list[ReasonOption]

    @property
    def with_notes(self) -> list[StatusLine]:
        return [line for line in [self.hospital, *self.sections] if line.notes]


@dataclass(frozen=True)
class AuthorityHospital:
    line: StatusLine
    sections_not_open: int


def _name(reason: AdmissionReason, language: str) -> str:
    return reason.name_ro if language == "ro" else reason.name_en


async def reasons(uow: UnitOfWork, language: str) -> tuple[list[ReasonOption], dict[str, str]]:
    """The reasons offered (not retired, in the list's order) and the names of all (a status may keep a retired
    one)."""
    rows = list(await uow.session.scalars(select(AdmissionReason).order_by(AdmissionReason.position,
                                                                           AdmissionReason.code)))
    offered = [ReasonOption(row.code, _name(row, language), row.needs_text) for row in rows if row.retired_at is None]
    return offered, {row.code: _name(row, language) for row in rows}


def _line(key: str, target: Target, name: str, state: Admission, names: dict[str, str], now: datetime,
          depth: int = 0) -> StatusLine:
    reason = None if state.reason_code is None else names.get(state.reason_code, state.reason_code)
    return StatusLine(key, target, name, state, reason, minutes_left(state.until, now), depth)


async def hospital_statuses(uow: UnitOfWork, *, actor: Actor, hospital_id: int, language: str,
                            now: datetime) -> HospitalStatuses:
    """The status part of the operator's screen and of an administrator's hospital page."""
    authority = await uow.session.scalar(select(Organisation.parent_id).where(Organisation.id == hospital_id))
    if not permissions.may_set_admission(actor, hospital_id, authority):
        raise PermissionDenied(_("Only the hospital's operators and its authority's administrators may change its "
                                 "admission status."), details={"hospital_id": hospital_id})
    found = (await uow.session.execute(select(Hospital, Organisation.name)
                                       .join(Organisation, Organisation.id == Hospital.organisation_id)
                                       .where(Hospital.organisation_id == hospital_id,
                                              Hospital.retired_at.is_(None)))).first()
    if found is None:
        raise HospitalNotFound(_("There is no such hospital."), details={"hospital_id": hospital_id})
    hospital, hospital_name = found[0], found[1]
    offered, names = await reasons(uow, language)
    views = await views_of(uow.session, section_query().where(Section.hospital_id == hospital_id,
                                                              Section.retired_at.is_(None)))
    notes = await admission_notes.open_notes(uow, actor=actor, hospital_id=hospital_id)
    lines = [_line("hospital", Target(hospital_id), hospital_name, admission_of(hospital), names, now),
             *(_line(str(view.id), Target(hospital_id, view.id), view.name, view.admission, names, now, depth)
               for view, depth in nested(views))]
    for line in lines:
        line.notes.extend(note for note in notes if note.section_id == line.target.section_id)
    return HospitalStatuses(hospital_id, hospital_name, lines[0], lines[1:], offered)


async def authority_hospitals(uow: UnitOfWork, *, actor: Actor, language: str,
                              now: datetime) -> list[AuthorityHospital]:
    """The hospitals of the administrator's authority (its children), by name, with their status."""
    if not (permissions.may(actor, permissions.ADMISSION_SET) and actor.has_role("admin")):
        raise PermissionDenied(_("Only an authority's administrators list its hospitals."))
    _offered, names = await reasons(uow, language)
    closed_sections = (select(Section.hospital_id, func.count().label("count"))
                       .where(Section.admission_status != "open", Section.retired_at.is_(None))
                       .group_by(Section.hospital_id).subquery())
    rows = await uow.session.execute(
        select(Hospital, Organisation.name, closed_sections.c.count)
        .join(Organisation, Organisation.id == Hospital.organisation_id)
        .outerjoin(closed_sections, closed_sections.c.hospital_id == Hospital.organisation_id)
        .where(Organisation.parent_id == actor.organisation_id, Hospital.retired_at.is_(None))
        .order_by(Organisation.name))
    return [AuthorityHospital(_line("hospital", Target(hospital.organisation_id), name, admission_of(hospital), names,
                                    now), count or 0)
            for hospital, name, count in rows]
