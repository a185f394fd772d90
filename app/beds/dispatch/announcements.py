"""The writes an announcement goes through: a coordinator announces a patient (and may hold a bed), the hospital's
operators acknowledge it, the coordinator or the hospital says it arrived, the coordinator cancels it with a reason.

Each step checks who may before anything changes, moves the state one way only, raises the version, is audited
(``dispatch.announced``, ``.acknowledged``, ``.arrived``, ``.cancelled``) and tells the hospital's screens and the
announcing authority's boards through the hub's notices (``announcement`` frames, numbered by the audit sequence).
The expiry and the unacknowledged alert are the job's (app/beds/dispatch/expiry.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from app.beds.alerts.events import AlertNotice
from app.beds.dispatch import holds
from app.beds.dispatch.audience import announcement_audience
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import (
    AGE_BANDS,
    FLAGS,
    MAX_ETA_MINUTES,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    MIN_ETA_MINUTES,
    OPEN_STATES,
    URGENCIES,
    Announcement,
    AnnouncementCategory,
    BedHold,
)
from app.beds.dispatch.personal_data import personal_number_in
from app.beds.models import Hospital, SectionType
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _


class NoSuchAnnouncement(NotFound):
    pass


class AnnouncementClosed(Conflict):
    code = "announcement_closed"


@dataclass(frozen=True)
class AnnouncementDraft:
    hospital_id: int
    section_type_id: int
    category: str
    urgency: str
    age_band: str
    flags: tuple[str, ...] = ()
    eta_minutes: int = 15
    note: str | None = None
    hold: bool = False


def refuse(message: str, field: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, details={"field": field}, field=field, **params)


def no_personal_number(text: str | None, field: str) -> None:
    """A 422 naming the field when the text holds a RUN, a CNP or a personnummer: an announcement names no one."""
    kind = personal_number_in(text or "")
    if kind is not None:
        raise refuse(_("{field} holds what looks like a personal number ({kind}). Announcements carry no names and "
                       "no personal numbers: describe the patient by category, age band and flags."), field,
                     kind=kind)


def announcement_json(row: Announcement, hold: BedHold | None, names: dict[str, str]) -> dict[str, Any]:
    return {"id": row.id, "hospital_id": row.hospital_id, "hospital_name": names.get("hospital", ""),
            "section_type_id": row.section_type_id, "section_type_name_en": names.get("type_en", ""),
            "section_type_name_ro": names.get("type_ro", ""), "category": row.category_code,
            "urgency": row.urgency, "age_band": row.age_band, "flags": list(row.flags),
            "eta_minutes": row.eta_minutes, "eta_at": row.eta_at.isoformat(), "note": row.note, "state": row.state,
            "version": row.version, "created_at": row.created_at.isoformat(), "created_by": row.created_by,
            "seq": row.announced_seq,
            "acknowledged_at": None if row.acknowledged_at is None else row.acknowledged_at.isoformat(),
            "acknowledged_by": row.acknowledged_by,
            "ended_at": None if row.ended_at is None else row.ended_at.isoformat(), "ended_by": row.ended_by,
            "cancel_reason": row.cancel_reason,
            "hold": None if hold is None else {
                "expires_at": hold.expires_at.isoformat(),
                "released_at": None if hold.released_at is None else hold.released_at.isoformat(),
                "released_how": hold.released_how}}


async def names_of(session: AsyncSession, row: Announcement) -> dict[str, str]:
    hospital = await session.scalar(select(Organisation.name).where(Organisation.id == row.hospital_id))
    section_type = await session.get_one(SectionType, row.section_type_id)
    return {"hospital": hospital or "", "type_en": section_type.name_en, "type_ro": section_type.name_ro}


async def as_json(session: AsyncSession, row: Announcement) -> dict[str, Any]:
    hold = await session.scalar(select(BedHold).where(BedHold.announcement_id == row.id))
    return announcement_json(row, hold, await names_of(session, row))


async def _tell(uow: UnitOfWork, row: Announcement, seq: int) -> None:
    frame = {"type": "announcement", "seq": seq, "announcement": await as_json(uow.session, row)}
    uow.emit(AlertNotice(seq=seq, audience=announcement_audience(row.hospital_id, row.organisation_id), frame=frame))


async def _check_draft(session: AsyncSession, draft: AnnouncementDraft) -> None:
    no_personal_number(draft.category, "category")
    hospital = await session.get(Hospital, draft.hospital_id)
    if hospital is None or hospital.retired_at is not None:
        raise refuse(_("Choose a hospital in service."), "hospital_id")
    if await session.get(SectionType, draft.section_type_id) is None:
        raise refuse(_("Choose a section type from the list."), "section_type_id")
    category = await session.scalar(select(AnnouncementCategory).where(AnnouncementCategory.code == draft.category,
                                                                       AnnouncementCategory.retired_at.is_(None)))
    if category is None:
        raise refuse(_("Choose a category from the list."), "category")
    if draft.urgency not in URGENCIES:
        raise refuse(_("The urgency is immediate, urgent or normal."), "urgency")
    if draft.age_band not in AGE_BANDS:
        raise refuse(_("Choose an age band from the list."), "age_band")
    if any(flag not in FLAGS for flag in draft.flags) or len(set(draft.flags)) != len(draft.flags):
        raise refuse(_("The flags are among: ventilated, cpr, infectious, pregnant, bariatric (each once)."), "flags")
    if not MIN_ETA_MINUTES <= draft.eta_minutes <= MAX_ETA_MINUTES:
        raise refuse(_("The ETA is a whole number of minutes from {min} to {max}."), "eta_minutes",
                     min=MIN_ETA_MINUTES, max=MAX_ETA_MINUTES)
    if draft.note is not None and len(draft.note) > MAX_NOTE_LENGTH:
        raise refuse(_("The note is at most {max} characters."), "note", max=MAX_NOTE_LENGTH)
    no_personal_number(draft.note, "note")


async def announce(uow: UnitOfWork, *, actor: Actor, draft: AnnouncementDraft,
                   limits: DispatchLimits) -> Announcement:
    if not permissions.may(actor, permissions.DISPATCH_ANNOUNCE) or actor.organisation_id is None:
        raise PermissionDenied(_("Only coordinators announce patients to hospitals."))
    session = uow.session
    await _check_draft(session, draft)
    if draft.hold:
        await holds.make_room(session, actor=actor, hospital_id=draft.hospital_id,
                              section_type_id=draft.section_type_id, limits=limits)
    now = session_now(session)
    row = Announcement(hospital_id=draft.hospital_id, section_type_id=draft.section_type_id,
                       organisation_id=actor.organisation_id, created_by_user_id=actor.user_id,
                       category_code=draft.category, urgency=draft.urgency, age_band=draft.age_band,
                       flags=list(draft.flags), eta_minutes=draft.eta_minutes,
                       eta_at=now + timedelta(minutes=draft.eta_minutes), note=(draft.note or "").strip() or None,
                       state="announced", version=1, created_at=now,
                       created_by=actor.display_name or actor.username, announced_seq=0)
    session.add(row)
    await session.flush()
    hold = await holds.place(session, actor=actor, announcement=row, limits=limits, now=now) if draft.hold else None
    event = await audit.record(session, actor=actor, action="dispatch.announced", object_type="announcement",
                               object_id=row.id, after={
                                   "hospital_id": row.hospital_id, "section_type_id": row.section_type_id,
                                   "category": row.category_code, "urgency": row.urgency, "age_band": row.age_band,
                                   "flags": row.flags, "eta_minutes": row.eta_minutes, "note": row.note,
                                   "hold_expires_at": None if hold is None else hold.expires_at.isoformat()})
    row.announced_seq = event.seq
    await session.flush()
    await _tell(uow, row, event.seq)
    return row


async def _locked(session: AsyncSession, announcement_id: int) -> Announcement:
    row = await session.scalar(select(Announcement).where(Announcement.id == announcement_id).with_for_update())
    if row is None:
        raise NoSuchAnnouncement(_("No such announcement."))
    return row


def may_see(actor: Actor, row: Announcement) -> bool:
    """The announcing authority's coordinators, and the hospital's operators."""
    if permissions.may(actor, permissions.DISPATCH_ANNOUNCE):
        return actor.organisation_id == row.organisation_id
    return permissions.may(actor, permissions.DISPATCH_RECEIVE) and actor.organisation_id == row.hospital_id


async def _move(uow: UnitOfWork, *, actor: Actor, row: Announcement, state: str, action: str,
                extra: dict[str, Any] | None = None) -> Announcement:
    before = {"state": row.state, "version": row.version}
    row.state, row.version = state, row.version + 1
    event = await audit.record(uow.session, actor=actor, action=action, object_type="announcement",
                               object_id=row.id, before=before,
                               after={"state": state, "version": row.version, **(extra or {})})
    if state == "acknowledged":
        row.acknowledged_seq = event.seq
    await uow.session.flush()
    await _tell(uow, row, event.seq)
    return row


def _open(row: Announcement) -> None:
    if row.state not in OPEN_STATES:
        raise AnnouncementClosed(_("This announcement is already {state}."), state=row.state,
                                 details={"state": row.state, "version": row.version})


async def acknowledge(uow: UnitOfWork, *, actor: Actor, announcement_id: int) -> Announcement:
    """The hospital's operators, once: a second acknowledgement changes nothing."""
    row = await _locked(uow.session, announcement_id)
    if not may_see(actor, row):
        raise NoSuchAnnouncement(_("No such announcement."))
    if not permissions.may(actor, permissions.DISPATCH_RECEIVE):
        raise PermissionDenied(_("Only the hospital's operators acknowledge an announcement."))
    if row.state == "acknowledged":
        return row
    _open(row)
    row.acknowledged_at = session_now(uow.session)
    row.acknowledged_by = actor.display_name or actor.username
    return await _move(uow, actor=actor, row=row, state="acknowledged", action="dispatch.acknowledged",
                       extra={"acknowledged_by": row.acknowledged_by})


async def end(uow: UnitOfWork, *, actor: Actor, row: Announcement, state: str, action: str,
               extra: dict[str, Any] | None = None) -> Announcement:
    now = session_now(uow.session)
    row.ended_at, row.ended_by = now, actor.display_name or actor.username
    hold = await holds.release(uow.session, announcement_id=row.id, how=state, now=now)
    return await _move(uow, actor=actor, row=row, state=state, action=action,
                       extra={**(extra or {}), "hold_released": hold is not None})


async def arrive(uow: UnitOfWork, *, actor: Actor, announcement_id: int) -> Announcement:
    """The patient is there: said by the hospital's operators or the announcing authority's coordinators. Its
    hold ends; the operator then updates the count as usual."""
    row = await _locked(uow.session, announcement_id)
    if not may_see(actor, row):
        raise NoSuchAnnouncement(_("No such announcement."))
    _open(row)
    return await end(uow, actor=actor, row=row, state="arrived", action="dispatch.arrived")


async def cancel(uow: UnitOfWork, *, actor: Actor, announcement_id: int, reason: str) -> Announcement:
    """The announcing authority's coordinators, with a reason (no personal number in it either)."""
    row = await _locked(uow.session, announcement_id)
    if not may_see(actor, row):
        raise NoSuchAnnouncement(_("No such announcement."))
    if not permissions.may(actor, permissions.DISPATCH_ANNOUNCE):
        raise PermissionDenied(_("Only the coordinators who announced a patient cancel the announcement."))
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise refuse(_("Say why it is cancelled, in at most {max} characters."), "reason", max=MAX_REASON_LENGTH)
    no_personal_number(reason, "reason")
    _open(row)
    row.cancel_reason = reason
    return await end(uow, actor=actor, row=row, state="cancelled", action="dispatch.cancelled",
                      extra={"reason": reason})


def expiry_of(row: Announcement, limits: DispatchLimits) -> datetime:
    return row.eta_at + limits.after_eta
