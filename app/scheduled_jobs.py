"""The periodic jobs of the provisioning modules, by name: the lifespan runs them, and so can cron
(``bedboard jobs run NAME``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.jobs.scheduler import Job, JobBody
from app.kit.actors import Actor
from app.kit.clock import Clock
from app.kit.db import UnitOfWork
from app.kit.settings import Settings
from app.notifications import outbox
from app.provisioning.core.overdue import sweep_overdue
from app.provisioning.licenses.usage import sweep_unused

OUTBOX = Job("mail.outbox", timedelta(minutes=1), "send queued e-mail (retries failures with backoff)")
OVERDUE = Job("provisioning.overdue", timedelta(minutes=15),
              "tell handlers of requests past their due time; the daily digest")
UNUSED_LICENCES = Job("licenses.unused", timedelta(hours=1),
                      "warn a week ahead, then deactivate licences unused for a month")
JOBS: Final = (OUTBOX, OVERDUE, UNUSED_LICENCES)


def job_bodies(settings: Settings, session_factory: async_sessionmaker[AsyncSession],
               clock: Clock) -> dict[str, JobBody]:
    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(session_factory, clock=clock, info={"base_url": settings.base_url})

    async def send_mail() -> str:
        report = await outbox.send_due(session_factory, settings, clock)
        if not report.smtp_configured:
            return "SMTP is not configured; messages wait in the outbox"
        return f"sent {report.sent}, failed {report.failed}"

    async def overdue() -> str:
        async with unit_of_work() as uow:
            report = await sweep_overdue(uow, actor=Actor.system(), zone=settings.zone)
        return f"{report.newly_overdue} newly overdue, {report.digests} digest(s)"

    async def unused() -> str:
        async with unit_of_work() as uow:
            report = await sweep_unused(uow, actor=Actor.system())
        return f"{report.warned} warned, {report.deactivated} deactivated"

    return {OUTBOX.name: send_mail, OVERDUE.name: overdue, UNUSED_LICENCES.name: unused}


def scheduled(settings: Settings, session_factory: async_sessionmaker[AsyncSession],
              clock: Clock) -> list[tuple[Job, JobBody]]:
    bodies = job_bodies(settings, session_factory, clock)
    return [(job, bodies[job.name]) for job in JOBS]
