"""Clarification notes on an admission status (issue 21): a coordinator asks why a hospital or a section is limited or
closed, the hospital answers, each note audited and its readers told.

A note belongs to the status's open period (``admission_periods``): when the status ends, its conversation ends with
it. Who writes: the board's coordinators and administrators, and the hospital's operators and its authority's
administrators (to answer); an auditor reads the board and the audit log but has no part in the conversation.

Who reads (the issue: "a rule of another authority's coordinator does not see this authority's private notes"):
- the hospital's own users and its authority's administrators: every note;
- anyone else: the notes written by their own organisation, and the hospital's side's notes (its users', its
  authority's) once their organisation has asked something in this period: the answers go to those who asked.
So SMURD's coordinators see nothing of what SAMB asked, nor of what the hospital answered SAMB, until they ask too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from accounts import permissions
from accounts.models import Organisation, User
from app.beds.admission import Target
from app.beds.errors import HospitalNotFound, NothingToClarify, SectionNotFound
from app.beds.models import MAX_ADMISSION_NOTE_LENGTH, AdmissionNote, AdmissionPeriod, Hospital, Section
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, users_with_role

ACTION = "beds.admission_note_added"
ASKED = _("{who} ({organisation}) asks about the status of {what}, {hospital}: {text}")
ANSWERED = _("{who} ({organisation}) answered about the status of {what}, {hospital}: {text}")


@dataclass(frozen=True)
class NoteView:
    id: int
    hospital_id: int
    section_id: int | None
    author: str
    organisation_name: str
    text: str
    written_at: datetime
    from_hospital_side: bool

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "hospital_id": self.hospital_id, "section_id": self.section_id, "author": self.author,
                "organisation": self.organisation_name, "text": self.text,
                "written_at": self.written_at.isoformat(), "from_hospital": self.from_hospital_side}


@dataclass(frozen=True)
class _Place:
    hospital_name: str
    section_name: str | None
    authority_id: int | None
    status: str


def _side(actor: Actor, hospital_id: int, authority_id: int | None) -> bool:
    """Whether the actor speaks for the hospital: its users, or its authority's administrators."""
    if actor.organisation_id == hospital_id:
        return True
    return actor.has_role("admin") and authority_id is not None and actor.organisation_id == authority_id


def may_ask(actor: Actor) -> bool:
    """Coordinators and administrators of the board ask; auditors read the board and write nothing."""
    return permissions.may(actor, permissions.BOARD_VIEW) and (actor.has_role("coordinator")
                                                              or actor.has_role("admin"))


def may_write(actor: Actor, hospital_id: int, authority_id: int | None) -> bool:
    return permissions.may_set_admission(actor, hospital_id, authority_id) or may_ask(actor)


def _may_read(actor: Actor, hospital_id: int) -> bool:
    return permissions.may(actor, permissions.BOARD_VIEW) or permissions.may_write_hospital(actor, hospital_id)


async def _place(uow: UnitOfWork, target: Target) -> _Place:
    hospital = await uow.session.execute(
        select(Organisation.name, Organisation.parent_id, Hospital.admission_status)
        .join(Hospital, Hospital.organisation_id == Organisation.id)
        .where(Organisation.id == target.hospital_id, Hospital.retired_at.is_(None)))
    found = hospital.first()
    if found is None:
        raise HospitalNotFound(_("There is no such hospital."), details={"hospital_id": target.hospital_id})
    if target.section_id is None:
        return _Place(found.name, None, found.parent_id, found.admission_status)
    section = await uow.session.get(Section, target.section_id)
    if section is None or section.retired_at is not None or section.hospital_id != target.hospital_id:
        raise SectionNotFound(_("There is no such section."), details={"section_id": target.section_id})
    return _Place(found.name, section.name, found.parent_id, section.admission_status)


async def _open_period(uow: UnitOfWork, target: Target) -> AdmissionPeriod | None:
    return await uow.session.scalar(select(AdmissionPeriod).where(
        AdmissionPeriod.hospital_id == target.hospital_id, AdmissionPeriod.ended_at.is_(None),
        AdmissionPeriod.section_id.is_(None) if target.section_id is None
        else AdmissionPeriod.section_id == target.section_id))


def _text(value: str) -> str:
    text = value.strip()
    if not 1 <= len(text) <= MAX_ADMISSION_NOTE_LENGTH:
        raise ValidationFailed(_("Write the note: from 1 to {max} characters."), max=MAX_ADMISSION_NOTE_LENGTH,
                               details={"field": "text"})
    return text


async def _recipients(uow: UnitOfWork, actor: Actor, target: Target, place: _Place, period_id: int) -> list[User]:
    """A question goes to the hospital's operators; an answer to those who asked in this period."""
    if not _side(actor, target.hospital_id, place.authority_id):
        return await users_with_role(uow.session, "operator", [target.hospital_id])
    askers = set(await uow.session.scalars(select(AdmissionNote.author).where(AdmissionNote.period_id == period_id)))
    askers.discard(actor.username)
    if not askers:
        return []
    users = await uow.session.scalars(select(User).where(User.username.in_(askers)))
    return [user for user in users if user.organisation_id not in (target.hospital_id, place.authority_id)]


async def add_note(uow: UnitOfWork, *, actor: Actor, target: Target, text: str) -> NoteView:
    """Adds a note to the target's open status; refused when it is open (there is nothing to clarify)."""
    words = _text(text)
    place = await _place(uow, target)
    if not may_write(actor, target.hospital_id, place.authority_id):
        raise PermissionDenied(_("Only coordinators, administrators and the hospital's operators write notes on a "
                                 "status."), details={target.object_type + "_id": target.object_id})
    period = await _open_period(uow, target)
    if period is None or place.status == "open":
        raise NothingToClarify(_("There is nothing to clarify: it is open."), details={"field": "text"})
    recipients = await _recipients(uow, actor, target, place, period.id)
    note = AdmissionNote(period_id=period.id, author=actor.username, author_organisation_id=actor.organisation_id,
                         text=words, written_at=session_now(uow.session))
    uow.session.add(note)
    await uow.session.flush()
    await audit.record(uow.session, actor=actor, action=ACTION, object_type=target.object_type,
                       object_id=target.object_id, before=None,
                       after={"note_id": note.id, "period_id": period.id, "hospital_id": target.hospital_id,
                              "status": period.status, "text": words})
    side = _side(actor, target.hospital_id, place.authority_id)
    await notify(uow.session, recipients=recipients, message=ANSWERED if side else ASKED,
                 params={"who": actor.display_name or actor.username, "organisation": actor.organisation_name or "",
                         "what": place.section_name or place.hospital_name, "hospital": place.hospital_name,
                         "text": words},
                 link="/board" if side else "/operator")
    return NoteView(note.id, target.hospital_id, target.section_id, note.author, actor.organisation_name or "", words,
                    note.written_at, side)


async def open_notes(uow: UnitOfWork, *, actor: Actor, hospital_id: int) -> list[NoteView]:
    """The notes the actor may read on the hospital's open statuses (the hospital's and its sections'), oldest
    first."""
    if not _may_read(actor, hospital_id):
        raise PermissionDenied(_("You may see only your own hospital's status."))
    authority_id = await uow.session.scalar(select(Organisation.parent_id).where(Organisation.id == hospital_id))
    rows = (await uow.session.execute(
        select(AdmissionNote, AdmissionPeriod.section_id, Organisation.name)
        .join(AdmissionPeriod, AdmissionPeriod.id == AdmissionNote.period_id)
        .outerjoin(Organisation, Organisation.id == AdmissionNote.author_organisation_id)
        .where(AdmissionPeriod.hospital_id == hospital_id, AdmissionPeriod.ended_at.is_(None))
        .order_by(AdmissionNote.written_at, AdmissionNote.id))).all()
    hospital_side = {hospital_id, authority_id}
    everything = _side(actor, hospital_id, authority_id)
    asked_in = {note.period_id for note, _section, _name in rows
                if note.author_organisation_id == actor.organisation_id}
    return [NoteView(note.id, hospital_id, section_id, note.author, name or "", note.text, note.written_at,
                     note.author_organisation_id in hospital_side)
            for note, section_id, name in rows
            if everything or note.author_organisation_id == actor.organisation_id
            or (note.author_organisation_id in hospital_side and note.period_id in asked_in)]


async def notes_of(uow: UnitOfWork, *, actor: Actor, target: Target) -> list[NoteView]:
    """The notes the actor may read on one target's open status (none when it is open)."""
    await _place(uow, target)
    return [note for note in await open_notes(uow, actor=actor, hospital_id=target.hospital_id)
            if note.section_id == target.section_id]


async def all_open_notes(uow: UnitOfWork, *, actor: Actor) -> list[NoteView]:
    """Every note the actor may read on any open status (the board marks the cells that have a conversation)."""
    hospital_ids = await uow.session.scalars(
        select(AdmissionPeriod.hospital_id).join(AdmissionNote, AdmissionNote.period_id == AdmissionPeriod.id)
        .where(AdmissionPeriod.ended_at.is_(None)).distinct().order_by(AdmissionPeriod.hospital_id))
    return [note for hospital_id in list(hospital_ids)
            for note in await open_notes(uow, actor=actor, hospital_id=hospital_id)]
