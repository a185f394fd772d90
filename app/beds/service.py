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
from datetime import datetime
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
from app.kit.errors import DomainError, PermissionDenied, ValidationFailed
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
# The sections' rows only (hospitals are locked by admission writes), in one order for every writer: two batches
# that lock the same sections cannot deadlock.
_LOCKED_VIEWS = (section_query().where(Section.id.in_(bindparam("section_ids", expanding=True)))
                 .order_by(Section.id).with_for_update(of=Section))
_SECTIONS = Section.metadata.tables["sections"]
_SET_FREE_BEDS = (update(_SECTIONS).where(_SECTIONS.c.id == bindparam("section_id")).values(
    free_beds=bindparam("free_beds"), version=bindparam("version"),
    updated_at=bindparam("updated_at", type_=UTCDateTime()), updated_by=bindparam("updated_by")))
_STORE_KEY = insert(IdempotencyKey.metadata.tables["idempotency_keys"])
_STORED_KEYS = select(IdempotencyKey.owner, IdempotencyKey.key, IdempotencyKey.fingerprint, IdempotencyKey.body).where(
    IdempotencyKey.key.in_(bindparam("keys", expanding=True)))


async def locked_views(uow: UnitOfWork, section_ids: Sequence[int]) -> dict[int, SectionView]:
    """The sections as readers see them, their rows locked until the commit, in one statement."""
    rows = await uow.session.execute(_LOCKED_VIEWS, {"section_ids": sorted(set(section_ids))})
    return {view.id: view for view in map(to_view, rows)}


def _writable(actor: Actor, section_id: int, view: SectionView | None) -> SectionView:
    """The section, unless it is missing, retired or not the actor's to write."""
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
    return None if stored is None else _stored_body(stored.fingerprint, stored.body, fingerprint)


def _stored_body(stored_fingerprint: str, body: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    """A key's stored answer, for the same request only."""
    if stored_fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different request."),
                                   details={"field": "Idempotency-Key"})
    return body


@dataclass(frozen=True)
class FreeBedsWrite:
    """A free-bed write as a route (or the group commit) receives it: nothing checked yet."""

    actor: Actor
    section_id: int
    free_beds: object
    expected_version: object
    reason: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class _Valid:
    """A write's own values, checked: a whole number in range, a version, a reason, a key."""

    write: FreeBedsWrite
    free_beds: int
    version: int
    reason: str | None
    owner: str
    fingerprint: str


def _valid(write: FreeBedsWrite) -> _Valid:
    value, version = check_free_beds(write.free_beds), check_version(write.expected_version)
    reason = check_reason(write.reason)
    check_idempotency_key(write.idempotency_key)
    fingerprint = hashlib.sha256(json.dumps([write.section_id, value, version, reason]).encode()).hexdigest()
    return _Valid(write, value, version, reason, idempotency_owner(write.actor), fingerprint)


@dataclass(frozen=True)
class WrittenRow:
    """A free-bed write that passed every check: its row's new state (written by ``write_rows``), then its audit
    event, live event and key (``audit_and_announce_rows``), none of which can refuse it."""

    valid: _Valid
    current: SectionView  # the section as the write found it
    view: SectionView  # the section as the write leaves it


Checked = WrittenRow | WriteResult | DomainError


async def _stored_answers(uow: UnitOfWork, valid: Sequence[_Valid]) -> dict[tuple[str, str], tuple[str, Any]]:
    """The stored (fingerprint, answer) of the writes' Idempotency-Keys, by (owner, key)."""
    keys = sorted({item.write.idempotency_key for item in valid if item.write.idempotency_key is not None})
    if not keys:
        return {}
    rows = await uow.session.execute(_STORED_KEYS, {"keys": keys})
    return {(owner, key): (fingerprint, body) for owner, key, fingerprint, body in rows}


def _decide(item: _Valid | DomainError, views: dict[int, SectionView],
            stored: dict[tuple[str, str], tuple[str, Any]], now: datetime) -> Checked:
    """One write against the sections as the writes before it in the transaction left them."""
    if isinstance(item, DomainError):
        return item
    write = item.write
    try:
        # Permission first: someone whose rights were withdrawn gets no answer, not even a stored one.
        current = _writable(write.actor, write.section_id, views.get(write.section_id))
        if write.idempotency_key is not None and (found := stored.get((item.owner, write.idempotency_key))):
            return WriteResult(section=_stored_body(*found, item.fingerprint), replayed=True)
        if current.version != item.version:
            raise _conflict_with(current)
    except DomainError as refusal:
        return refusal
    view = replace(current, free_beds=item.free_beds, version=current.version + 1, updated_at=now,
                   updated_by=write.actor.username)
    views[view.id] = view
    return WrittenRow(item, current, view)


async def check_free_beds_writes(uow: UnitOfWork, writes: Sequence[FreeBedsWrite]) -> list[Checked]:
    """Each write checked, in order, against the sections as the writes before it leave them: its refusal (a
    DomainError, returned, not raised), the stored answer of its Idempotency-Key, or the row to write. Changes
    nothing; reads the sections (locking their rows) and the keys, one statement each for all the writes."""
    valid: list[_Valid | DomainError] = []
    for write in writes:
        try:
            valid.append(_valid(write))
        except DomainError as refusal:
            valid.append(refusal)
    checkable = [item for item in valid if isinstance(item, _Valid)]
    views = await locked_views(uow, [item.write.section_id for item in checkable]) if checkable else {}
    stored = await _stored_answers(uow, checkable)
    now = session_now(uow.session)
    return [_decide(item, views, stored, now) for item in valid]


async def write_rows(uow: UnitOfWork, rows: Sequence[WrittenRow]) -> None:
    """The rows, in one statement (the driver's executemany), in the writes' order."""
    if rows:
        await uow.session.execute(_SET_FREE_BEDS, [
            {"section_id": row.view.id, "free_beds": row.view.free_beds, "version": row.view.version,
             "updated_at": row.view.updated_at, "updated_by": row.view.updated_by} for row in rows])


def _announced(row: WrittenRow) -> _Announced:
    current, view = row.current, row.view
    after: dict[str, Any] = {"free_beds": view.free_beds, "version": view.version, "hospital_id": view.hospital_id}
    if row.valid.reason:
        after["reason"] = row.valid.reason
    return _Announced(row.valid.write.actor, view, {"free_beds": current.free_beds, "version": current.version},
                      after)


async def audit_and_announce_rows(uow: UnitOfWork, rows: Sequence[WrittenRow]) -> list[WriteResult]:
    """The audit events of the rows, in their order, then their live events and Idempotency-Keys; their answers."""
    sections = await _audit_and_announce(uow, "free_beds_set", "beds.free_beds_set", [_announced(row) for row in rows])
    keys = [{"owner": row.valid.owner, "key": row.valid.write.idempotency_key, "fingerprint": row.valid.fingerprint,
             "status": 200, "body": section, "created_at": row.view.updated_at}
            for row, section in zip(rows, sections, strict=True) if row.valid.write.idempotency_key is not None]
    if keys:
        await uow.session.execute(_STORE_KEY, keys)
    return [WriteResult(section=section) for section in sections]


async def set_free_beds(
    uow: UnitOfWork, *, actor: Actor, section_id: int, free_beds: object, expected_version: object,
    reason: str | None = None, idempotency_key: str | None = None,
) -> WriteResult:
    """Every refusal (a DomainError) is raised before anything is changed (``check_free_beds_writes``)."""
    return await write_one(uow, FreeBedsWrite(actor, section_id, free_beds, expected_version, reason, idempotency_key))


async def write_one(uow: UnitOfWork, write: FreeBedsWrite) -> WriteResult:
    [checked] = await check_free_beds_writes(uow, [write])
    if isinstance(checked, DomainError):
        raise checked
    if isinstance(checked, WriteResult):
        return checked
    await write_rows(uow, [checked])
    return (await audit_and_announce_rows(uow, [checked]))[0]


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
