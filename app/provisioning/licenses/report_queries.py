"""The licence officer's report: requests per state and commune, time to creation against the 2-business-day
target, what is overdue now, and deactivations per month.

A date range (local days of the health service, both ends included) selects requests by when they were
created, creation times by when the licences were created, and deactivations by when they happened; the
overdue count is always "now". Times to creation are business time (``business_time_between`` on the
requesting organisation's calendar) from the last submission to the creation of the request's licences, in
business days of 24 hours. Deactivations are counted from the audit log, so that a licence deactivated and later
reactivated still counts once for the month it was deactivated.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.errors import ValidationFailed
from app.kit.forms import check_day_in_range
from app.kit.i18n import _
from app.notifications.notify import organisation_ids_under
from app.provisioning.core import workflow
from app.provisioning.core.calendar import BusinessCalendar, business_time_between
from app.provisioning.core.deadlines import calendar_of, is_overdue
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.licenses import kinds
from app.provisioning.licenses.models import License
from app.provisioning.licenses.usage_tokens import officer_service

TARGET_DAYS = kinds.NEW.business_days
STATES = tuple(workflow.REQUEST_STATE_LABELS)
COMMUNE = "commune"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Local days, both included; None: open-ended."""

    first: date | None = None
    last: date | None = None


def parse_period(first_text: str, last_text: str) -> Period:
    first = _day(first_text, "from")
    last = _day(last_text, "to")
    if first is not None and last is not None and first > last:
        raise ValidationFailed(_("The start date ({first}) is after the end date ({last})."),
                               first=first.isoformat(), last=last.isoformat(), details={"field": "to"})
    return Period(first, last)


def _day(text: str, field: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("{value} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-30."),
                               value=text, details={"field": field}) from None
    check_day_in_range(day, field)
    return day


@dataclass(frozen=True)
class CommuneRow:
    commune: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CreationTimes:
    count: int
    median_days: float | None
    p90_days: float | None
    within_target: int

    @property
    def share_within_target(self) -> float | None:
        return None if not self.count else self.within_target / self.count


@dataclass(frozen=True)
class Report:
    period: Period
    by_commune: tuple[CommuneRow, ...]
    totals: CommuneRow
    creation: CreationTimes
    overdue_now: int
    deactivations: tuple[tuple[str, str, int], ...]  # (month "YYYY-MM", reason, count), by month then reason


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def creation_times(days: Sequence[float]) -> CreationTimes:
    return CreationTimes(len(days), percentile(days, 0.5), percentile(days, 0.9),
                         sum(1 for value in days if value <= TARGET_DAYS))


def _bounds(period: Period, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    return (None if period.first is None else start_of(period.first),
            None if period.last is None else start_of(period.last + DAY))


async def _communes(session: AsyncSession, organisation_ids: frozenset[int]) -> dict[int, str]:
    """Each organisation's commune name: itself if a commune, else the nearest commune above, else its own name."""
    rows = {row.id: row for row in (await session.execute(
        select(Organisation).where(Organisation.id.in_(organisation_ids)))).scalars()}
    names: dict[int, str] = {}
    for organisation_id, organisation in rows.items():
        current: Organisation | None = organisation
        while current is not None and current.kind != COMMUNE:
            current = rows.get(current.parent_id) if current.parent_id is not None else None
        names[organisation_id] = (current or organisation).name
    return names


async def _by_commune(session: AsyncSession, reach: frozenset[int], since: datetime | None,
                      until: datetime | None) -> tuple[tuple[CommuneRow, ...], CommuneRow]:
    statement = (select(ProvisioningRequest.organisation_id, ProvisioningRequest.state, func.count())
                 .where(ProvisioningRequest.kind.in_(list(kinds.LICENSE_KINDS)),
                        ProvisioningRequest.organisation_id.in_(reach))
                 .group_by(ProvisioningRequest.organisation_id, ProvisioningRequest.state))
    if since is not None:
        statement = statement.where(ProvisioningRequest.created_at >= since)
    if until is not None:
        statement = statement.where(ProvisioningRequest.created_at < until)
    communes = await _communes(session, reach)
    counts: dict[str, Counter[str]] = {}
    for organisation_id, state, count in await session.execute(statement):
        counts.setdefault(communes[organisation_id], Counter())[state] += count
    rows = tuple(CommuneRow(name, {state: counts[name][state] for state in STATES})
                 for name in sorted(counts, key=str.casefold))
    totals = CommuneRow("", {state: sum(row.counts[state] for row in rows) for state in STATES})
    return rows, totals


async def _creation(session: AsyncSession, reach: frozenset[int], since: datetime | None,
                    until: datetime | None) -> CreationTimes:
    created = func.min(License.created_at)
    statement = (select(ProvisioningRequest.organisation_id, ProvisioningRequest.submitted_at, created)
                 .join(License, License.request_id == ProvisioningRequest.id)
                 .where(ProvisioningRequest.kind == kinds.NEW.code, ProvisioningRequest.organisation_id.in_(reach),
                        ProvisioningRequest.submitted_at.is_not(None))
                 .group_by(ProvisioningRequest.id, ProvisioningRequest.organisation_id,
                           ProvisioningRequest.submitted_at))
    if since is not None:
        statement = statement.having(created >= since)
    if until is not None:
        statement = statement.having(created < until)
    calendars: dict[int, BusinessCalendar] = {}
    days: list[float] = []
    for organisation_id, submitted_at, first_created in await session.execute(statement):
        if submitted_at is None:  # excluded by the query; the column may be null
            continue
        if organisation_id not in calendars:
            calendars[organisation_id] = await calendar_of(session, organisation_id)
        days.append(business_time_between(calendars[organisation_id], submitted_at, first_created) / DAY)
    return creation_times(days)


async def _overdue_now(session: AsyncSession, reach: frozenset[int], now: datetime) -> int:
    candidates = (await session.execute(select(ProvisioningRequest).where(
        ProvisioningRequest.kind.in_(list(kinds.LICENSE_KINDS)), ProvisioningRequest.organisation_id.in_(reach),
        ProvisioningRequest.state.in_(workflow.OPEN_STATES), ProvisioningRequest.due_at < now))).scalars()
    return sum(1 for request in candidates if is_overdue(request, now))


async def _deactivations(session: AsyncSession, reach: frozenset[int], zone: ZoneInfo, since: datetime | None,
                         until: datetime | None) -> tuple[tuple[str, str, int], ...]:
    statement = (select(AuditEvent.at, AuditEvent.after)
                 .join(License, cast(License.id, String) == AuditEvent.object_id)
                 .where(AuditEvent.action == "licenses.deactivated", AuditEvent.object_type == "license",
                        License.organisation_id.in_(reach)))
    if since is not None:
        statement = statement.where(AuditEvent.at >= since)
    if until is not None:
        statement = statement.where(AuditEvent.at < until)
    counted: Counter[tuple[str, str]] = Counter()
    for at, after in await session.execute(statement):
        reason = str((after or {}).get("reason") or "officer")
        counted[(at.astimezone(zone).strftime("%Y-%m"), reason)] += 1
    return tuple((month, reason, count) for (month, reason), count in sorted(counted.items()))


async def build_report(session: AsyncSession, *, actor: Actor, period: Period, now: datetime) -> Report:
    """The report for the officer's health service; anyone but a licence officer is refused."""
    service_id = await officer_service(session, actor)
    reach = frozenset(await organisation_ids_under(session, service_id))
    zone = (await calendar_of(session, service_id)).zone
    since, until = _bounds(period, zone)
    rows, totals = await _by_commune(session, reach, since, until)
    return Report(period=period, by_commune=rows, totals=totals,
                  creation=await _creation(session, reach, since, until),
                  overdue_now=await _overdue_now(session, reach, now),
                  deactivations=await _deactivations(session, reach, zone, since, until))
