"""The dispatch's periodic job: every minute, alert the coordinators of announcements nobody acknowledged in time,
then expire what passed its ETA plus the hold time (app/beds/dispatch/expiry.py)."""

from __future__ import annotations

from datetime import timedelta

from app.beds.dispatch import expiry
from app.beds.dispatch.limits import DispatchLimits
from app.kit.plugins import Job, JobContext

JOB_NAME = "dispatch.expiry"


async def _run(context: JobContext) -> str:
    limits = DispatchLimits.of(context.settings)
    async with context.unit_of_work() as uow:
        alerted = await expiry.alert_unacknowledged(uow, limits=limits)
    async with context.unit_of_work() as uow:
        expired, holds = await expiry.expire_due(uow, limits=limits)
    return f"{alerted} unacknowledged announcement(s) alerted, {expired} expired, {holds} hold(s) ended early"


JOB = Job(JOB_NAME, timedelta(minutes=1),
          "alert coordinators of announcements not acknowledged in time; expire announcements and bed holds",
          _run)
