"""Free beds over time for one section, or summed over a hospital's sections, rebuilt from the log.

A series is a step function: a value holds from its change until the next one. Where a section went
unreported for longer than the staleness limit, its number was not trustworthy: those stretches are gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.interface import STALE_AFTER, section_ids, section_views
from app.history.filters import BED_ACTIONS
from app.kit.audit import AuditEvent


@dataclass(frozen=True)
class Point:
    at: datetime
    value: int


@dataclass(frozen=True)
class Gap:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Series:
    points: list[Point]
    gaps: list[Gap]


def _free_beds_after(event: AuditEvent) -> int:
    return int((event.after or {})["free_beds"])


async def _events_by_seq(session: AsyncSession, seqs: list[int]) -> dict[str, AuditEvent]:
    events = await session.scalars(select(AuditEvent).where(AuditEvent.seq.in_(seqs)))
    return {str(event.object_id): event for event in events}


async def _edge_events(session: AsyncSession, ids: list[str], moment: datetime,
                       *, before: bool) -> dict[str, AuditEvent]:
    """Per section, its last bed event before ``moment`` (or its first at or after it)."""
    pick = func.max(AuditEvent.seq) if before else func.min(AuditEvent.seq)
    when = AuditEvent.at < moment if before else AuditEvent.at >= moment
    seqs = list(await session.scalars(
        select(pick).where(AuditEvent.action.in_(BED_ACTIONS), AuditEvent.object_type == "section",
                           AuditEvent.object_id.in_(ids), when).group_by(AuditEvent.object_id)))
    return await _events_by_seq(session, seqs)


async def _starting_state(session: AsyncSession, charted: list[int],
                          since: datetime) -> tuple[dict[str, int], dict[str, datetime | None]]:
    ids = [str(id_) for id_ in charted]
    last_before = await _edge_events(session, ids, since, before=True)
    first_after = await _edge_events(session, ids, since, before=False)
    current = {str(view.id): view.free_beds for view in await section_views(session, charted)}
    values: dict[str, int] = {}
    reported: dict[str, datetime | None] = {}
    for id_ in ids:
        if id_ in last_before:
            values[id_], reported[id_] = _free_beds_after(last_before[id_]), last_before[id_].at
        elif id_ in first_after and first_after[id_].action == "beds.free_beds_set":
            values[id_], reported[id_] = int((first_after[id_].before or {})["free_beds"]), None
        else:
            values[id_], reported[id_] = current.get(id_, 0), None
    return values, reported


def _stale_stretches(reports: list[datetime | None], since: datetime, until: datetime) -> list[Gap]:
    """Given a section's report times (None: never reported before ``since``), where it was stale."""
    gaps: list[Gap] = []
    for last, following in zip(reports, [*reports[1:], None], strict=True):
        stale_from = since if last is None else max(since, last + STALE_AFTER)
        stale_to = until if following is None else min(until, following)
        if stale_from < stale_to:
            gaps.append(Gap(stale_from, stale_to))
    return gaps


def _merged(gaps: list[Gap]) -> list[Gap]:
    merged: list[Gap] = []
    for gap in sorted(gaps, key=lambda item: item.start):
        if merged and gap.start <= merged[-1].end:
            merged[-1] = Gap(merged[-1].start, max(merged[-1].end, gap.end))
        else:
            merged.append(gap)
    return merged


async def charted_sections(session: AsyncSession, *, hospital_id: int | None, section_id: int | None) -> list[int]:
    """The sections a chart sums: the one chosen, or every section of the chosen hospital, or none."""
    if section_id is not None:
        return await section_ids(session, section_id=section_id)
    if hospital_id is not None:
        return await section_ids(session, hospital_id=hospital_id)
    return []


async def free_beds_series(session: AsyncSession, charted: list[int], since: datetime,
                           until: datetime) -> Series:
    """The sum of the sections' free beds from ``since`` to ``until``: one point per change, plus both ends."""
    values, reported = await _starting_state(session, charted, since)
    points = [Point(since, sum(values.values()))]
    reports: dict[str, list[datetime | None]] = {id_: [moment] for id_, moment in reported.items()}
    events = await session.stream_scalars(
        select(AuditEvent).where(AuditEvent.action.in_(BED_ACTIONS), AuditEvent.object_type == "section",
                                 AuditEvent.object_id.in_(list(values)), AuditEvent.at >= since,
                                 AuditEvent.at <= until).order_by(AuditEvent.seq).execution_options(yield_per=2000))
    async for event in events:
        id_ = str(event.object_id)
        values[id_] = _free_beds_after(event)
        reports[id_].append(event.at)
        total = sum(values.values())
        if points[-1].at == event.at:
            points[-1] = Point(event.at, total)
        else:
            points.append(Point(event.at, total))
    if points[-1].at < until:
        points.append(Point(until, points[-1].value))
    gaps = [gap for moments in reports.values() for gap in _stale_stretches(moments, since, until)]
    return Series(points, _merged(gaps))
