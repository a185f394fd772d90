"""The rules of free-bed counts: who may write, what a valid number is, and that nothing is lost.

Every write is one transaction: the section row (locked), its audit event and the live-channel event
go together or not at all. A writer names the version it read; if the section moved on since, the
write is refused with the current state (409), never silently overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts import permissions
from app.beds.errors import IdempotencyKeyReused, SectionNotFound, SectionVersionConflict
from app.beds.events import ChangeKind, SectionChanged
from app.beds.models import MAX_FREE_BEDS, MIN_FREE_BEDS, IdempotencyKey, Section
from app.beds.section_queries import SectionView, section_query, view_of, views_of
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _

MAX_REASON_LENGTH = 200
MAX_IDEMPOTENCY_KEY_LENGTH = 200


@dataclass(frozen=True)
class WriteResult:
    section: dict[str, Any]
    replayed: bool = False


def check_free_beds(value: object) -> int:
    # bool is an int in Python; "true" is not a bed count.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("Free beds must be a whole number."), details={"field": "free_beds"})
    if not MIN_FREE_BEDS <= value <= MAX_FREE_BEDS:
        raise ValidationFailed(_("Free beds must be between {min} and {max}."), min=MIN_FREE_BEDS,
                               max=MAX_FREE_BEDS, details={"field": "free_beds"})
    return value


def check_version(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationFailed(_("The expected version must be a whole number from 1."),
                               details={"field": "expected_version"})
    return value


def check_reason(value: str | None) -> str | None:
    if value is None:
        return None
    reason = " ".join(value.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(_("The reason may have at most {max} characters."), max=MAX_REASON_LENGTH,
                               details={"field": "reason"})
    return reason or None


def idempotency_owner(actor: Actor) -> str:
    return f"{actor.source}:{actor.username}"


async def _locked_section(uow: UnitOfWork, actor: Actor, section_id: int) -> Section:
    section = await uow.session.scalar(select(Section).where(Section.id == section_id).with_for_update())
    if section is None or section.retired_at is not None:
        raise SectionNotFound(_("There is no such section."), details={"section_id": section_id})
    if not permissions.may_write_hospital(actor, section.hospital_id):
        raise PermissionDenied(_("You may change only the sections of your own hospital."),
                               details={"section_id": section_id})
    return section


async def _conflict(uow: UnitOfWork, section: Section) -> SectionVersionConflict:
    current = await view_of(uow.session, section.id)
    assert current is not None
    return SectionVersionConflict(
        _("Changed by {who} at {time} to {free_beds}."), who=current.updated_by or "?",
        time=current.updated_at, free_beds=current.free_beds, details={"current": current.as_json()})


async def _audit_and_announce(uow: UnitOfWork, actor: Actor, section: Section, kind: ChangeKind, action: str,
                              before: dict[str, Any], after: dict[str, Any]) -> SectionView:
    # The view is read (and the section row written) before the chain head is locked: every audited
    # write of every process waits on that lock, so it is held for the event and the commit only.
    view = await view_of(uow.session, section.id)
    assert view is not None
    event = await audit.record(uow.session, actor=actor, action=action, object_type="section",
                               object_id=section.id, before=before, after=after)
    uow.emit(SectionChanged(seq=event.seq, kind=kind, section=view.as_json()))
    return view


T = TypeVar("T")


async def racing_keys_retried(write: Callable[[], Awaitable[T]], idempotency_key: str | None) -> T:
    """The write, tried once more when its Idempotency-Key's unique constraint refused it: two requests with one
    key committed at the same moment, and the second now finds the first's answer and replays or refuses it."""
    try:
        return await write()
    except IntegrityError:
        if idempotency_key is None:
            raise
        return await write()


def check_idempotency_key(key: str | None) -> None:
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationFailed(_("An Idempotency-Key has between 1 and {max} characters."),
                               max=MAX_IDEMPOTENCY_KEY_LENGTH, details={"field": "Idempotency-Key"})


async def stored_answer(uow: UnitOfWork, owner: str, key: str, fingerprint: str) -> dict[str, Any] | None:
    """The first answer to a write sent with this key (any bed write: counts, admission status), or None; the same
    key with a different request is refused."""
    stored = await uow.session.scalar(select(IdempotencyKey).where(IdempotencyKey.owner == owner,
                                                                   IdempotencyKey.key == key))
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different request."),
                                   details={"field": "Idempotency-Key"})
    return stored.body


async def _replay(uow: UnitOfWork, owner: str, key: str, fingerprint: str) -> WriteResult | None:
    body = await stored_answer(uow, owner, key, fingerprint)
    return None if body is None else WriteResult(section=body, replayed=True)


async def set_free_beds(
    uow: UnitOfWork, *, actor: Actor, section_id: int, free_beds: object, expected_version: object,
    reason: str | None = None, idempotency_key: str | None = None,
) -> WriteResult:
    """Every refusal (a DomainError) is raised before anything is changed: the group commit in
    ``write_batch`` relies on it to refuse one write and commit the others of its transaction."""
    value, version, reason = check_free_beds(free_beds), check_version(expected_version), check_reason(reason)
    owner = idempotency_owner(actor)
    fingerprint = hashlib.sha256(json.dumps([section_id, value, version, reason]).encode()).hexdigest()
    check_idempotency_key(idempotency_key)
    # Permission first: someone whose rights were withdrawn gets no answer, not even a stored one.
    section = await _locked_section(uow, actor, section_id)
    if idempotency_key is not None:
        replay = await _replay(uow, owner, idempotency_key, fingerprint)
        if replay is not None:
            return replay
    if section.version != version:
        raise await _conflict(uow, section)
    now = session_now(uow.session)
    before = {"free_beds": section.free_beds, "version": section.version}
    section.free_beds, section.version = value, section.version + 1
    section.updated_at, section.updated_by = now, actor.username
    after: dict[str, Any] = {"free_beds": value, "version": section.version, "hospital_id": section.hospital_id}
    if reason:
        after["reason"] = reason
    view = await _audit_and_announce(uow, actor, section, "free_beds_set", "beds.free_beds_set", before, after)
    if idempotency_key is not None:
        uow.session.add(IdempotencyKey(owner=owner, key=idempotency_key, fingerprint=fingerprint, status=200,
                                       body=view.as_json(), created_at=now))
    return WriteResult(section=view.as_json())


@dataclass(frozen=True)
class ConfirmOutcome:
    confirmed: list[int]
    conflicts: list[dict[str, Any]]


async def confirm_unchanged(uow: UnitOfWork, *, actor: Actor, versions: dict[int, int]) -> ConfirmOutcome:
    """Confirm that each section's number (at the version the operator saw) is still right.

    A section that changed since is not confirmed: it is returned as a conflict with its current state,
    because confirming a number nobody looked at would make a stale value look fresh.
    """
    confirmed: list[int] = []
    conflicts: list[dict[str, Any]] = []
    now = session_now(uow.session)
    for section_id in sorted(versions):  # one lock order for every writer: no deadlocks
        version = check_version(versions[section_id])
        section = await _locked_section(uow, actor, section_id)
        if section.version != version:
            conflicts.append((await _conflict(uow, section)).details["current"])
            continue
        previous = section.confirmed_at
        section.confirmed_at, section.confirmed_by = now, actor.username
        await _audit_and_announce(
            uow, actor, section, "confirmed", "beds.confirmed",
            before={"confirmed_at": None if previous is None else previous.isoformat()},
            after={"free_beds": section.free_beds, "version": section.version, "hospital_id": section.hospital_id})
        confirmed.append(section.id)
    return ConfirmOutcome(confirmed, conflicts)


async def sections_of_hospital(uow: UnitOfWork, *, actor: Actor, hospital_id: int) -> Sequence[SectionView]:
    if not permissions.may_write_hospital(actor, hospital_id) and not permissions.may(actor, permissions.BOARD_VIEW):
        raise PermissionDenied(_("You may see only the sections of your own hospital."))
    query = section_query().where(Section.hospital_id == hospital_id, Section.retired_at.is_(None))
    return await views_of(uow.session, query)
