"""Business-day arithmetic: holidays, weekends, closures, pauses and days on which the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.provisioning.core.calendar import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    calendar_for,
    due_after,
)

SANTIAGO = ZoneInfo("America/Santiago")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Egypt moves its clocks on weekdays (Friday 2026-04-24 has 23 hours, Thursday 2026-10-29 has 25), which is
# what shows how a business day with a clock change counts; Chile and Sweden change theirs at weekends.
CAIRO = ZoneInfo("Africa/Cairo")

CHILE = calendar_for("CL", None, (), SANTIAGO)
SWEDEN = calendar_for("SE", None, (), STOCKHOLM)
EGYPT_WEEKDAYS = calendar_for(None, None, (), CAIRO)
HOUR = timedelta(hours=1)


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as the aware UTC datetime the functions take and return."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def santiago(month: int, day: int, hour: int = 0) -> datetime:
    return local(SANTIAGO, 2026, month, day, hour)


@pytest.mark.parametrize(("received", "due"), [
    # Thursday; Friday 18 and Saturday 19 September are Chile's national holidays.
    (santiago(9, 17, 10), santiago(9, 22, 10)),
    (santiago(9, 28, 10), santiago(9, 30, 10)),  # Monday -> Wednesday
    (santiago(9, 26, 15), santiago(9, 30, 0)),  # Saturday -> the end of Tuesday
    (santiago(9, 25, 15), santiago(9, 29, 15)),  # Friday -> Tuesday
])
def test_due_two_business_days_after_receipt(received: datetime, due: datetime) -> None:
    assert due_after(CHILE, received, 2) == due


def test_results_are_aware_utc() -> None:
    due = due_after(CHILE, datetime(2026, 9, 28, 10, tzinfo=SANTIAGO), 2)
    assert due.tzinfo is UTC
    assert due.astimezone(SANTIAGO).replace(tzinfo=None) == datetime(2026, 9, 30, 10)


def test_chilean_holidays_are_named() -> None:
    assert CHILE.why_closed(date(2026, 9, 18)) == "Independence Day"
    assert CHILE.why_closed(date(2026, 9, 20)) == "Weekend"
    assert CHILE.why_closed(date(2026, 9, 21)) is None
    assert CHILE.is_business_day(date(2026, 9, 21))


@pytest.mark.parametrize(("day", "name"), [
    (date(2026, 6, 19), "Midsummer Eve"),
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 31), "New Year's Eve"),
])
def test_swedish_de_facto_holidays_are_not_business_days(day: date, name: str) -> None:
    assert not SWEDEN.is_business_day(day)
    assert SWEDEN.why_closed(day) == name


def test_swedish_sundays_are_weekend_and_holidays_on_sundays_keep_their_names() -> None:
    assert SWEDEN.why_closed(date(2026, 6, 21)) == "Weekend"
    assert SWEDEN.why_closed(date(2026, 4, 5)) == "Easter Sunday"
    assert SWEDEN.is_business_day(date(2026, 6, 18))


def test_a_calendar_without_a_country_closes_only_at_weekends_and_closures() -> None:
    assert EGYPT_WEEKDAYS.is_business_day(date(2026, 12, 25))
    assert not EGYPT_WEEKDAYS.is_business_day(date(2026, 12, 26))


def test_a_local_closure_day_is_skipped() -> None:
    closed_tuesday = calendar_for("CL", "RM", [date(2026, 9, 29)], SANTIAGO)
    assert closed_tuesday.why_closed(date(2026, 9, 29)) == "Local closure"
    assert due_after(closed_tuesday, santiago(9, 25, 15), 2) == santiago(9, 30, 15)


def test_business_time_between_leaves_out_the_weekend() -> None:
    assert business_time_between(CHILE, santiago(9, 25, 12), santiago(9, 28, 12)) == 24 * HOUR
    assert business_time_between(CHILE, santiago(9, 26, 1), santiago(9, 27, 23)) == timedelta(0)


def test_business_time_between_is_zero_when_the_end_is_not_later() -> None:
    assert business_time_between(CHILE, santiago(9, 28, 12), santiago(9, 28, 12)) == timedelta(0)
    assert business_time_between(CHILE, santiago(9, 28, 12), santiago(9, 25, 12)) == timedelta(0)


def test_a_pause_moves_the_due_time_by_the_business_time_it_lasted() -> None:
    due = due_after(CHILE, santiago(9, 24, 10), 2)
    assert due == santiago(9, 28, 10)  # Thursday -> Monday
    # Waiting from Friday 12:00 to Monday 12:00: Friday's last 12 hours and Monday's first 12.
    paused = business_time_between(CHILE, santiago(9, 25, 12), santiago(9, 28, 12))
    assert paused == 24 * HOUR
    assert add_business_time(CHILE, due, paused) == santiago(9, 29, 10)


def test_chilean_clock_changes_fall_at_weekends_and_change_no_business_time() -> None:
    # Midnight Saturday 5 -> Sunday 6 September does not exist in Santiago (clocks go 24:00 -> 01:00).
    assert due_after(CHILE, santiago(9, 4, 12), 1) == santiago(9, 7, 12)
    assert business_time_between(CHILE, santiago(9, 4), santiago(9, 7)) == 24 * HOUR
    assert add_business_time(CHILE, santiago(9, 6, 5), HOUR) == santiago(9, 7, 1)
    # Saturday 4 April has 25 hours (and Friday 3 is Good Friday).
    assert due_after(CHILE, santiago(4, 2, 12), 1) == santiago(4, 6, 12)


def test_a_business_day_with_a_clock_change_counts_its_real_length() -> None:
    # Friday 2026-04-24 in Cairo: midnight becomes 01:00, so the day has 23 hours.
    short_friday = business_time_between(EGYPT_WEEKDAYS, local(CAIRO, 2026, 4, 24), local(CAIRO, 2026, 4, 25))
    assert short_friday == 23 * HOUR
    thursday_noon = local(CAIRO, 2026, 4, 23, 12)
    assert add_business_time(EGYPT_WEEKDAYS, thursday_noon, 24 * HOUR) == local(CAIRO, 2026, 4, 24, 13)
    # Thursday 2026-10-29: 24:00 becomes 23:00 again, so the day has 25 hours.
    long_thursday = business_time_between(EGYPT_WEEKDAYS, local(CAIRO, 2026, 10, 29), local(CAIRO, 2026, 10, 30))
    assert long_thursday == 25 * HOUR


STARTS = [
    (CHILE, santiago(9, 17, 10)),
    (CHILE, santiago(9, 4, 23)),
    (CHILE, santiago(4, 2, 0)),
    (SWEDEN, local(STOCKHOLM, 2026, 12, 23, 18, 30)),
    (SWEDEN, local(STOCKHOLM, 2026, 3, 27, 9)),
    (EGYPT_WEEKDAYS, local(CAIRO, 2026, 4, 23, 12)),
    (EGYPT_WEEKDAYS, local(CAIRO, 2026, 10, 29, 22, 45)),
]
AMOUNTS = [timedelta(0), timedelta(minutes=1), 5 * HOUR, 24 * HOUR, timedelta(hours=37, minutes=13), 10 * 24 * HOUR]


@pytest.mark.parametrize(("calendar", "start"), STARTS)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_business_time_between_undoes_add_business_time(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    assert calendar.is_business_day(start.astimezone(calendar.zone).date())
    end = add_business_time(calendar, start, amount)
    assert business_time_between(calendar, start, end) == amount


def test_adding_nothing_returns_the_start_even_on_a_closed_day() -> None:
    assert add_business_time(CHILE, santiago(9, 19, 8), timedelta(0)) == santiago(9, 19, 8)


def test_a_calendar_that_never_opens_is_refused() -> None:
    first = date(2026, 1, 1)
    never_open = calendar_for(None, None, (first + timedelta(days=offset) for offset in range(400)), SANTIAGO)
    with pytest.raises(ValueError, match="No business day"):
        add_business_time(never_open, santiago(1, 1, 12), HOUR)


@pytest.mark.parametrize(("country", "subdivision", "message"), [
    ("XX", None, "Unknown country code 'XX'"),
    ("cl", None, "Unknown country code 'cl'"),
    ("CL", "ZZ", "no subdivision 'ZZ'"),
    (None, "RM", "without a country"),
])
def test_unknown_countries_and_subdivisions_are_refused(country: str | None, subdivision: str | None,
                                                         message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calendar_for(country, subdivision, (), SANTIAGO)


def test_naive_datetimes_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_time(CHILE, datetime(2026, 9, 28, 10), HOUR)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(CHILE, santiago(9, 28, 10), -HOUR)
