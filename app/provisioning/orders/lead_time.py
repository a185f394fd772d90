"""Whether a change planned for a date can still be ordered in time, counted in business days.

A lead time of "2-4 weeks" means 10 to 20 business days. With fewer business days left than the shortest lead time
the date cannot be met (too late); with fewer than the longest it may be missed (tight). Where the routine gives
only "up to 10 weeks" that is what it says: the work may take less, so under 50 business days the date may be missed
(tight, and the message says "up to"), and it is too late only once no business day is left (issue 23 item 6: a
45-day notice for a large change was called too late).
Business days come from the organisation's calendar (Sweden: public holidays and the de facto ones such as
Midsummer Eve and Christmas Eve), and the days counted are those from today up to the day before the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from app.kit.i18n import _
from app.provisioning.core.calendar import MAX_CLOSED_DAYS, BusinessCalendar
from app.provisioning.orders.answers import Answers
from app.provisioning.orders.catalogue.definitions import Catalogue, Event, LeadTime
from app.provisioning.orders.conditions import all_met, check_conditions

BUSINESS_DAYS_PER_WEEK = 5
Status = Literal["in_time", "tight", "too_late"]
IN_TIME = _("In time: {available} business days before {planned}; it takes {weeks} weeks.")
TIGHT = _("Tight: {available} business days before {planned}; it may take {weeks} weeks (order by {order_by}).")
TOO_LATE = _("Too late: {available} business days before {planned}; it takes {weeks} weeks (order by {order_by}).")
MESSAGES: Mapping[Status, str] = {"in_time": IN_TIME, "tight": TIGHT, "too_late": TOO_LATE}
UP_TO_MESSAGES: Mapping[Status, str] = {
    "in_time": _("In time: {available} business days before {planned}; it takes up to {weeks} weeks."),
    "tight": _("Tight: {available} business days before {planned}; it takes up to {weeks} weeks, so it may not be "
               "ready in time (to be sure, order by {order_by})."),
    "too_late": _("Too late: no business day is left before {planned}; it takes up to {weeks} weeks (order by "
                  "{order_by})."),
}


@dataclass(frozen=True)
class LeadTimeVerdict:
    status: Status
    planned: date
    today: date
    available_days: int  # business days from today up to the day before ``planned``
    shortest_days: int
    longest_days: int
    order_by: date  # the last day on which ordering still leaves the longest lead time
    lead_time: LeadTime

    @property
    def too_late(self) -> bool:
        return self.status == "too_late"

    @property
    def up_to(self) -> bool:
        """Only an upper bound is given ("upp till 10 veckor")."""
        return self.lead_time.min_weeks is None

    @property
    def message(self) -> str:
        return (UP_TO_MESSAGES if self.up_to else MESSAGES)[self.status]

    @property
    def params(self) -> dict[str, str | int]:
        weeks = {value for value in (self.lead_time.min_weeks, self.lead_time.max_weeks) if value is not None}
        return {"available": self.available_days, "planned": self.planned.isoformat(),
                "weeks": "–".join(str(value) for value in sorted(weeks)), "order_by": self.order_by.isoformat()}


def event_lead_time(catalogue: Catalogue, event: Event, answers: Answers) -> LeadTime | None:
    """The first of the event's lead times whose conditions the answers meet; None when it has none."""
    return next((lead for lead in event.lead_times if all_met(check_conditions(catalogue, lead.when, answers))),
                None)


def verdict(lead_time: LeadTime, *, planned: date, today: date, calendar: BusinessCalendar) -> LeadTimeVerdict:
    longest = BUSINESS_DAYS_PER_WEEK * (lead_time.max_weeks or lead_time.min_weeks or 0)
    shortest = BUSINESS_DAYS_PER_WEEK * lead_time.min_weeks if lead_time.min_weeks is not None else 0
    available = business_days_between(calendar, today, planned)
    late = available < shortest or (available == 0 and longest > 0)
    status: Status = "too_late" if late else "tight" if available < longest else "in_time"
    return LeadTimeVerdict(status, planned, today, available, shortest, longest,
                           latest_start(calendar, planned, longest), lead_time)


def business_days_between(calendar: BusinessCalendar, start: date, end: date) -> int:
    """Business days from ``start`` (included) to ``end`` (excluded); 0 when ``end`` is not later."""
    return sum(1 for offset in range((end - start).days) if calendar.is_business_day(start + timedelta(offset)))


def latest_start(calendar: BusinessCalendar, end: date, business_days: int) -> date:
    """The latest day from which ``business_days`` business days remain before ``end``."""
    day, counted, closed = end, 0, 0
    while counted < business_days:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            counted, closed = counted + 1, 0
        else:
            closed += 1
            if closed > MAX_CLOSED_DAYS:
                raise ValueError(f"No business day in the {closed} days before {day + timedelta(closed)}.")
    return day
