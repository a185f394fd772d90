"""One small scheduler for the periodic jobs, run in the app's lifespan and from the command line.

A job runs under a lease in the database (``job_runs``): taking it is one conditional UPDATE, so when two
workers (or a worker and cron) reach a job at once, one runs it and the other skips it. The jobs are also
safe on their own (they lock and re-check rows), the lease only saves the work.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.jobs.models import JobRun
from app.kit.clock import Clock
from app.kit.db import UnitOfWork
from app.kit.logs import FIELDS
from app.kit.plugins import Job, JobBody

LOG = logging.getLogger("bedboard.jobs")
# A crashed worker's lease runs out after this; no job takes nearly as long.
LEASE = timedelta(minutes=10)
TICK_SECONDS = 30.0

# Told of every run this process made: job name, "ok" or "failed", seconds (the app's metrics).
RunObserver = Callable[[str, str, float], None]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


async def _ensure_row(session_factory: async_sessionmaker[AsyncSession], name: str) -> None:
    async with session_factory() as session:
        if await session.get(JobRun, name) is not None:
            return
        session.add(JobRun(name=name))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # another worker created it first: just as good


async def take_lease(session_factory: async_sessionmaker[AsyncSession], clock: Clock, job: Job, *,
                     worker: str, only_if_due: bool) -> bool:
    await _ensure_row(session_factory, job.name)
    now = clock.now()
    conditions = [JobRun.name == job.name, or_(JobRun.leased_until.is_(None), JobRun.leased_until < now)]
    if only_if_due:
        conditions.append(or_(JobRun.last_started_at.is_(None), JobRun.last_started_at <= now - job.every))
    async with UnitOfWork(session_factory, clock=clock) as uow:
        result = await uow.session.execute(update(JobRun).where(*conditions).values(
            leased_until=now + LEASE, leased_by=worker, last_started_at=now))
        assert isinstance(result, CursorResult)
        return result.rowcount == 1


async def release(session_factory: async_sessionmaker[AsyncSession], clock: Clock, job: Job, *, worker: str,
                  outcome: str) -> None:
    async with UnitOfWork(session_factory, clock=clock) as uow:
        await uow.session.execute(update(JobRun).where(JobRun.name == job.name, JobRun.leased_by == worker).values(
            leased_until=None, last_finished_at=clock.now(), last_outcome=outcome[:300]))


async def run_once(session_factory: async_sessionmaker[AsyncSession], clock: Clock, job: Job, body: JobBody, *,
                   worker: str, only_if_due: bool = False) -> str | None:
    """Runs the job if its lease is free (and, if asked, if it is due); None when another worker has it."""
    if not await take_lease(session_factory, clock, job, worker=worker, only_if_due=only_if_due):
        return None
    outcome = "failed"
    try:
        outcome = await body()
        return outcome
    finally:
        await release(session_factory, clock, job, worker=worker, outcome=outcome)


def _log_run(job: Job, result: str, seconds: float, outcome: str, error: Exception | None) -> None:
    """One line per run (none for a job skipped because it was not due or leased elsewhere). The outcome is
    the job's own summary, figures only (e.g. "sent 3, failed 0")."""
    duration_ms = round(seconds * 1000, 1)
    fields = {"job": job.name, "result": result, "duration_ms": duration_ms, "outcome": outcome}
    if result == "ok":
        LOG.info("job %s ok %.1fms: %s", job.name, duration_ms, outcome, extra={FIELDS: fields})
    else:
        LOG.error("job %s failed %.1fms", job.name, duration_ms, exc_info=error, extra={FIELDS: fields})


async def run_forever(session_factory: async_sessionmaker[AsyncSession], clock: Clock,
                      jobs: list[tuple[Job, JobBody]], *, tick_seconds: float = TICK_SECONDS,
                      observe: RunObserver | None = None) -> None:
    """The lifespan's loop: every tick, each due job whose lease is free runs once. A failing job is logged
    and tried again at its next turn; it never stops the others."""
    worker = worker_name()
    while True:
        for job, body in jobs:
            started, error = time.perf_counter(), None
            try:
                outcome = await run_once(session_factory, clock, job, body, worker=worker, only_if_due=True)
                if outcome is None:
                    continue
                result = "ok"
            except Exception as failure:
                outcome, result, error = "failed", "failed", failure
            seconds = time.perf_counter() - started
            _log_run(job, result, seconds, outcome, error)
            if observe is not None:
                observe(job.name, result, seconds)
        await asyncio.sleep(tick_seconds)
