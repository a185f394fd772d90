"""The rules of free-bed counts: who may write, what a valid number is, and that nothing is lost.

Every write is one transaction: the section row (locked), its audit event and the live-channel event
go together or not at all. A writer names the version it read; if the section moved on since, the
write is refused with the current state (409), never silently overwritten.

A count's write is three steps: ``check_free_beds_write`` reads and refuses (it changes nothing),
``write_free_beds_row`` writes the row, and ``audit_and_announce_rows`` appends the audit events of every row
a transaction wrote, together, then their live events and Idempotency-Keys. The group commit (``write_batch``)
leans on the split: a batch's writes check and write their rows in turn, and their events take the chain's
head once, at the end, so that the lock every audited write waits for is held for three statements and the
commit, not for every statement of the batch. A write costs two statements of its own (the section's view,
locked, in one read, which is also its answer since the columns it changes are known; a Core UPDATE) plus
three shared by its batch (``audit.record_many``); two more with an Idempotency-Key. Before, it was an ORM
load, a flush, the view read again with its five-table join, three statements of audit under the head's
lock, and the section's JSON built three times.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from accounts import permissions
from app.beds.errors import IdempotencyKeyReused, SectionNotFound, SectionVersionConflict
from app.beds.events import ChangeKind, SectionChanged
from app.beds.models import MAX_FREE_BEDS, MIN_FREE_BEDS, IdempotencyKey, Section
from app.beds.section_queries import SectionView, section_query, to_view, view_of, views_of
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, UTCDateTime, session_now
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


# Built once: a statement built per write cost more CPU than its execution (coercions, cache key).
_LOCKED_VIEW = (section_query().where(Section.id == bindparam("section_id"))
                .with_for_update(of=Section))  # the section's row only: hospitals are locked by admission writes
_SECTIONS = Section.metadata.tables["sections"]
_SET_FREE_BEDS = (update(_SECTIONS).where(_SECTIONS.c.id == bindparam("section_id")).values(
    free_beds=bindparam("free_beds"), version=bindparam("version"),
    updated_at=bindparam("updated_at", type_=UTCDateTime()), updated_by=bindparam("updated_by")))
_STORE_KEY = insert(IdempotencyKey.metadata.tables["idempotency_keys"])


async def _locked_view(uow: UnitOfWork, actor: Actor, section_id: int) -> SectionView:
    """The section as readers see it, its row locked until the commit; refused if missing or not the actor's."""
    found = (await uow.session.execute(_LOCKED_VIEW, {"section_id": section_id})).first()
    view = None if found is None else to_view(found)
    if view is None or view.retired:
        raise SectionNotFound(_("There is no such section."), details={"section_id": section_id})
    if not permissions.may_write_hospital(actor, view.hospital_id):
        raise PermissionDenied(_("You may change only the sections of your own hospital."),
                               details={"section_id": section_id})
    return view


def _conflict_with(current: SectionView) -> SectionVersionConflict:
    return SectionVersionConflict(
        _("Changed by {who} at {time} to {free_beds}."), who=current.updated_by or "?",
        time=current.updated_at, free_beds=current.free_beds, details={"current": current.as_json()})


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
    return _conflict_with(current)


@dataclass(frozen=True)
class _Announced:
    actor: Actor
    view: SectionView  # the section as it now stands
    before: dict[str, Any]
    after: dict[str, Any]


async def _audit_and_announce(uow: UnitOfWork, kind: ChangeKind, action: str,
                              changes: Sequence[_Announced]) -> list[dict[str, Any]]:
    """The sections' JSON as they now stand, after their audit events and live events. The views are read (and
    the rows written) before the chain head is locked: every audited write of every process waits on that lock,
    so it is held for the events and the commit only."""
    events = await audit.record_many(uow.session, [
        audit.Entry(change.actor, action, "section", change.view.id, change.before, change.after)
        for change in changes])
    sections = []
    for change, event in zip(changes, events, strict=True):
        section_json = change.view.as_json()  # once: the answer, the live event and a stored key's body share it
        uow.emit(SectionChanged(seq=event.seq, kind=kind, section=section_json))
        sections.append(section_json)
    return sections


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


@dataclass(frozen=True)
class CheckedWrite:
    """A free-bed write that passed every check, its section locked: applying it cannot be refused."""

    actor: Actor
    current: SectionView
    free_beds: int
    reason: str | None
    owner: str
    fingerprint: str
    idempotency_key: str | None


async def check_free_beds_write(
    uow: UnitOfWork, *, actor: Actor, section_id: int, free_beds: object, expected_version: object,
    reason: str | None = None, idempotency_key: str | None = None,
) -> CheckedWrite | WriteResult:
    """Every refusal (a DomainError) of a write, and nothing changed: the write to apply, or the stored answer of
    its Idempotency-Key. Reads only (and locks the section's row)."""
    value, version, reason = check_free_beds(free_beds), check_version(expected_version), check_reason(reason)
    owner = idempotency_owner(actor)
    fingerprint = hashlib.sha256(json.dumps([section_id, value, version, reason]).encode()).hexdigest()
    check_idempotency_key(idempotency_key)
    # Permission first: someone whose rights were withdrawn gets no answer, not even a stored one.
    current = await _locked_view(uow, actor, section_id)
    if idempotency_key is not None:
        replay = await _replay(uow, owner, idempotency_key, fingerprint)
        if replay is not None:
            return replay
    if current.version != version:
        raise _conflict_with(current)
    return CheckedWrite(actor, current, value, reason, owner, fingerprint, idempotency_key)


@dataclass(frozen=True)
class WrittenRow:
    """A section row a free-bed write changed: its audit event, live event and key are still to come."""

    write: CheckedWrite
    view: SectionView  # the section as it now stands


async def write_free_beds_row(uow: UnitOfWork, write: CheckedWrite) -> WrittenRow:
    """Writes the row of what ``check_free_beds_write`` let through (the section is locked: its view is patched,
    not read again)."""
    current, actor = write.current, write.actor
    now = session_now(uow.session)
    view = replace(current, free_beds=write.free_beds, version=current.version + 1, updated_at=now,
                   updated_by=actor.username)
    await uow.session.execute(_SET_FREE_BEDS, {"section_id": current.id, "free_beds": write.free_beds,
                                               "version": view.version, "updated_at": now,
                                               "updated_by": actor.username})
    return WrittenRow(write, view)


def _announced(row: WrittenRow) -> _Announced:
    current, view = row.write.current, row.view
    after: dict[str, Any] = {"free_beds": view.free_beds, "version": view.version, "hospital_id": view.hospital_id}
    if row.write.reason:
        after["reason"] = row.write.reason
    return _Announced(row.write.actor, view, {"free_beds": current.free_beds, "version": current.version}, after)


async def audit_and_announce_rows(uow: UnitOfWork, rows: Sequence[WrittenRow]) -> list[WriteResult]:
    """The audit events of the rows, in their order, then their live events and Idempotency-Keys; their answers."""
    sections = await _audit_and_announce(uow, "free_beds_set", "beds.free_beds_set", [_announced(row) for row in rows])
    keys = [{"owner": row.write.owner, "key": row.write.idempotency_key, "fingerprint": row.write.fingerprint,
             "status": 200, "body": section, "created_at": row.view.updated_at}
            for row, section in zip(rows, sections, strict=True) if row.write.idempotency_key is not None]
    if keys:
        await uow.session.execute(_STORE_KEY, keys)
    return [WriteResult(section=section) for section in sections]


async def set_free_beds(
    uow: UnitOfWork, *, actor: Actor, section_id: int, free_beds: object, expected_version: object,
    reason: str | None = None, idempotency_key: str | None = None,
) -> WriteResult:
    """Every refusal (a DomainError) is raised before anything is changed (``check_free_beds_write``)."""
    checked = await check_free_beds_write(uow, actor=actor, section_id=section_id, free_beds=free_beds,
                                          expected_version=expected_version, reason=reason,
                                          idempotency_key=idempotency_key)
    if isinstance(checked, WriteResult):
        return checked
    return (await audit_and_announce_rows(uow, [await write_free_beds_row(uow, checked)]))[0]


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
        view = await view_of(uow.session, section.id)
        assert view is not None
        await _audit_and_announce(uow, "confirmed", "beds.confirmed", [_Announced(
            actor, view, before={"confirmed_at": None if previous is None else previous.isoformat()},
            after={"free_beds": section.free_beds, "version": section.version, "hospital_id": section.hospital_id})])
        confirmed.append(section.id)
    return ConfirmOutcome(confirmed, conflicts)


async def sections_of_hospital(uow: UnitOfWork, *, actor: Actor, hospital_id: int) -> Sequence[SectionView]:
    if not permissions.may_write_hospital(actor, hospital_id) and not permissions.may(actor, permissions.BOARD_VIEW):
        raise PermissionDenied(_("You may see only the sections of your own hospital."))
    query = section_query().where(Section.hospital_id == hospital_id, Section.retired_at.is_(None))
    return await views_of(uow.session, query)
