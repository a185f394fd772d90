"""Lead times counted in Swedish business days: weekends, public holidays and the de facto ones do not count."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from app.kit.i18n import translate
from app.provisioning.core.calendar import BusinessCalendar, calendar_for
from app.provisioning.orders.catalogue.definitions import LeadTime
from app.provisioning.orders.lead_time import business_days_between, latest_start, verdict

SMALL = LeadTime(min_weeks=2, max_weeks=4)
LARGE = LeadTime(min_weeks=None, max_weeks=10)


@pytest.fixture(scope="module")
def sweden() -> BusinessCalendar:
    return calendar_for("SE", None, (), ZoneInfo("Europe/Stockholm"))


def test_midsummer_eve_and_christmas_eve_are_not_business_days(sweden: BusinessCalendar) -> None:
    # Midsummer week 2026: Friday 19 June is Midsummer Eve (de facto), so Monday to Friday counts four days.
    assert business_days_between(sweden, date(2026, 6, 15), date(2026, 6, 22)) == 4
    # Christmas 2026: Thursday 24 (de facto), Friday 25, Monday 28 is a business day again.
    assert business_days_between(sweden, date(2026, 12, 21), date(2026, 12, 29)) == 4


def test_the_count_starts_today_and_stops_the_day_before(sweden: BusinessCalendar) -> None:
    assert business_days_between(sweden, date(2026, 3, 9), date(2026, 3, 10)) == 1
    assert business_days_between(sweden, date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert business_days_between(sweden, date(2026, 3, 16), date(2026, 3, 9)) == 0


def test_a_date_already_passed_is_too_late(sweden: BusinessCalendar) -> None:
    found = verdict(SMALL, planned=date(2026, 3, 2), today=date(2026, 3, 9), calendar=sweden)
    assert (found.status, found.available_days) == ("too_late", 0)


@pytest.mark.parametrize(("planned", "status"), [
    (date(2026, 3, 20), "too_late"),  # 9 business days: fewer than the 2 weeks even a small change takes
    (date(2026, 3, 23), "tight"),  # exactly 2 weeks: it may work, 4 weeks would be safe
    (date(2026, 4, 3), "tight"),  # 19 business days
    (date(2026, 4, 8), "in_time"),  # 20: Good Friday (3 April) and Easter Monday (6 April) do not count
])
def test_a_small_change_is_tight_between_its_two_bounds(sweden: BusinessCalendar, planned: date, status: str) -> None:
    assert verdict(SMALL, planned=planned, today=date(2026, 3, 9), calendar=sweden).status == status


def test_up_to_ten_weeks_means_up_to_a_45_day_notice_is_tight_not_too_late(sweden: BusinessCalendar) -> None:
    # Issue 23 item 6: "upp till 10 veckor" was read as "at least 10 weeks", so 45 days' notice was "too late".
    found = verdict(LARGE, planned=date(2026, 4, 23), today=date(2026, 3, 9), calendar=sweden)
    assert (found.shortest_days, found.longest_days) == (0, 50)
    assert (found.status, found.available_days) == ("tight", 31)  # 45 days; Good Friday and Easter Monday do not count
    assert translate("sv", found.message, **found.params) == (
        "Knappt: 31 arbetsdagar före 2026-04-23; det tar upp till 10 veckor, så det kanske inte blir klart i tid "
        "(beställ senast 2026-02-10 för att vara säker).")
    gone = verdict(LARGE, planned=date(2026, 3, 9), today=date(2026, 3, 9), calendar=sweden)
    assert gone.status == "too_late"


def test_order_by_is_the_last_day_that_leaves_the_whole_lead_time(sweden: BusinessCalendar) -> None:
    planned = date(2026, 4, 8)
    start = latest_start(sweden, planned, 20)
    assert start == date(2026, 3, 9)
    assert business_days_between(sweden, start, planned) == 20
    assert business_days_between(sweden, date(2026, 3, 10), planned) == 19


def test_the_warning_reads_in_swedish(sweden: BusinessCalendar) -> None:
    found = verdict(SMALL, planned=date(2026, 3, 16), today=date(2026, 3, 9), calendar=sweden)
    assert translate("sv", found.message, **found.params) == (
        "För sent: 5 arbetsdagar före 2026-03-16; det tar 2–4 veckor (beställ senast 2026-02-16).")
    tight = verdict(SMALL, planned=date(2026, 3, 23), today=date(2026, 3, 9), calendar=sweden)
    assert tight.params["weeks"] == "2–4"
