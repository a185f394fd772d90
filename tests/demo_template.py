"""The demo, loaded once per test run and backend into a template database that demo tests copy.

``load_demo`` builds the whole demo through the services (349 sections' reports, every plugin's people, orders and
licences, each write audited): 8-12 s on SQLite on an idle 2-core machine, 30-70 s each on the loaded CI machine,
where eleven tests (the hostile-input shards, the access matrix, the demo's history, the operator's owner) each
loaded it for themselves. A copy of a database that already holds it is a file copy (SQLite) or a ``CREATE DATABASE
... TEMPLATE`` (PostgreSQL), well under a second.

The template is made exactly as such a test made its demo, so a copy holds the same rows: on a copy of the migrated
template, by an app with the test settings, the ``app`` fixture's organisations first (``make_app_organisations``),
then ``load_demo`` under a ``ManualClock()`` at its default start, which is the ``clock`` fixture's start. A test
whose clock reads another time at that point would see other data, so ``demo_loaded`` refuses it (``check_clock``).

Tests that serve the demo from a server of their own on the system clock (the schemathesis run, the log
hygiene test) take the ``NOW`` flavour instead: loaded at the system time by an app of their own, with no
organisation before it, when the run's first such test asks (LONGEST_FIRST runs them in the first minutes); its
times are then minutes older than a load in the test would make them, which neither test's assertions read.
The tests of the load itself (tests/test_demo.py) take the ``BARE`` flavour (``demo_bare_loaded``): the ``clock``
fixture's start and no organisation before it, as ``load_demo`` on a fresh database gives; they read what it returned
from the fixture, and load it a second time on their copy where the second run is what they test.

The xdist workers of one run share the work: the first to need a backend's demo loads it, under a lock in their
common temporary directory, and leaves the SQLite file, or a ``pg_dump`` of its PostgreSQL template, with what
``load_demo`` returned; the other worker copies the file or restores the dump into its own cluster (PostgreSQL
clusters are per worker), which takes seconds instead of another load.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from accounts.service import AccountsContext
from app.demo import CREDENTIALS_FILE, DemoLogin, load_demo
from app.kit.clock import Clock, ManualClock, SystemClock
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from tests.factories import make_organisation
from tests.postgres_cluster import PostgresCluster

TEST_SECRET_KEY = "test-secret-" + "k" * 40
# What the ``app`` fixture adds to every test's database before the test runs.
APP_ORGANISATIONS = ("SAMB", "MS", "SMURD")


def settings_for_tests(database_url: str, var_dir: Path) -> Settings:
    """The settings of the ``settings`` fixture."""
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY, var_dir=var_dir,
                    password_profile="fast-insecure-for-tests")


async def make_app_organisations(services: AppServices) -> None:
    for code in APP_ORGANISATIONS:
        await make_organisation(services, code, "authority")


@dataclass(frozen=True)
class Flavour:
    """How a template's demo is loaded: ``key`` names its files, ``app_organisations`` says whether the ``app``
    fixture's organisations come first."""

    key: str
    clock: Callable[[], Clock]
    app_organisations: bool


AS_THE_APP_FIXTURE = Flavour("demo", ManualClock, app_organisations=True)
NOW = Flavour("demo-now", SystemClock, app_organisations=False)
# tests/test_demo.py's tests of the load itself (no app, hence no organisation before it; the ``clock`` fixture's
# start): ten tests on two backends each loaded the demo, 16-17 s apiece on the loaded CI machine.
BARE = Flavour("demo-bare", ManualClock, app_organisations=False)


@dataclass(frozen=True)
class LoadedDemo:
    """What ``load_demo`` left behind: the logins it returned, its credentials file (and that file's permission
    bits as ``load_demo`` set them) and the clock's reading."""

    logins: tuple[DemoLogin, ...]
    credentials: bytes
    loaded_at: datetime
    credentials_mode: int

    def check_clock(self, now: datetime) -> None:
        assert now == self.loaded_at, (
            f"the demo template was loaded at {self.loaded_at}, this test's clock reads {now}: its demo's times "
            "would differ, so load the demo in the test (app.demo.load_demo)")

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"logins": [asdict(login) for login in self.logins],
                                    "credentials": self.credentials.decode(), "loaded_at": self.loaded_at.isoformat(),
                                    "credentials_mode": self.credentials_mode}))

    @classmethod
    def read(cls, path: Path) -> LoadedDemo:
        saved = json.loads(path.read_text())
        return cls(tuple(DemoLogin(**login) for login in saved["logins"]), saved["credentials"].encode(),
                   datetime.fromisoformat(saved["loaded_at"]), saved["credentials_mode"])

    def write_credentials(self, var_dir: Path) -> None:
        """Puts the credentials file where ``load_demo`` would have written it, for a later run to read."""
        var_dir.mkdir(parents=True, exist_ok=True)
        path = var_dir / CREDENTIALS_FILE
        path.write_bytes(self.credentials)
        path.chmod(0o600)


async def _load(database_url: str, var_dir: Path, flavour: Flavour) -> LoadedDemo:
    clock = flavour.clock()
    app = create_app(settings_for_tests(database_url, var_dir), clock=clock)
    services: AppServices = app.state.services
    try:
        if flavour.app_organisations:
            await make_app_organisations(services)
        logins = await load_demo(services.unit_of_work, services.get(AccountsContext), var_dir)
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()
    credentials = var_dir / CREDENTIALS_FILE
    return LoadedDemo(tuple(logins), credentials.read_bytes(), clock.now(), stat.S_IMODE(credentials.stat().st_mode))


def load_into(database_url: str, var_dir: Path, flavour: Flavour) -> LoadedDemo:
    """Loads the demo into a migrated database; in a thread of its own, as a test's event loop may be running."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, _load(database_url, var_dir, flavour)).result()


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Holds ``lock`` (an flock, released if the process dies) against the run's other workers."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sqlite_demo_template(migrated: Path, shared: Path, flavour: Flavour) -> tuple[Path, LoadedDemo]:
    """A copy of the migrated SQLite template with the demo in it, closed (its write-ahead log folded in); made by
    the first worker that asks, read by the others."""
    path, saved = shared / f"{flavour.key}.sqlite3", shared / f"sqlite-{flavour.key}.json"
    with exclusive(shared / f"sqlite-{flavour.key}.lock"):
        if not saved.exists():
            shutil.copyfile(migrated, path)
            loaded = load_into(f"sqlite+aiosqlite:///{path}", shared / f"sqlite-{flavour.key}-var", flavour)
            assert not path.with_name(path.name + "-wal").exists(), "a file copy would miss the demo's last writes"
            loaded.save(saved)
    return path, LoadedDemo.read(saved)


def postgres_demo_template(cluster: PostgresCluster, take_migrated: Callable[[], str], shared: Path,
                           flavour: Flavour) -> tuple[str, LoadedDemo]:
    """A database of this worker's cluster holding the demo, to be used as a template: restored from the dump of the
    worker that loaded it first (pg_dump/pg_restore of the demo: about 2 s), else loaded into a migrated copy."""
    dump, saved = shared / f"{flavour.key}.pgdump", shared / f"postgres-{flavour.key}.json"
    with exclusive(shared / f"postgres-{flavour.key}.lock"):
        if saved.exists():
            name = f"{flavour.key.replace('-', '_')}_template_{os.getpid()}"
            cluster.execute(f"CREATE DATABASE {name} TEMPLATE template0")
            _pg_tool(cluster, "pg_restore", "--exit-on-error", "--no-owner", "-d", cluster.dsn(name), str(dump))
            return name, LoadedDemo.read(saved)
        name = take_migrated()
        loaded = load_into(cluster.url(name), shared / f"postgres-{flavour.key}-var", flavour)
        _pg_tool(cluster, "pg_dump", "--format=custom", "-f", str(dump), cluster.dsn(name))
        loaded.save(saved)
        return name, loaded


def _pg_tool(cluster: PostgresCluster, tool: str, *arguments: str) -> None:
    subprocess.run([str(cluster.bin_dir / tool), *arguments], check=True, capture_output=True, timeout=300)
