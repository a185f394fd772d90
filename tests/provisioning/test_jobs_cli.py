"""``bedboard jobs list|run`` and the lease under them: two runs of one job at once do its work once."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cli import main
from app.jobs.models import JobRun
from app.jobs.scheduler import LEASE, run_once, take_lease
from app.kit.clock import ManualClock
from app.kit.db import make_engine, make_session_factory
from app.kit.plugins import Job, JobBody, JobContext, Registry
from app.main import plugins
from app.provisioning.licenses.plugin import UNUSED_LICENCES

WAIT_SECONDS = 20
JOBS = Registry(plugins()).jobs


def environ(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"BEDBOARD_DATABASE_URL": database_url, "BEDBOARD_VAR_DIR": str(tmp_path / "var"),
            "BEDBOARD_SECRET_KEY": "x" * 43, "BEDBOARD_PASSWORD_PROFILE": "fast-insecure-for-tests"}


def jobs(database_url: str, tmp_path: Path, *arguments: str) -> int:
    return main(["jobs", *arguments], environ=environ(database_url, tmp_path))


def replace_bodies(monkeypatch: pytest.MonkeyPatch, body: JobBody) -> None:
    def replaced(job: Job, context: JobContext) -> JobBody:
        return body

    monkeypatch.setattr(Job, "body", replaced)


def test_run_then_list(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert jobs(database_url, tmp_path, "list") == 0
    listed = capsys.readouterr().out
    assert all(job.name in listed for job in JOBS)
    assert listed.count("never ran") == len(JOBS)

    assert jobs(database_url, tmp_path, "run", UNUSED_LICENCES.name) == 0
    assert capsys.readouterr().out == "licenses.unused: 0 warned, 0 deactivated\n"
    assert jobs(database_url, tmp_path, "run", UNUSED_LICENCES.name) == 0  # ran a moment ago: not due
    assert "licenses.unused: not due (last started" in capsys.readouterr().out
    assert jobs(database_url, tmp_path, "run", UNUSED_LICENCES.name, "--force") == 0
    assert capsys.readouterr().out == "licenses.unused: 0 warned, 0 deactivated\n"

    assert jobs(database_url, tmp_path, "list") == 0
    listed = capsys.readouterr().out
    assert ": 0 warned, 0 deactivated" in listed
    assert listed.count("never ran") == len(JOBS) - 1


def test_an_unknown_job_names_the_known_ones(sqlite_url: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert jobs(sqlite_url, tmp_path, "run", "nope") == 2
    assert capsys.readouterr().err == (
        "bedboard: there is no job named 'nope'; the jobs are: beds-admission-expiry, alerts.overdue, dispatch.expiry, "
        "mail.outbox, provisioning.overdue, licenses.unused, orders.service_report_reminder, "
        "orders.main_contractor_changes\n")


def test_a_failing_job_is_reported_and_recorded(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    async def failing() -> str:
        raise RuntimeError("the EHR is down")

    replace_bodies(monkeypatch, failing)
    assert jobs(sqlite_url, tmp_path, "run", UNUSED_LICENCES.name) == 1
    assert "job licenses.unused failed: RuntimeError: the EHR is down" in capsys.readouterr().err
    assert jobs(sqlite_url, tmp_path, "list") == 0
    assert ": failed" in capsys.readouterr().out


def test_two_commands_at_once_run_the_job_once(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    async def slow() -> str:
        runs.append("ran")
        started.set()
        await asyncio.to_thread(release.wait, WAIT_SECONDS)
        return "done"

    replace_bodies(monkeypatch, slow)
    codes: list[int] = []
    first = threading.Thread(target=lambda: codes.append(jobs(database_url, tmp_path, "run", UNUSED_LICENCES.name)))
    first.start()
    try:
        assert started.wait(WAIT_SECONDS)
        assert jobs(database_url, tmp_path, "run", UNUSED_LICENCES.name, "--force") == 1
        assert "licenses.unused: another worker holds the lease (cli-" in capsys.readouterr().err
    finally:
        release.set()
        first.join(WAIT_SECONDS)
    assert codes == [0]
    assert runs == ["ran"]
    assert "licenses.unused: done" in capsys.readouterr().out


async def test_two_workers_at_once_run_the_body_once(database_url: str, session_factory: async_sessionmaker[
        AsyncSession], clock: ManualClock) -> None:
    """The scheduler itself, as two workers with engines of their own reach a job at the same moment."""
    other_engine = make_engine(database_url)
    release = asyncio.Event()
    runs: list[str] = []

    async def body() -> str:
        runs.append("ran")
        await release.wait()
        return "done"

    try:
        first = asyncio.create_task(run_once(session_factory, clock, UNUSED_LICENCES, body, worker="a",
                                             only_if_due=True))
        second = asyncio.create_task(run_once(make_session_factory(other_engine), clock, UNUSED_LICENCES, body,
                                              worker="b", only_if_due=True))
        done, _pending = await asyncio.wait({first, second}, timeout=WAIT_SECONDS,
                                            return_when=asyncio.FIRST_COMPLETED)
        assert [task.result() for task in done] == [None]  # the loser returns at once; the winner is working
        release.set()
        results = sorted([await first, await second], key=str)
    finally:
        release.set()
        await other_engine.dispose()
    assert results == [None, "done"]
    assert runs == ["ran"]
    async with session_factory() as session:
        row = await session.get_one(JobRun, UNUSED_LICENCES.name)
    assert (row.last_outcome, row.leased_until, row.leased_by in {"a", "b"}) == ("done", None, True)


async def test_a_dead_workers_lease_runs_out(session_factory: async_sessionmaker[AsyncSession],
                                            clock: ManualClock) -> None:
    async def body() -> str:
        return "done"

    assert await take_lease(session_factory, clock, UNUSED_LICENCES, worker="dead", only_if_due=False)
    assert await run_once(session_factory, clock, UNUSED_LICENCES, body, worker="live") is None
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await run_once(session_factory, clock, UNUSED_LICENCES, body, worker="live") == "done"
