"""Reading the audit log for people: filtered, newest first, one keyset page at a time.

Pages are cut by sequence number (``seq < before``), never by OFFSET, so page 5,000 costs what page 1
costs. Hospital and section filters become ``object_type = 'section' AND object_id IN (...)`` (the ids
asked of beds through ``app.beds.interface``), which reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.interface import SectionName, hospital_choices, section_ids, section_names
from app.history.filters import ADMISSION_ACTIONS, BED_ACTIONS, HistoryFilter
from app.kit.audit import AuditEvent

PAGE_SIZE = 100
BED_BOARD_ACTIONS = BED_ACTIONS + ADMISSION_ACTIONS


@dataclass(frozen=True)
class AdmissionChange:
    """An admission status event in words: the status before and after, the reason and expiry set with it."""

    before: str | None
    after: str | None
    reason_code: str | None
    reason: str | None
    until: datetime | None

    @classmethod
    def of(cls, before: dict[str, Any] | None, after: dict[str, Any] | None) -> AdmissionChange:
        values = after or {}
        until = values.get("until")
        return cls(_text(before, "status"), _text(after, "status"), _text(after, "reason_code"),
                   _text(after, "reason"), datetime.fromisoformat(until) if isinstance(until, str) else None)


def _text(values: dict[str, Any] | None, key: str) -> str | None:
    value = (values or {}).get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: datetime
    action: str
    actor: str
    organisation: str | None
    source: str
    object_type: str | None
    object_id: str | None
    hospital: str | None
    section: str | None
    old_value: int | None
    new_value: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    client_address: str | None
    reason: str | None = None  # why a count was set below zero, as the operator gave it
    admission: AdmissionChange | None = None  # for an admission status event


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_before: int | None


async def _filtered_section_ids(session: AsyncSession, filters: HistoryFilter) -> list[str]:
    """The filtered sections' ids as the log writes them (``object_id`` is text)."""
    ids = await section_ids(session, hospital_id=filters.hospital_id, section_id=filters.section_id,
                            section_type_id=filters.section_type_id)
    return [str(id_) for id_ in ids]


async def events_query(session: AsyncSession, filters: HistoryFilter,
                       readable: ColumnElement[bool] | None = None) -> Select[AuditEvent]:
    """``readable``: what the reader may read at all (``app.history.scope``: their organisation tree); the pages
    always pass it, benches and the command line read the whole log."""
    readable = true() if readable is None else readable
    query = select(AuditEvent).where(readable)
    if filters.kind == "beds":
        query = query.where(AuditEvent.action.in_(BED_BOARD_ACTIONS))
    elif filters.kind == "admin":
        query = query.where(AuditEvent.action.not_in(BED_BOARD_ACTIONS))
    if filters.narrows_sections:
        in_sections = and_(AuditEvent.object_type == "section",
                           AuditEvent.object_id.in_(await _filtered_section_ids(session, filters)))
        if filters.hospital_id is not None and filters.section_id is None and filters.section_type_id is None:
            # A hospital's own events (its admission status, its changes) belong to it as much as its sections'.
            in_sections = or_(in_sections, and_(AuditEvent.object_type == "hospital",
                                                AuditEvent.object_id == str(filters.hospital_id)))
        query = query.where(in_sections)
    if filters.user is not None:
        query = query.where(AuditEvent.actor == filters.user)
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at <= filters.until)
    return query


def _int_or_none(values: dict[str, Any] | None, key: str) -> int | None:
    value = (values or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def section_id_of(object_type: str | None, object_id: str | None) -> int | None:
    if object_type != "section" or not object_id or not object_id.isdigit():
        return None
    return int(object_id)


def bed_values(action: str, before: dict[str, Any] | None,
               after: dict[str, Any] | None) -> tuple[int | None, int | None]:
    """Free beds before and after an event (a confirmation leaves the number as it was)."""
    new_value = _int_or_none(after, "free_beds")
    return (new_value if action == "beds.confirmed" else _int_or_none(before, "free_beds")), new_value


def to_row(event: AuditEvent, names: dict[int, SectionName], hospitals: dict[int, str] | None = None) -> HistoryRow:
    """``hospitals``: hospital names by id, for the events about a whole hospital."""
    section_id = section_id_of(event.object_type, event.object_id)
    name = names.get(section_id) if section_id is not None else None
    hospital = name.hospital if name else None
    if event.object_type == "hospital" and event.object_id and event.object_id.isdigit():
        hospital = (hospitals or {}).get(int(event.object_id))
    old_value, new_value = bed_values(event.action, event.before, event.after)
    return HistoryRow(
        seq=event.seq, at=event.at, action=event.action, actor=event.actor, organisation=event.organisation,
        source=event.source, object_type=event.object_type, object_id=event.object_id,
        hospital=hospital, section=name.section if name else None,
        old_value=old_value, new_value=new_value, before=event.before, after=event.after,
        client_address=event.client_address, reason=_reason(event.after),
        admission=AdmissionChange.of(event.before, event.after) if event.action in ADMISSION_ACTIONS else None)


def _reason(after: dict[str, Any] | None) -> str | None:
    value = (after or {}).get("reason")
    return value if isinstance(value, str) and value else None


async def history_page(session: AsyncSession, filters: HistoryFilter, *, readable: ColumnElement[bool] | None = None,
                       before: int | None = None, size: int = PAGE_SIZE) -> HistoryPage:
    query = await events_query(session, filters, readable)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    events = list(await session.scalars(query.order_by(AuditEvent.seq.desc()).limit(size + 1)))
    shown = events[:size]
    ids = {section_id_of(event.object_type, event.object_id) for event in shown}
    names = await section_names(session, {id_ for id_ in ids if id_ is not None})
    about_hospitals = any(event.object_type == "hospital" for event in shown)
    hospitals = dict(await hospital_choices(session)) if about_hospitals else {}
    next_before = shown[-1].seq if len(events) > size else None
    return HistoryPage([to_row(event, names, hospitals) for event in shown], next_before)
