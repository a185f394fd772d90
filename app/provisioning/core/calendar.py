"""Business-day arithmetic: only time on business days counts, in the organisation's time zone.

A business day is a weekday that is neither a public holiday of the calendar's country (and subdivision) nor one
of the organisation's closure days. Days are whole local days (no office hours): a day runs from its local
midnight to the next one, and business time is the real time that elapses inside business days, so a business
day on which the clocks change counts 23 or 25 hours. "Due two business days after receipt" is the instant at
which 48 hours of business-day time have passed: received Monday 10:00, due Wednesday 10:00; received Saturday,
due Wednesday 00:00 (the end of Tuesday).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from app.kit.i18n import Localised, _, translate

# Holidays that close an office, per country; every other country closes on its public holidays. In Sweden
# Midsummer Eve, Christmas Eve and New Year's Eve are de facto, not public, holidays, yet offices close on them.
# Swedish Sundays stay out so that a Sunday is a "Weekend", not a holiday called "Sunday".
_HOLIDAY_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "SE": {"categories": (holidays.PUBLIC, holidays.DE_FACTO), "include_sundays": False},
}
_PUBLIC_ONLY: Mapping[str, Any] = {"categories": (holidays.PUBLIC,)}
# The names of holidays are the package's, in the reader's language where it has them for the country (Sweden: sv,
# Chile: es), else in the country's own, else in English; business-day counting reads the English calendar only.
_ENGLISH = "en_US"
_HOLIDAY_LANGUAGES: Mapping[str, str] = {"en": _ENGLISH}
LOCAL_CLOSURE = _("Local closure")
# A calendar closed this long without a break is a mistake, not an office: stop rather than search forever.
MAX_CLOSED_DAYS = 366
_DAY = timedelta(days=1)
_WEEKEND = (5, 6)


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days an organisation works. ``country`` None: every weekday is a business day but for closures."""

    country: str | None
    subdivision: str | None
    closures: frozenset[date]
    zone: ZoneInfo

    def is_business_day(self, day: date) -> bool:
        # No names here: counting business days looks at every day of a lead time, and only a notice needs one.
        if day in self.closures or day.weekday() in _WEEKEND:
            return False
        return not self.country or day not in _holidays(self.country, self.subdivision, day.year, _ENGLISH)

    def why_closed(self, day: date) -> str | None:
        """The local closure, the holiday's name or "Weekend"; None on a business day.

        The English text, which ``translate`` shows in the reader's language (a ``Localised``).
        """
        if day in self.closures:
            return Localised(LOCAL_CLOSURE, partial(translate, message_id=LOCAL_CLOSURE))
        holiday = _holidays(self.country, self.subdivision, day.year, _ENGLISH).get(day) if self.country else None
        if holiday and self.country:
            return Localised(holiday, partial(holiday_name, self.country, self.subdivision, day))
        if day.weekday() in _WEEKEND:
            return _("Weekend")
        return None


def calendar_for(
    country: str | None, subdivision: str | None, closures: Iterable[date], zone: ZoneInfo
) -> BusinessCalendar:
    """A calendar whose country and subdivision ``holidays`` knows (ISO 3166 codes, e.g. "CL", "RM")."""
    if country is None:
        if subdivision is not None:
            raise ValueError(f"Subdivision {subdivision!r} given without a country.")
    elif country not in holidays.list_supported_countries():
        raise ValueError(f"Unknown country code {country!r}: no public holidays are known for it.")
    elif subdivision is not None:
        try:
            holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as error:
            raise ValueError(f"Country {country!r} has no subdivision {subdivision!r}.") from error
    return BusinessCalendar(country, subdivision, frozenset(closures), zone)


def add_business_time(calendar: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """The first instant (UTC) by which ``amount`` of business-day time has passed since ``start``."""
    if amount < timedelta(0):
        raise ValueError("Business time to add must not be negative.")
    cursor = _utc(start)
    if not amount:
        return cursor
    day = cursor.astimezone(calendar.zone).date()
    remaining, closed_days = amount, 0
    while True:
        day_end = _day_start(calendar, day + _DAY)
        if calendar.is_business_day(day):
            closed_days = 0
            if remaining <= day_end - cursor:
                return cursor + remaining
            remaining -= day_end - cursor
        else:
            closed_days += 1
            if closed_days > MAX_CLOSED_DAYS:
                first_closed = day - MAX_CLOSED_DAYS * _DAY
                raise ValueError(f"No business day in the {closed_days} days from {first_closed}.")
        cursor, day = day_end, day + _DAY


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """How much business-day time passes from ``start`` to ``end``; zero when ``end`` is not later."""
    cursor, end = _utc(start), _utc(end)
    day = cursor.astimezone(calendar.zone).date()
    total = timedelta(0)
    while cursor < end:
        day_end = _day_start(calendar, day + _DAY)
        if calendar.is_business_day(day):
            total += min(end, day_end) - cursor
        cursor, day = day_end, day + _DAY
    return total


def due_after(calendar: BusinessCalendar, received: datetime, business_days: int) -> datetime:
    """When something received at ``received`` and due ``business_days`` business days later is due."""
    return add_business_time(calendar, received, business_days * _DAY)


def _day_start(calendar: BusinessCalendar, day: date) -> datetime:
    # Where the clocks jump over midnight (Chile in September), zoneinfo reads the missing midnight with the
    # offset from before the jump, which lands on the instant of the jump: where that day does begin.
    return datetime.combine(day, time(), tzinfo=calendar.zone).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Business time needs an aware datetime, not {moment!r}.")
    return moment.astimezone(UTC)


def holiday_name(country: str, subdivision: str | None, day: date, language: str) -> str:
    """The name of the holiday on ``day`` in one of our languages ("sv": "Midsommarafton"); "" on no holiday."""
    return _holidays(country, subdivision, day.year, _holiday_language(country, language)).get(day, "")


@cache
def _holiday_language(country: str, language: str) -> str:
    """The reader's language if holidays names this country's holidays in it, else the country's own, else English."""
    known = holidays.country_holidays(country)
    wanted = (_HOLIDAY_LANGUAGES.get(language, language), known.default_language, _ENGLISH)
    return next((choice for choice in wanted if choice in known.supported_languages), _ENGLISH)


@cache
def _holidays(country: str, subdivision: str | None, year: int, language: str) -> Mapping[date, str]:
    """One year of a country's closing holidays named in ``language``, computed on first use and kept (per country,
    subdivision, year and language: holidays derives them by rule, 1-2 ms a year)."""
    options = _HOLIDAY_OPTIONS.get(country, _PUBLIC_ONLY)
    found = holidays.country_holidays(country, subdiv=subdivision, years=year, language=language, **options)
    return MappingProxyType(dict(found))
