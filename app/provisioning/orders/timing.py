"""An order's calendar and lead-time verdict: the ordering organisation's business days, and where it has no
country of its own, the catalogue's (a Swedish routine counts Swedish holidays)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.provisioning.core import deadlines
from app.provisioning.core.calendar import BusinessCalendar
from app.provisioning.orders.answers import Answers
from app.provisioning.orders.catalogue.definitions import Catalogue, Event
from app.provisioning.orders.lead_time import LeadTimeVerdict, event_lead_time, verdict


async def order_calendar(session: AsyncSession, organisation_id: int, catalogue: Catalogue) -> BusinessCalendar:
    calendar = await deadlines.calendar_of(session, organisation_id)
    if calendar.country is None:
        return dataclasses.replace(calendar, country=catalogue.country, subdivision=None)
    return calendar


def local_today(calendar: BusinessCalendar, now: datetime) -> date:
    return now.astimezone(calendar.zone).date()


def lead_time_verdict(catalogue: Catalogue, event: Event, answers: Answers, *, planned: date, now: datetime,
                      calendar: BusinessCalendar) -> LeadTimeVerdict | None:
    """None when the event has no lead time (person orders): only the due date then says it is late."""
    lead = event_lead_time(catalogue, event, answers)
    if lead is None:
        return None
    return verdict(lead, planned=planned, today=local_today(calendar, now), calendar=calendar)
