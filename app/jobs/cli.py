"""``bedboard jobs list`` and ``bedboard jobs run NAME [--force]``: the periodic jobs, from a terminal or cron.

A run takes the same lease in ``job_runs`` as the servers' scheduler, so cron and the servers (or two cron
lines) never do one job at once. Without ``--force`` the job runs only if it is due (its interval has
passed since it last started), which lets cron and the servers share one schedule; with ``--force`` it
runs now unless a worker holds the lease. Exit codes: 0 ran (or not due), 1 another worker holds the lease
or the job failed, 2 no job of that name.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.jobs.models import JobRun
from app.jobs.scheduler import run_once, worker_name
from app.kit.clock import Clock, SystemClock
from app.kit.commands import Command, CommandContext, complain, say
from app.kit.db import make_engine, make_session_factory
from app.kit.plugins import Job, JobContext
from app.kit.settings import Settings

Write = Callable[[str], None]


@asynccontextmanager
async def _sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine, settings.zone)
    finally:
        await engine.dispose()


def _time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "-" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


async def _runs(settings: Settings) -> dict[str, JobRun]:
    async with _sessions(settings) as session_factory, session_factory() as session:
        return {run.name: run for run in (await session.scalars(select(JobRun))).all()}


def list_jobs(settings: Settings, jobs: Sequence[Job], *, say: Write, clock: Clock | None = None) -> int:
    runs = asyncio.run(_runs(settings))
    now = (clock or SystemClock()).now()
    for job in jobs:
        run = runs.get(job.name)
        say(f"{job.name}  every {int(job.every.total_seconds() // 60)} min: {job.description}")
        if run is None or run.last_started_at is None:
            say("  never ran")
            continue
        say(f"  last started {_time(run.last_started_at, settings.zone)}, "
            f"finished {_time(run.last_finished_at, settings.zone)}: {run.last_outcome or '-'}")
        if run.leased_until is not None and run.leased_until > now:
            say(f"  running: leased by {run.leased_by} until {_time(run.leased_until, settings.zone)}")
    return 0


async def _run(settings: Settings, job: Job, *, force: bool, clock: Clock) -> tuple[str | None, JobRun | None]:
    """The outcome, or None with the job's row (to say why it did not run)."""
    async with _sessions(settings) as session_factory:
        body = job.body(JobContext(settings, session_factory, clock))
        # Unique per command, so that a release can only ever be this command's own.
        worker = f"cli-{secrets.token_hex(3)}@{worker_name()}"[:80]
        outcome = await run_once(session_factory, clock, job, body, worker=worker, only_if_due=not force)
        if outcome is not None:
            return outcome, None
        async with session_factory() as session:
            return None, await session.get(JobRun, job.name)


def run_job(settings: Settings, jobs: Sequence[Job], name: str, *, force: bool, say: Write, complain: Write,
            clock: Clock | None = None) -> int:
    job = next((job for job in jobs if job.name == name), None)
    if job is None:
        complain(f"there is no job named {name!r}; the jobs are: {', '.join(job.name for job in jobs)}")
        return 2
    clock = clock or SystemClock()
    try:
        outcome, row = asyncio.run(_run(settings, job, force=force, clock=clock))
    except (DBAPIError, ConnectionError, TimeoutError):
        raise  # the command's own message names the database
    except Exception as error:
        # Recorded as "failed" in job_runs by the scheduler; here the operator (or cron's mail) is told why.
        complain(f"job {name} failed: {type(error).__name__}: {error}")
        return 1
    if outcome is not None:
        say(f"{name}: {outcome}")
        return 0
    # Forced, only the lease can have stopped it; otherwise the lease or the interval did.
    if force or (row is not None and row.leased_until is not None and row.leased_until > clock.now()):
        held = f" ({row.leased_by}, until {_time(row.leased_until, settings.zone)})" if row and row.leased_until else ""
        complain(f"{name}: another worker holds the lease{held}; not run")
        return 1
    last = _time(row.last_started_at if row else None, settings.zone)
    say(f"{name}: not due (last started {last}, runs every {int(job.every.total_seconds() // 60)} min); "
        "--force runs it now")
    return 0


def command(jobs: Sequence[Job]) -> Command:
    """``bedboard jobs list|run``: every registered plugin's jobs (the assembly hands them over)."""

    def jobs_list(context: CommandContext, args: argparse.Namespace) -> int:
        return list_jobs(context.settings, jobs, say=say)

    def jobs_run(context: CommandContext, args: argparse.Namespace) -> int:
        return run_job(context.settings, jobs, args.name, force=args.force, say=say, complain=complain)

    def run_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", metavar="NAME", help=", ".join(job.name for job in jobs))
        parser.add_argument("--force", action="store_true", help="run even if it is not due (never while leased)")

    return Command("jobs", "the periodic jobs (for cron)", position=130, actions=[
        Command("list", "each periodic job with its last run", jobs_list),
        Command("run", "run one job now if it is due and no worker holds its lease", jobs_run,
                configure=run_arguments),
    ])
