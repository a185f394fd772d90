"""The monthly service report reminder (seed 004, issue 23 item 10): "Registreringen ska vara klar och inskickad
senast den 5:e varje månad (avseende månaden innan)". Every care provider reports last month's occupancy and
deliveries in Siebel by the 5th; the IT contacts of each care provider are reminded once a month, from the first day
of the month until the 5th, in their own calendar's zone.

It reuses the provisioning core's way of telling people (``notify``: an in-app notice, and an e-mail for those with
an address) and the overdue digest's bookmark (a ``job_runs`` row whose marker is the month already reminded), so two
workers, or a worker and cron, remind once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select

from accounts.models import Organisation
from app.jobs.models import JobRun
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.i18n import _
from app.kit.plugins import Job, JobContext
from app.notifications.notify import notify, users_with_role
from app.provisioning.core import deadlines

JOB_NAME: Final = "orders.service_report_reminder"
CARE_PROVIDER: Final = "care_provider"
DUE_DAY: Final = 5
LINK: Final = "/orders"
REMINDER = _("The service report for {month} is due in Siebel by {due}: occupancy of short-term and respite places, "
             "reductions in special housing, meal boxes delivered.")


@dataclass(frozen=True)
class ReminderReport:
    providers: int
    told: int


def reporting_month(today: date) -> str | None:
    """The month reported ("2026-11") while its report is due (the 1st to the 5th of the next month), else None."""
    if today.day > DUE_DAY:
        return None
    previous = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    return previous.strftime("%Y-%m")


async def remind(uow: UnitOfWork, *, actor: Actor) -> ReminderReport:
    """Tells the IT contacts of every care provider whose report is due, once per reported month."""
    session = uow.session
    now = session_now(session)
    bookmark = await session.get(JobRun, JOB_NAME, with_for_update=True)
    if bookmark is None:
        bookmark = JobRun(name=JOB_NAME)
        session.add(bookmark)
    providers = list((await session.execute(select(Organisation).where(
        Organisation.kind == CARE_PROVIDER).order_by(Organisation.id))).scalars())
    told, reminded, month = 0, 0, None
    for provider in providers:
        calendar = await deadlines.calendar_of(session, provider.id)
        today = now.astimezone(calendar.zone).date()
        due_month = reporting_month(today)
        if due_month is None or due_month == bookmark.marker:
            continue
        month = due_month
        due = date(today.year, today.month, DUE_DAY)
        contacts = await users_with_role(session, "it_contact", [provider.id])
        told += await notify(session, recipients=contacts, message=REMINDER,
                             params={"month": due_month, "due": due.isoformat()}, link=LINK)
        reminded += 1
    if month is not None:
        bookmark.marker = month
        await audit.record(session, actor=actor, action="orders.service_report_reminded", object_type="job",
                           object_id=JOB_NAME, after={"month": month, "care_providers": reminded, "told": told})
    return ReminderReport(reminded, told)


async def _run(context: JobContext) -> str:
    async with context.unit_of_work() as uow:
        report = await remind(uow, actor=Actor.system())
    return f"{report.providers} care provider(s) reminded, {report.told} notice(s)"


# Hourly, so that the reminder goes out in the first hour of the 1st whatever the server's zone.
JOB = Job(JOB_NAME, timedelta(hours=1), "remind care providers of the monthly service report due by the 5th (seed 004)",
          _run)
