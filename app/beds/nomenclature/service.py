"""Nomenclature imports: preview (validate, diff, keep the file), then apply exactly what was previewed.

Nothing changes at upload. Confirming re-reads the kept file, re-computes the diff against the database
as it is now and applies it only if it is the diff the admin saw (same fingerprint); otherwise the admin
is asked to review again. The whole apply is one transaction: rows, one audit event per hospital and
section touched, one summary event, and the live-board events published after commit.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PureWindowsPath

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from accounts import permissions
from app.beds.events import SectionChanged
from app.beds.models import Section
from app.beds.nomenclature.apply import AuditEntry, write
from app.beds.nomenclature.audit import record_all
from app.beds.nomenclature.diff import Diff, Snapshot, TypeIds, compute, load_snapshot, load_types
from app.beds.nomenclature.formats import read
from app.beds.nomenclature.models import APPLIED, CANCELLED, EXPIRED, PENDING, NomenclatureImport
from app.beds.nomenclature.validation import Problem, Reading
from app.beds.section_queries import section_query, views_of
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _

MAX_FILE_BYTES = 20 * 1024 * 1024
PENDING_LIFETIME = timedelta(hours=1)
# Any constant will do: it only has to be the same for every process importing into this database.
ADVISORY_LOCK_KEY = 0x6E6F6D31
VIEW_BATCH = 1000


class FileTooLarge(DomainError):
    code = "file_too_large"
    status = 413


class ImportNotFound(NotFound):
    code = "nomenclature_import_not_found"


class ImportClosed(Conflict):
    code = "nomenclature_import_closed"


class NomenclatureChanged(Conflict):
    code = "nomenclature_changed"


class NomenclatureInvalid(ValidationFailed):
    code = "nomenclature_invalid"


CLOSED_MESSAGES = {
    APPLIED: _("This import was already applied."),
    CANCELLED: _("This import was cancelled. Upload the file again."),
    EXPIRED: _("This preview expired after an hour. Upload the file again."),
}


@dataclass(frozen=True)
class Examination:
    reading: Reading
    diff: Diff | None
    problems: tuple[Problem, ...]
    fingerprint: str = ""


@dataclass(frozen=True)
class Preview:
    """What a file would change, or why it cannot be applied; ``record`` is the kept upload, if any."""

    examination: Examination | None
    record: NomenclatureImport | None
    status: str


def may_import(actor: Actor) -> bool:
    # The command line runs on the server with the database's credentials: it is the system itself.
    return permissions.may(actor, permissions.NOMENCLATURE_IMPORT) or (
        actor.source == "cli" and not actor.is_authenticated)


def _check(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionDenied(_("Only an authority administrator may import the nomenclature."))


def status_of(record: NomenclatureImport, now: datetime) -> str:
    if record.status == PENDING and now - record.uploaded_at > PENDING_LIFETIME:
        return EXPIRED
    return record.status


async def _examine(session: AsyncSession, file_name: str, content: bytes, *, lock: bool = False
                   ) -> tuple[Examination, Snapshot | None, TypeIds]:
    types = await load_types(session)
    # Parsing and comparing 10,000 lines is CPU work: off the event loop, so other requests keep flowing.
    reading = await asyncio.to_thread(read, content, file_name, types.vocabulary)
    if not reading.ok:
        return Examination(reading, None, reading.problems), None, types
    snapshot = await load_snapshot(session, types, lock=lock)
    diff, problems, fingerprint = await asyncio.to_thread(_compare, snapshot, reading)
    return Examination(reading, None if problems else diff, problems, fingerprint), snapshot, types


def _compare(snapshot: Snapshot, reading: Reading) -> tuple[Diff, tuple[Problem, ...], str]:
    diff, problems = compute(snapshot, reading.hospitals, reading.format)
    return diff, problems, diff.fingerprint()


async def _expire_stale(session: AsyncSession, now: datetime) -> None:
    """Old previews can never be applied: drop their content, which may be megabytes."""
    await session.execute(update(NomenclatureImport).where(
        NomenclatureImport.status == PENDING, NomenclatureImport.uploaded_at < now - PENDING_LIFETIME,
    ).values(status=EXPIRED, content=b""))


async def preview(uow: UnitOfWork, *, actor: Actor, file_name: str, content: bytes) -> Preview:
    """Validates and compares a file; keeps it as a pending import only when it can be applied."""
    _check(actor)
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(_("The file is larger than {limit} MB. Split it or remove what is not needed."),
                           limit=MAX_FILE_BYTES // (1024 * 1024))
    examination, _snapshot, _types = await _examine(uow.session, file_name, content)
    if examination.diff is None:
        return Preview(examination, None, PENDING)
    now = session_now(uow.session)
    await _expire_stale(uow.session, now)
    record = NomenclatureImport(
        uploaded_by=actor.username, uploaded_by_id=actor.user_id, uploaded_at=now,
        file_name=PureWindowsPath(file_name).name[:255] or "nomenclature", content=content,
        sha256=hashlib.sha256(content).hexdigest(), diff_sha256=examination.fingerprint,
        counts=examination.diff.counts(), status=PENDING)
    uow.session.add(record)
    await uow.session.flush()
    return Preview(examination, record, PENDING)


async def _record(session: AsyncSession, import_id: int, *, lock: bool = False) -> NomenclatureImport:
    query = select(NomenclatureImport).where(NomenclatureImport.id == import_id)
    record = await session.scalar(query.with_for_update() if lock else query)
    if record is None:
        raise ImportNotFound(_("There is no such import."), details={"import_id": import_id})
    return record


async def review(uow: UnitOfWork, *, actor: Actor, import_id: int) -> Preview:
    """A kept import as it stands: if still pending, its diff against the database now."""
    _check(actor)
    record = await _record(uow.session, import_id)
    status = status_of(record, session_now(uow.session))
    if status != PENDING:
        return Preview(None, record, status)
    examination, _snapshot, _types = await _examine(uow.session, record.file_name, record.content)
    return Preview(examination, record, status)


async def _serialise_imports(session: AsyncSession) -> None:
    # Two imports at once would each insert what the other does not yet see. SQLite's BEGIN IMMEDIATE
    # already serialises writers; PostgreSQL needs a lock held until the transaction ends.
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


async def apply(uow: UnitOfWork, *, actor: Actor, import_id: int, fingerprint: str) -> NomenclatureImport:
    """Applies a pending import if its diff is still ``fingerprint`` (the one previewed)."""
    _check(actor)
    await _serialise_imports(uow.session)
    record = await _record(uow.session, import_id, lock=True)
    now = session_now(uow.session)
    status = status_of(record, now)
    if status != PENDING:
        raise ImportClosed(CLOSED_MESSAGES[status], details={"status": status})
    examination, snapshot, types = await _examine(uow.session, record.file_name, record.content, lock=True)
    if examination.diff is None or snapshot is None:
        raise NomenclatureInvalid(_("The file no longer passes validation. Review it again."))
    diff = examination.diff
    if examination.fingerprint != fingerprint:
        raise NomenclatureChanged(_("The data changed since the preview; review it again."))
    entries = await write(uow.session, diff, snapshot, types, now)
    counts = diff.counts()
    entries.append(AuditEntry("beds.nomenclature_applied", "nomenclature_import", record.id, None,
                              {**counts, "sha256": record.sha256, "file_name": record.file_name}))
    sequence = await record_all(uow.session, actor=actor, entries=entries)
    await _announce(uow, entries, sequence)
    record.status, record.decided_at, record.decided_by, record.counts = APPLIED, now, actor.username, counts
    return record


async def _announce(uow: UnitOfWork, entries: list[AuditEntry], sequence: list[int]) -> None:
    """One live-board event per section touched; a retired one says so, and the board drops it."""
    touched = {entry.object_id: (seq, entry.action == "beds.section_retired")
               for entry, seq in zip(entries, sequence, strict=True) if entry.object_type == "section"}
    ids = sorted(touched)
    events: list[SectionChanged] = []
    for start in range(0, len(ids), VIEW_BATCH):
        query = section_query().where(Section.id.in_(ids[start:start + VIEW_BATCH]))
        for view in await views_of(uow.session, query.execution_options(populate_existing=True)):
            seq, retired = touched[view.id]
            section = view.as_json()
            if retired:
                section["retired"] = True
            events.append(SectionChanged(seq=seq, kind="nomenclature", section=section))
    for event in sorted(events, key=lambda event: event.seq):
        uow.emit(event)


async def cancel(uow: UnitOfWork, *, actor: Actor, import_id: int) -> None:
    _check(actor)
    record = await _record(uow.session, import_id, lock=True)
    now = session_now(uow.session)
    status = status_of(record, now)
    if status != PENDING:
        raise ImportClosed(CLOSED_MESSAGES[status], details={"status": status})
    record.status, record.decided_at, record.decided_by, record.content = CANCELLED, now, actor.username, b""


@dataclass(frozen=True)
class ImportSummary:
    id: int
    file_name: str
    uploaded_by: str
    uploaded_at: datetime
    status: str
    counts: dict[str, int]
    decided_by: str | None


async def recent(uow: UnitOfWork, *, actor: Actor, limit: int = 10) -> list[ImportSummary]:
    _check(actor)
    now = session_now(uow.session)
    query = (select(NomenclatureImport).options(defer(NomenclatureImport.content))
             .order_by(NomenclatureImport.id.desc()).limit(limit))
    return [ImportSummary(record.id, record.file_name, record.uploaded_by, record.uploaded_at,
                          status_of(record, now), dict(record.counts), record.decided_by)
            for record in await uow.session.scalars(query)]
