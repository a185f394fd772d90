"""The day a change takes effect, checked against today and the organisation's calendar (issue 23 item 6).

A date already passed is refused for an order that grants or changes (a first day, a start, a takeover): the routines
ask for orders "i god tid", and the date given is what the tasks are due before. An order that takes access away
(a leaver, a wind-down) is still accepted late, with the warning, since refusing it would let the access stay. A date
on a public holiday or a local closure is accepted with a warning naming it: care starts on holidays too, but the
offices that do the work are closed, so the tasks are due by the business day before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.calendar import BusinessCalendar
from app.provisioning.orders.lead_time import latest_start

PASSED = _("{planned} has already passed: give the day the change takes effect, today ({today}) at the earliest. The "
           "tasks are due before that day.")
PASSED_LATE = _("{planned} had already passed when the order was placed: whatever it removes may still be in use. "
                "Do the removals first.")
CLOSED = _("{planned} is not a business day ({why}): check the date. The offices that do the work are closed that "
           "day; the tasks are due by {last_day}.")
# Saturdays and Sundays are ordinary days for a first day in care; only holidays and closures are named.
WEEKEND = "Weekend"


class DatePassed(ValidationFailed):
    code = "planned_date_passed"


@dataclass(frozen=True)
class DateNotice:
    message: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)


def refuse_passed(planned: date, today: date, *, removes: bool) -> None:
    """Refuses a date before today unless the order takes access away."""
    if planned < today and not removes:
        raise DatePassed(PASSED, details={"field": "planned_date"}, planned=planned.isoformat(),
                         today=today.isoformat())


def notices(calendar: BusinessCalendar, planned: date, placed_on: date) -> tuple[DateNotice, ...]:
    """What the order's page says about its date: passed when it was placed, or on a day the offices are closed."""
    found = []
    if planned < placed_on:
        found.append(DateNotice(PASSED_LATE, {"planned": planned.isoformat()}))
    why = calendar.why_closed(planned)
    if why is not None and why != WEEKEND:
        found.append(DateNotice(CLOSED, {"planned": planned.isoformat(), "why": why,
                                         "last_day": latest_start(calendar, planned, 1).isoformat()}))
    return tuple(found)
