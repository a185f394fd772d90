"""The administrators' outbox page: whether mail goes out, what waits or keeps failing, how the jobs ran.

Read-only. Without SMTP this is where the messages are seen at all; with it, a message that stays here
has failed (its attempts and last error say why) and is tried again with backoff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.jobs.models import JobRun
from app.kit.plugins import Job
from app.kit.state import services
from app.kit.templating import render
from app.notifications import outbox

PAGE_LIMIT = 200


@dataclass(frozen=True)
class JobStatus:
    name: str
    every_minutes: int
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_outcome: str | None = None
    leased_until: datetime | None = None
    leased_by: str | None = None


async def job_statuses(session: AsyncSession, jobs: Sequence[Job]) -> list[JobStatus]:
    """Every registered job with its last run; a job that never ran has no row yet."""
    runs = {run.name: run for run in (await session.scalars(select(JobRun))).all()}
    statuses = []
    for job in jobs:
        every = int(job.every.total_seconds() // 60)
        run = runs.get(job.name)
        if run is None:
            statuses.append(JobStatus(job.name, every))
        else:
            statuses.append(JobStatus(job.name, every, run.last_started_at, run.last_finished_at, run.last_outcome,
                                      run.leased_until, run.leased_by))
    return statuses


def _failing(messages: Sequence[outbox.OutboxMessage]) -> int:
    return sum(1 for message in messages if message.last_error is not None)


@requires(permissions.OUTBOX_VIEW)
async def outbox_page(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        messages = await outbox.pending_messages(uow.session, limit=PAGE_LIMIT)
        jobs = await job_statuses(uow.session, app_services.registry.jobs)
    return render(request, "outbox.html", {
        "sends_mail": app_services.settings.sends_mail, "smtp_host": app_services.settings.smtp_host,
        "messages": messages, "failing": _failing(messages), "limit": PAGE_LIMIT, "jobs": jobs,
        "now": app_services.clock.now(),
    })


routes: list[BaseRoute] = [
    Route("/admin/outbox", outbox_page, methods=["GET"], name="outbox"),
]
