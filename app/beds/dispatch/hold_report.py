"""Bed holds per hospital per day, for an authority's auditors (issue 22: "who holds and how long").

Read from the holds' own rows (``bed_holds``, never deleted), with the announcing coordinator's name from the
announcement: per day of the reader's zone and hospital, how many holds started, their minutes held in total and at
most (a live hold counts up to now), how they ended, and who held them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.dispatch.models import Announcement, BedHold

MAX_DAYS = 62


@dataclass
class HoldDay:
    day: date
    hospital: str
    holds: int = 0
    minutes: float = 0.0
    longest: float = 0.0
    endings: Counter[str] = field(default_factory=Counter)
    holders: Counter[str] = field(default_factory=Counter)


async def holds_by_day(session: AsyncSession, *, since: datetime, until: datetime, now: datetime,
                       zone: ZoneInfo) -> list[HoldDay]:
    rows = await session.execute(
        select(BedHold, Announcement.created_by, Organisation.name)
        .join(Announcement, Announcement.id == BedHold.announcement_id)
        .join(Organisation, Organisation.id == BedHold.hospital_id)
        .where(BedHold.created_at >= since, BedHold.created_at < until).order_by(BedHold.created_at))
    days: dict[tuple[date, str], HoldDay] = {}
    for hold, holder, hospital in rows:
        day = hold.created_at.astimezone(zone).date()
        entry = days.setdefault((day, hospital), HoldDay(day, hospital))
        minutes = ((hold.released_at or min(now, hold.expires_at)) - hold.created_at) / timedelta(minutes=1)
        entry.holds += 1
        entry.minutes += minutes
        entry.longest = max(entry.longest, minutes)
        entry.endings[hold.released_how or "held"] += 1
        entry.holders[holder] += 1
    return sorted(days.values(), key=lambda entry: (entry.day, entry.hospital), reverse=True)


def window(today: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The last ``days`` days of the reader's zone, today included, as UTC moments."""
    start = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), zone)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
    return start, end
