"""Admission status: a hospital, or one of its sections, open, limited or closed to ambulances, with a reason and
an expiry (issue 21).

A write is like a free-beds write (app/beds/service.py): one transaction locks the hospital's or the section's row,
checks the version the writer read (409 with the current status otherwise), changes the status, closes or opens
its period in ``admission_periods`` (the closures report reads them), audits before and after, and announces every
section it touches to the live channel with the write's sequence number, so that the open boards show it at once.
A status other than open always expires: the expiry job (``expire_due``) sets it back to open, audited as such, and
reminds the setter's hospital a quarter of an hour before (``remind_due``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import select

from accounts import permissions
from accounts.models import Organisation
from app.beds.errors import AdmissionVersionConflict, HospitalNotFound, SectionNotFound
from app.beds.events import AdmissionChanged, AdmissionStatus, SectionChanged
from app.beds.models import (
    ADMISSION_STATUSES,
    DEFAULT_ADMISSION_HOURS,
    MAX_ADMISSION_HOURS,
    MAX_ADMISSION_REASON_LENGTH,
    AdmissionColumns,
    AdmissionPeriod,
    AdmissionReason,
    Hospital,
    IdempotencyKey,
    Section,
)
from app.beds.section_queries import Admission, section_query, views_of
from app.beds.service import check_idempotency_key, check_version, idempotency_owner, stored_answer
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _

Targeted = TypeVar("Targeted", Hospital, Section)
# The setter is reminded this long before the status expires (the issue: 15 minutes).
REMINDER_BEFORE = timedelta(minutes=15)
# A status must last at least this long: an expiry in the past or the next few seconds is a typing mistake.
MIN_DURATION = timedelta(minutes=1)
MIN_OTHER_REASON = 3


@dataclass(frozen=True)
class Target:
    """What a status is set on: a whole hospital (``section_id`` None) or one of its sections."""

    hospital_id: int
    section_id: int | None = None

    @property
    def object_type(self) -> str:
        return "hospital" if self.section_id is None else "section"

    @property
    def object_id(self) -> int:
        return self.hospital_id if self.section_id is None else self.section_id

    @property
    def action_prefix(self) -> str:
        return f"beds.{self.object_type}_admission"


@dataclass(frozen=True)
class AdmissionRequest:
    status: object
    reason_code: object = None
    reason: object = None
    until: datetime | None = None
    expected_version: object = None


@dataclass(frozen=True)
class AdmissionAnswer:
    body: dict[str, Any]
    replayed: bool = False


def admission_of(row: AdmissionColumns) -> Admission:
    return Admission(row.admission_status, row.admission_reason_code, row.admission_reason, row.admission_until,
                     row.admission_set_by, row.admission_set_at, row.admission_version)


def answer_of(target: Target, row: AdmissionColumns) -> dict[str, Any]:
    return {"hospital_id": target.hospital_id, "section_id": target.section_id,
            "admission": admission_of(row).as_json()}


def _status(value: object) -> AdmissionStatus:
    if not isinstance(value, str) or value not in ADMISSION_STATUSES:
        raise ValidationFailed(_("The status is one of open, limited or closed."), details={"field": "status"})
    return cast(AdmissionStatus, value)


def _words(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("The reason is text."), details={"field": "reason"})
    words = " ".join(value.split())
    if len(words) > MAX_ADMISSION_REASON_LENGTH:
        raise ValidationFailed(_("The reason may have at most {max} characters."), max=MAX_ADMISSION_REASON_LENGTH,
                               details={"field": "reason"})
    return words or None


async def active_reasons(uow: UnitOfWork) -> list[AdmissionReason]:
    return list(await uow.session.scalars(select(AdmissionReason).where(AdmissionReason.retired_at.is_(None))
                                          .order_by(AdmissionReason.position, AdmissionReason.code)))


async def reasons_json(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The reasons in service as the API lists them."""
    return [{"code": reason.code, "name_en": reason.name_en, "name_ro": reason.name_ro,
             "needs_text": reason.needs_text} for reason in await active_reasons(uow)]


async def _reason(uow: UnitOfWork, code: object, words: str | None) -> AdmissionReason:
    if code is None or code == "":
        raise ValidationFailed(_("Choose the reason: a hospital or section is limited or closed for a reason."),
                               details={"field": "reason_code"})
    reason = None
    if isinstance(code, str):
        reason = await uow.session.scalar(select(AdmissionReason).where(AdmissionReason.code == code,
                                                                        AdmissionReason.retired_at.is_(None)))
    if reason is None:
        raise ValidationFailed(_("There is no reason with the code {code} in the list."), code=str(code)[:40],
                               details={"field": "reason_code"})
    if reason.needs_text and (words is None or len(words) < MIN_OTHER_REASON):
        raise ValidationFailed(_("Say in words what the reason is (at least {min} characters)."),
                               min=MIN_OTHER_REASON, details={"field": "reason"})
    return reason


def _until(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now + timedelta(hours=DEFAULT_ADMISSION_HOURS)
    if value.tzinfo is None:
        raise ValidationFailed(_("The expiry needs its time zone (e.g. 2026-12-07T18:00:00+02:00)."),
                               details={"field": "until"})
    if value < now + MIN_DURATION:
        raise ValidationFailed(_("The expiry must be in the future."), details={"field": "until"})
    if value > now + timedelta(hours=MAX_ADMISSION_HOURS):
        raise ValidationFailed(_("A status lasts at most {hours} hours; set it again when it ends if it must go on."),
                               hours=MAX_ADMISSION_HOURS, details={"field": "until"})
    return value


async def _locked(uow: UnitOfWork, target: Target) -> tuple[AdmissionColumns, int | None]:
    """The target's row, locked, and the authority its hospital belongs to (whose administrators may set it)."""
    row: AdmissionColumns | None
    if target.section_id is None:
        hospital = await uow.session.scalar(select(Hospital).where(Hospital.organisation_id == target.hospital_id)
                                            .with_for_update())
        if hospital is None or hospital.retired_at is not None:
            raise HospitalNotFound(_("There is no such hospital."), details={"hospital_id": target.hospital_id})
        row = hospital
    else:
        section = await uow.session.scalar(select(Section).where(Section.id == target.section_id).with_for_update())
        if section is None or section.retired_at is not None or section.hospital_id != target.hospital_id:
            raise SectionNotFound(_("There is no such section."), details={"section_id": target.section_id})
        row = section
    authority = await uow.session.scalar(select(Organisation.parent_id).where(Organisation.id == target.hospital_id))
    return row, authority


async def target_of_section(uow: UnitOfWork, section_id: int) -> Target:
    hospital_id = await uow.session.scalar(select(Section.hospital_id).where(Section.id == section_id,
                                                                             Section.retired_at.is_(None)))
    if hospital_id is None:
        raise SectionNotFound(_("There is no such section."), details={"section_id": section_id})
    return Target(hospital_id, section_id)


def _check_permission(actor: Actor, target: Target, authority: int | None) -> None:
    if not permissions.may_set_admission(actor, target.hospital_id, authority):
        raise PermissionDenied(_("Only the hospital's operators and its authority's administrators may change its "
                                 "admission status."), details={target.object_type + "_id": target.object_id})


def _snapshot(row: AdmissionColumns) -> dict[str, Any]:
    return {"status": row.admission_status, "reason_code": row.admission_reason_code, "reason": row.admission_reason,
            "until": None if row.admission_until is None else row.admission_until.isoformat(),
            "version": row.admission_version}


async def _open_period(uow: UnitOfWork, target: Target) -> AdmissionPeriod | None:
    return await uow.session.scalar(select(AdmissionPeriod).where(
        AdmissionPeriod.hospital_id == target.hospital_id, AdmissionPeriod.ended_at.is_(None),
        AdmissionPeriod.section_id.is_(None) if target.section_id is None
        else AdmissionPeriod.section_id == target.section_id))


async def _announce(uow: UnitOfWork, target: Target, seq: int) -> None:
    """Every section the status touches, as the board shows it now, under the write's sequence number."""
    query = section_query().where(Section.hospital_id == target.hospital_id, Section.retired_at.is_(None))
    if target.section_id is not None:
        query = query.where(Section.id == target.section_id)
    for view in await views_of(uow.session, query):
        uow.emit(SectionChanged(seq=seq, kind="admission", section=view.as_json()))


async def _apply(uow: UnitOfWork, actor: Actor, target: Target, row: AdmissionColumns, status: AdmissionStatus,
                 reason: AdmissionReason | None, words: str | None, until: datetime | None, *, expired: bool) -> None:
    now = session_now(uow.session)
    before = _snapshot(row)
    previous = cast(AdmissionStatus, row.admission_status)
    period = await _open_period(uow, target)
    if period is not None:
        period.ended_at, period.ended_by = now, actor.username
        period.ended_how = "expired" if expired else ("reopened" if status == "open" else "replaced")
    row.admission_status = status
    row.admission_reason_code = None if reason is None else reason.code
    row.admission_reason = words if reason is not None else None
    row.admission_until = until
    row.admission_set_by, row.admission_set_at = actor.username, now
    row.admission_version += 1
    row.admission_reminded_at = None
    if status != "open" and reason is not None and until is not None:
        uow.session.add(AdmissionPeriod(
            hospital_id=target.hospital_id, section_id=target.section_id, status=status, reason_code=reason.code,
            reason=words, started_at=now, started_by=actor.username, until=until))
    after = {**_snapshot(row), "hospital_id": target.hospital_id}
    await uow.session.flush()
    event = await audit.record(uow.session, actor=actor,
                               action=f"{target.action_prefix}_{'expired' if expired else 'set'}",
                               object_type=target.object_type, object_id=target.object_id, before=before, after=after)
    await _announce(uow, target, event.seq)
    uow.emit(AdmissionChanged(seq=event.seq, hospital_id=target.hospital_id, section_id=target.section_id,
                              before=previous, after=status, reason_code=row.admission_reason_code,
                              reason=row.admission_reason, expired=expired))


async def set_admission(uow: UnitOfWork, *, actor: Actor, target: Target, request: AdmissionRequest,
                        idempotency_key: str | None = None) -> AdmissionAnswer:
    """Set a hospital's or a section's status. Every refusal comes before anything is changed."""
    status, version = _status(request.status), check_version(request.expected_version)
    words = _words(request.reason)
    check_idempotency_key(idempotency_key)
    # Permission first: someone whose rights were withdrawn gets no answer, not even a stored one.
    row, authority = await _locked(uow, target)
    _check_permission(actor, target, authority)
    owner = idempotency_owner(actor)
    fingerprint = hashlib.sha256(json.dumps(
        ["admission", target.object_type, target.object_id, status, request.reason_code, words,
         None if request.until is None else request.until.isoformat(), version], default=str).encode()).hexdigest()
    if idempotency_key is not None:
        stored = await stored_answer(uow, owner, idempotency_key, fingerprint)
        if stored is not None:
            return AdmissionAnswer(stored, replayed=True)
    if row.admission_version != version:
        current = admission_of(row)
        raise AdmissionVersionConflict(_("Changed by {who} at {time} to {status}."), who=current.set_by or "?",
                                       time=current.set_at, status=current.status,
                                       details={"current": answer_of(target, row)})
    now = session_now(uow.session)
    reason, until = None, None
    if status != "open":
        reason = await _reason(uow, request.reason_code, words)
        until = _until(request.until, now)
    await _apply(uow, actor, target, row, status, reason, words, until, expired=False)
    body = answer_of(target, row)
    if idempotency_key is not None:
        uow.session.add(IdempotencyKey(owner=owner, key=idempotency_key, fingerprint=fingerprint, status=200,
                                       body=body, created_at=now))
    return AdmissionAnswer(body)


async def read_admission(uow: UnitOfWork, *, actor: Actor, target: Target) -> dict[str, Any]:
    """Whoever may read the board reads every status; an operator or a hospital system reads its own hospital's."""
    if not permissions.may(actor, permissions.BOARD_VIEW) and actor.organisation_id != target.hospital_id:
        raise PermissionDenied(_("You may see only your own hospital's status."))
    row: AdmissionColumns | None
    if target.section_id is None:
        hospital = await uow.session.get(Hospital, target.hospital_id)
        if hospital is None or hospital.retired_at is not None:
            raise HospitalNotFound(_("There is no such hospital."), details={"hospital_id": target.hospital_id})
        row = hospital
    else:
        section = await uow.session.get(Section, target.section_id)
        if section is None or section.retired_at is not None or section.hospital_id != target.hospital_id:
            raise SectionNotFound(_("There is no such section."), details={"section_id": target.section_id})
        row = section
    return answer_of(target, row)


async def _due(uow: UnitOfWork, model: type[Targeted], now: datetime) -> Sequence[Targeted]:
    return list(await uow.session.scalars(
        select(model).where(model.admission_status != "open", model.admission_until <= now,
                            model.retired_at.is_(None)).with_for_update()))


async def expire_due(uow: UnitOfWork) -> int:
    """Set back to open every status past its expiry; returns how many. Audited as ``*_admission_expired`` by the
    system, so the history tells an expiry from a person reopening."""
    now = session_now(uow.session)
    actor = Actor.system()
    count = 0
    for hospital in await _due(uow, Hospital, now):
        await _apply(uow, actor, Target(hospital.organisation_id), hospital, "open", None, None, None, expired=True)
        count += 1
    for section in await _due(uow, Section, now):
        await _apply(uow, actor, Target(section.hospital_id, section.id), section, "open", None, None, None,
                     expired=True)
        count += 1
    return count


async def _to_remind(uow: UnitOfWork, model: type[Targeted], now: datetime) -> list[Targeted]:
    return list(await uow.session.scalars(select(model).where(
        model.admission_status != "open", model.admission_until <= now + REMINDER_BEFORE, model.admission_until > now,
        model.admission_reminded_at.is_(None), model.retired_at.is_(None)).with_for_update()))


def _reminded(row: AdmissionColumns, now: datetime, hospital_id: int, section_name: str | None) -> DueReminder:
    row.admission_reminded_at = now
    assert row.admission_until is not None
    return DueReminder(hospital_id, section_name, row.admission_status, row.admission_until)


@dataclass(frozen=True)
class DueReminder:
    hospital_id: int
    section_name: str | None
    status: str
    until: datetime


async def reminders_due(uow: UnitOfWork) -> list[DueReminder]:
    """The statuses that expire within the quarter of an hour and were not yet reminded of; marks them reminded."""
    now = session_now(uow.session)
    due: list[DueReminder] = []
    for hospital in await _to_remind(uow, Hospital, now):
        due.append(_reminded(hospital, now, hospital.organisation_id, None))
    for section in await _to_remind(uow, Section, now):
        due.append(_reminded(section, now, section.hospital_id, section.name))
    return due


async def hospital_names(uow: UnitOfWork, hospital_ids: set[int]) -> dict[int, str]:
    if not hospital_ids:
        return {}
    rows = await uow.session.execute(select(Organisation.id, Organisation.name)
                                     .where(Organisation.id.in_(hospital_ids)))
    return {row.id: row.name for row in rows}
