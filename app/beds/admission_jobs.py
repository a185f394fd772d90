"""The admission status's clock: back to open at expiry, and a reminder to the hospital a quarter of an hour before.

Both run every minute in the servers' job loop (one server at a time, app/jobs), so a status ends within a minute
of its expiry; the board also shows the expiry itself, so nobody reads a closure as lasting past it.
"""

from __future__ import annotations

from datetime import timedelta

from accounts.models import User
from app.beds import admission
from app.kit.i18n import _
from app.kit.plugins import Job, JobContext
from app.notifications.notify import Phrase, notify, users_with_role

EXPIRY_JOB_NAME = "beds-admission-expiry"
REMINDER = _("{what} of {hospital} is {status} until {until}, when it goes back to open by itself. If it must go "
             "on, set it again.")
WHOLE_HOSPITAL = _("The whole hospital")
STATUS_WORDS = {"limited": _("limited"), "closed": _("closed to ambulances")}


async def _remind(context: JobContext) -> int:
    async with context.unit_of_work() as uow:
        due = await admission.reminders_due(uow)
        hospital_ids = {reminder.hospital_id for reminder in due}
        names = await admission.hospital_names(uow, hospital_ids)
        # The operators of every hospital due, read once rather than once a reminder (a mass-casualty closure
        # of all of a city's sections comes due in the same minute).
        operators_of: dict[int, list[User]] = {}
        for operator in (await users_with_role(uow.session, "operator", hospital_ids) if due else []):
            operators_of.setdefault(operator.organisation_id, []).append(operator)
        for reminder in due:
            operators = operators_of.get(reminder.hospital_id, [])
            await notify(uow.session, recipients=operators, message=REMINDER,
                         params={"what": reminder.section_name or Phrase(WHOLE_HOSPITAL),
                                 "hospital": names.get(reminder.hospital_id, "?"),
                                 "status": Phrase(STATUS_WORDS[reminder.status]), "until": reminder.until},
                         link="/operator")
    return len(due)


async def _run(context: JobContext) -> str:
    reminded = await _remind(context)
    async with context.unit_of_work() as uow:
        expired = await admission.expire_due(uow)
    return f"{expired} admission status(es) back to open, {reminded} reminder(s)"


JOB = Job(EXPIRY_JOB_NAME, timedelta(minutes=1),
          "set limited or closed admission back to open at its expiry, and remind the hospital 15 minutes before",
          _run)
