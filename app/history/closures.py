"""The closures report: per hospital and section, the hours limited and closed in one month, and why (issue 21).

The authority's view of who closes how often and why. A month is the reader's organisation's month (its zone's
midnights, so a closure from 22:00 on the last day to 02:00 counts two hours in each month), a stretch still in
force counts up to now, and the hours of each stretch go to the reason it was set with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.beds.interface import AdmissionStretch
from app.kit.errors import ValidationFailed
from app.kit.forms import check_day_in_range
from app.kit.i18n import _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Month:
    """A calendar month in a zone; ``start`` and ``end`` are its first and next month's first midnight."""

    year: int
    month: int
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> Month:
        found = MONTH.match(text.strip())
        if found is None or int(found.group(1)) < 1 or not 1 <= int(found.group(2)) <= 12:
            raise ValidationFailed(_("{field} must be a month like 2026-12."), field="month",
                                   details={"field": "month"})
        month = cls(int(found.group(1)), int(found.group(2)), zone)
        check_day_in_range(month.start.date(), "month")
        return month

    @classmethod
    def containing(cls, moment: datetime, zone: ZoneInfo) -> Month:
        local = moment.astimezone(zone)
        return cls(local.year, local.month, zone)

    @property
    def start(self) -> datetime:
        """In UTC: Python subtracts two moments of one zone by their wall clocks, so March in Bucharest would
        count 744 hours instead of 743 (the clocks go forward on its last Sunday)."""
        return datetime(self.year, self.month, 1, tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.following.start

    @property
    def following(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1, self.zone)

    @property
    def preceding(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1, self.zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class ReasonHours:
    """The hours one target spent in one status for one reason, and the words given with it ("other")."""

    status: str
    reason_code: str
    reason_en: str
    reason_ro: str
    hours: float = 0.0
    periods: int = 0
    words: list[str] = field(default_factory=list)

    def reason_name(self, language: str) -> str:
        return self.reason_ro if language == "ro" else self.reason_en


@dataclass
class TargetClosures:
    """One hospital as a whole (``section_id`` None) or one of its sections, over the month."""

    hospital_id: int
    hospital: str
    section_id: int | None
    section: str | None
    reasons: dict[tuple[str, str], ReasonHours] = field(default_factory=dict)

    def hours(self, status: str) -> float:
        return sum(reason.hours for reason in self.reasons.values() if reason.status == status)

    def periods(self, status: str) -> int:
        return sum(reason.periods for reason in self.reasons.values() if reason.status == status)

    @property
    def by_hours(self) -> list[ReasonHours]:
        """Closed before limited, then the longest first."""
        return sorted(self.reasons.values(), key=lambda item: (item.status != "closed", -item.hours, item.reason_code))


def _hours_within(stretch: AdmissionStretch, start: datetime, end: datetime, now: datetime) -> float:
    begins, ends = max(stretch.started_at, start), min(stretch.end(now), end, now)
    return max((ends - begins) / HOUR, 0.0)


def closures_report(stretches: list[AdmissionStretch], month: Month, now: datetime) -> list[TargetClosures]:
    """Every hospital or section limited or closed at some time of ``month``, by hospital, the hospital as a whole
    before its sections. A stretch that began before the month, or runs past it, counts only its part inside."""
    targets: dict[tuple[int, int | None], TargetClosures] = {}
    for stretch in stretches:
        hours = _hours_within(stretch, month.start, month.end, now)
        if hours <= 0:
            continue
        target = targets.setdefault((stretch.hospital_id, stretch.section_id), TargetClosures(
            stretch.hospital_id, stretch.hospital, stretch.section_id, stretch.section))
        reason = target.reasons.setdefault((stretch.status, stretch.reason_code), ReasonHours(
            stretch.status, stretch.reason_code, stretch.reason_en, stretch.reason_ro))
        reason.hours += hours
        reason.periods += 1
        if stretch.reason and stretch.reason not in reason.words:
            reason.words.append(stretch.reason)
    return sorted(targets.values(), key=lambda item: (item.hospital, item.hospital_id, item.section_id is not None,
                                                      item.section or ""))
