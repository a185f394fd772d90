"""Backups that restore: ``bedboard backup`` on SQLite while the app writes, and pg_dump/pg_restore on
PostgreSQL; each restored database passes ``bedboard audit verify`` and opens with the app."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from accounts.service import AccountsContext
from app.backup import backup_sqlite
from app.cli import main
from app.kit.audit import AuditEvent
from app.kit.settings import Settings
from app.main import create_app
from tests.factories import make_organisation, make_user
from tests.postgres_cluster import PostgresCluster
from tests.test_cli import environ
from tests.web import log_in


async def audit_count(settings: Settings) -> int:
    app = create_app(settings)
    try:
        async with app.state.services.session_factory() as session:
            return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    finally:
        app.state.services.get(AccountsContext).hasher.close()
        await app.state.services.engine.dispose()


async def can_log_in(settings: Settings, username: str) -> bool:
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.1.1.1", 1)),
                                     base_url="http://testserver") as browser:
            return (await log_in(browser, username)).status_code == 303
    finally:
        app.state.services.get(AccountsContext).hasher.close()
        await app.state.services.engine.dispose()


def verify(database_url: str, tmp_path: Path, *options: str) -> int:
    return main(["audit", "verify", *options], environ=environ(database_url, tmp_path))


async def test_a_sqlite_backup_taken_during_writes_restores_and_verifies(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=sqlite_url, secret_key="k" * 40, var_dir=tmp_path,
                        password_profile="fast-insecure-for-tests")
    app = create_app(settings)
    services = app.state.services
    await make_organisation(services, "SAMB")
    await make_user(services, "before")
    backup_started, writes_done = threading.Event(), threading.Event()

    def between_steps(_status: int, _remaining: int, _total: int) -> None:
        # Hold the backup after its first step until the app has committed writes: they land mid-backup.
        if not backup_started.is_set():
            backup_started.set()
            assert writes_done.wait(30)

    target = tmp_path / "backups" / "bedboard.sqlite3"
    target.parent.mkdir()
    copying = asyncio.create_task(asyncio.to_thread(backup_sqlite, sqlite_url, target, pages=1,
                                                    progress=between_steps))
    try:
        assert await asyncio.to_thread(backup_started.wait, 30)
        for number in range(5):
            await make_user(services, f"during{number}")
    finally:
        writes_done.set()
    result = await copying
    await make_user(services, "after")
    services.get(AccountsContext).hasher.close()
    await services.engine.dispose()

    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # names and personal numbers: the owner's only
    assert not list(target.parent.glob(".*partial"))
    restored = tmp_path / "restored" / "bedboard.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(target, restored)  # a restore is a copy of the backup put in place
    restored_url = f"sqlite+aiosqlite:///{restored}"
    capsys.readouterr()
    assert await asyncio.to_thread(verify, restored_url, tmp_path, "--head", result.audit_head) == 0
    assert "chain intact" in capsys.readouterr().out
    restored_settings = settings.with_changes(database_url=restored_url)
    events = await audit_count(restored_settings)
    assert 2 <= events < await audit_count(settings)  # at least what was there before; not what came after
    assert await can_log_in(restored_settings, "before")
    assert not await can_log_in(restored_settings, "after")


def test_the_backup_command_writes_a_new_file_and_never_overwrites(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copy.sqlite3"
    assert main(["backup", str(target)], environ=environ(sqlite_url, tmp_path)) == 0
    out = capsys.readouterr().out
    assert f"backed up to {target}" in out
    assert "audit head 0:" in out
    assert verify(f"sqlite+aiosqlite:///{target}", tmp_path) == 0
    assert main(["backup", str(target)], environ=environ(sqlite_url, tmp_path)) == 1
    assert "never overwritten" in capsys.readouterr().err
    missing = f"sqlite+aiosqlite:///{tmp_path / 'nowhere.sqlite3'}"
    assert main(["backup", str(tmp_path / "other.sqlite3")], environ=environ(missing, tmp_path)) == 1
    assert "no database file" in capsys.readouterr().err
    assert not (tmp_path / "nowhere.sqlite3").exists()


@pytest.mark.postgres
def test_on_postgresql_the_command_points_to_pg_dump(postgres_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", str(tmp_path / "x")], environ=environ(postgres_url, tmp_path)) == 1
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.postgres
def test_a_pg_dump_of_the_demo_restores_into_a_fresh_database_and_verifies(
    postgres_cluster: PostgresCluster, demo_now_postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A copy of the run's demo as `bedboard demo` loads it (tests/demo_template.py, NOW), which the schemathesis run
    # and the log hygiene test load anyway: loading it here again took 16 s on the loaded CI machine.
    postgres_url = demo_now_postgres_url
    assert main(["audit", "head"], environ=environ(postgres_url, tmp_path)) == 0
    head = capsys.readouterr().out.strip().splitlines()[-1]
    source = postgres_url.rsplit("/", 1)[1]
    dump = tmp_path / "bedboard.dump"
    tools = postgres_cluster.bin_dir
    subprocess.run([str(tools / "pg_dump"), "--format=custom", f"--file={dump}", postgres_cluster.dsn(source)],
                   check=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
    fresh = f"restored_{source}"
    postgres_cluster.execute(f"CREATE DATABASE {fresh} TEMPLATE template0")
    try:
        subprocess.run([str(tools / "pg_restore"), "--exit-on-error", "--no-owner",
                        f"--dbname={postgres_cluster.dsn(fresh)}", str(dump)], check=True)
        restored_url = postgres_cluster.url(fresh)
        assert verify(restored_url, tmp_path, "--head", head) == 0
        out = capsys.readouterr().out
        assert "chain intact" in out
        assert int(out.split("OK: ")[1].split()[0]) > 100  # the demo's events, not an empty chain
        settings = Settings(database_url=restored_url, secret_key="k" * 40, var_dir=tmp_path,
                            password_profile="fast-insecure-for-tests")
        assert asyncio.run(audit_count(settings)) == int(head.split(":")[0])
    finally:
        postgres_cluster.execute(f"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")
