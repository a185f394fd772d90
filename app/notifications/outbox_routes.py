"""The administrators' outbox pages: whether mail goes out, what waits or keeps failing, how the jobs ran, and
the mail given up (dead letters), which an administrator sends again.

Without SMTP this is where the messages are seen at all; with it, a message that stays here has failed (its
attempts and last error say why) and is tried again with backoff, until it is given up. Each administrator sees
the mail of their own organisation tree (``dead_letters.readable_messages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.jobs.models import JobRun
from app.kit.errors import NotFound, ValidationFailed
from app.kit.forms import positive_id
from app.kit.i18n import _
from app.kit.plugins import Job
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.notifications import dead_letters, outbox

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
        readable = await dead_letters.readable_messages(uow.session, current_actor(request))
        messages = await outbox.pending_messages(uow.session, limit=PAGE_LIMIT, readable=readable)
        dead = await uow.session.scalar(select(func.count()).select_from(outbox.OutboxMessage)
                                        .where(outbox.OutboxMessage.dead_at.is_not(None), readable))
        jobs = await job_statuses(uow.session, app_services.registry.jobs)
    return render(request, "outbox.html", {
        "sends_mail": app_services.settings.sends_mail, "smtp_host": app_services.settings.smtp_host,
        "messages": messages, "failing": _failing(messages), "limit": PAGE_LIMIT, "jobs": jobs,
        "now": app_services.clock.now(), "dead": dead or 0,
    })


async def _dead_letters_page(request: Request, *, error: ValidationFailed | None = None,
                             status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        messages = await dead_letters.dead_letters(uow.session, actor=current_actor(request), limit=PAGE_LIMIT)
    return render(request, "dead_letters.html", {
        "messages": messages, "max_attempts": outbox.MAX_ATTEMPTS, "error": error,
        "sent_again": request.query_params.get("sent") == "1",
    }, status_code=status_code)


@requires(permissions.OUTBOX_VIEW)
async def dead_letters_page(request: Request) -> Response:
    return await _dead_letters_page(request)


@requires(permissions.OUTBOX_VIEW)
async def send_again(request: Request) -> Response:
    message_id = positive_id(request.path_params["message_id"])
    if message_id is None:
        raise NotFound(_("There is no such message."))
    try:
        async with services(request).unit_of_work() as uow:
            await dead_letters.send_again(uow.session, actor=current_actor(request), message_id=message_id)
    except ValidationFailed as error:
        return await _dead_letters_page(request, error=error, status_code=error.status)
    return RedirectResponse("/admin/outbox/dead-letters?sent=1", status_code=303)


routes: list[BaseRoute] = [
    Route("/admin/outbox", outbox_page, methods=["GET"], name="outbox"),
    Route("/admin/outbox/dead-letters", dead_letters_page, methods=["GET"], name="dead_letters"),
    Route("/admin/outbox/dead-letters/{message_id}/send-again", send_again, methods=["POST"],
          name="dead_letter_send_again"),
]
