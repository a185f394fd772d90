"""Databases for tests: every test gets its own migrated database, on SQLite and on PostgreSQL.

Both backends are migrated once per session into a template; each test then gets a copy (a file
copy for SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL). Tests therefore commit for real,
which the unit of work, the audit chain's row lock and NOTIFY all need. A test that asks for ``demo_loaded`` gets,
the same way, a copy of a template holding the demo (tests/demo_template.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from accounts.service import AccountsContext
from app.demo import DemoLogin
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork, make_engine, make_session_factory
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from app.migrations import upgrade_to_head
from tests.chromium import GROUP as BROWSER_GROUP
from tests.chromium import SESSION as CHROMIUM
from tests.chromium import uses_browser
from tests.demo_template import (
    AS_THE_APP_FIXTURE,
    BARE,
    NOW,
    Flavour,
    LoadedDemo,
    make_app_organisations,
    postgres_demo_template,
    settings_for_tests,
    sqlite_demo_template,
)
from tests.postgres_cluster import ENABLE_HINT, DatabaseCopies, PostgresCluster, start_cluster
from tests.web import BrowserFactory

# The longest tests (see `--durations` in CI's output) start first: xdist hands tests out in collection order, and
# with these at the end one worker ran the 4-minute hostile sweep alone while the other sat idle (CI, 2,195 tests:
# 1,632 s, of which about 260 s on one worker).
LONGEST_FIRST = (
    "tests/test_hostile_input.py::",
    "tests/test_access_matrix.py::",
    "tests/test_log_hygiene.py::",
    "tests/test_schemathesis.py::",
    "tests/history/test_log.py::",
    "tests/realtime/test_board_socket.py::test_concurrent_writers",
)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group into the test's id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if uses_browser(item):
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))
    # A stable sort: the longest first, every other test (browser runs included) in its collected order.
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        CHROMIUM.close_unless_needed(nextitem)


def _required(variable: str) -> bool:
    return os.environ.get(variable, "") == "1"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = start_cluster()
    if cluster is None:
        if _required("BEDBOARD_REQUIRE_POSTGRES"):
            pytest.fail(ENABLE_HINT)
        pytest.skip(ENABLE_HINT)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: PostgresCluster) -> str:
    postgres_cluster.execute("CREATE DATABASE bedboard_template")
    upgrade_to_head(postgres_cluster.url("bedboard_template"))
    return "bedboard_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_copies(postgres_cluster: PostgresCluster, postgres_template: str) -> Iterator[DatabaseCopies]:
    copies = DatabaseCopies(postgres_cluster, postgres_template, prefix=f"test_{os.getpid()}")
    yield copies
    copies.close()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster, postgres_copies: DatabaseCopies) -> Iterator[str]:
    name = postgres_copies.take()
    yield postgres_cluster.url(name)
    postgres_copies.give_back(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bedboard.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def demo_share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the run's xdist workers share the demo's templates (their common temporary directory)."""
    root = tmp_path_factory.getbasetemp()
    shared = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "demo-share"
    shared.mkdir(exist_ok=True)
    return shared


def _postgres_demo(cluster: PostgresCluster, migrated: DatabaseCopies, shared: Path,
                   flavour: Flavour) -> Iterator[tuple[DatabaseCopies, LoadedDemo]]:
    # Loaded into a migrated copy of its own (the migrated template must have one reader at a time, postgres_copies'
    # thread), or restored from the other worker's.
    template, loaded = postgres_demo_template(cluster, migrated.take, shared, flavour)
    copies = DatabaseCopies(cluster, template, prefix=f"{flavour.key.replace('-', '_')}_{os.getpid()}", ahead=0)
    yield copies, loaded
    copies.close()


@pytest.fixture(scope="session")
def sqlite_demo(sqlite_template: Path, demo_share: Path) -> tuple[Path, LoadedDemo]:
    return sqlite_demo_template(sqlite_template, demo_share, AS_THE_APP_FIXTURE)


@pytest.fixture(scope="session")
def postgres_demo(postgres_cluster: PostgresCluster, postgres_copies: DatabaseCopies,
                  demo_share: Path) -> Iterator[tuple[DatabaseCopies, LoadedDemo]]:
    yield from _postgres_demo(postgres_cluster, postgres_copies, demo_share, AS_THE_APP_FIXTURE)


@pytest.fixture(scope="session")
def sqlite_demo_now(sqlite_template: Path, demo_share: Path) -> tuple[Path, LoadedDemo]:
    return sqlite_demo_template(sqlite_template, demo_share, NOW)


@pytest.fixture(scope="session")
def postgres_demo_now(postgres_cluster: PostgresCluster, postgres_copies: DatabaseCopies,
                      demo_share: Path) -> Iterator[tuple[DatabaseCopies, LoadedDemo]]:
    yield from _postgres_demo(postgres_cluster, postgres_copies, demo_share, NOW)


@pytest.fixture(scope="session")
def sqlite_demo_bare(sqlite_template: Path, demo_share: Path) -> tuple[Path, LoadedDemo]:
    return sqlite_demo_template(sqlite_template, demo_share, BARE)


@pytest.fixture(scope="session")
def postgres_demo_bare(postgres_cluster: PostgresCluster, postgres_copies: DatabaseCopies,
                       demo_share: Path) -> Iterator[tuple[DatabaseCopies, LoadedDemo]]:
    yield from _postgres_demo(postgres_cluster, postgres_copies, demo_share, BARE)


# The URLs of the databases that hold a demo already, each with the key of its flavour.
DEMO_COPIES: dict[str, str] = {}
# A test that asks for one of these gets as database_url the copy of a demo template the prefix names.
DEMO_FIXTURES = {"demo_loaded": "demo_", "demo_now_loaded": "demo_now_", "demo_bare_loaded": "demo_bare_"}
# The session fixture holding each flavour's template, after its backend's name.
DEMO_TEMPLATES = {AS_THE_APP_FIXTURE.key: "demo", NOW.key: "demo_now", BARE.key: "demo_bare"}


def _sqlite_copy(template: Path, tmp_path: Path, flavour: Flavour) -> str:
    path = tmp_path / "bedboard.sqlite3"
    shutil.copyfile(template, path)
    url = f"sqlite+aiosqlite:///{path}"
    DEMO_COPIES[url] = flavour.key
    return url


def _postgres_copy(cluster: PostgresCluster, copies: DatabaseCopies, flavour: Flavour) -> Iterator[str]:
    name = copies.take()
    DEMO_COPIES[url := cluster.url(name)] = flavour.key
    yield url
    copies.give_back(name)


@pytest.fixture
def demo_sqlite_url(sqlite_demo: tuple[Path, LoadedDemo], tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_demo[0], tmp_path, AS_THE_APP_FIXTURE)


@pytest.fixture
def demo_postgres_url(postgres_cluster: PostgresCluster,
                      postgres_demo: tuple[DatabaseCopies, LoadedDemo]) -> Iterator[str]:
    yield from _postgres_copy(postgres_cluster, postgres_demo[0], AS_THE_APP_FIXTURE)


@pytest.fixture
def demo_now_sqlite_url(sqlite_demo_now: tuple[Path, LoadedDemo], tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_demo_now[0], tmp_path, NOW)


@pytest.fixture
def demo_now_postgres_url(postgres_cluster: PostgresCluster,
                          postgres_demo_now: tuple[DatabaseCopies, LoadedDemo]) -> Iterator[str]:
    yield from _postgres_copy(postgres_cluster, postgres_demo_now[0], NOW)


@pytest.fixture
def demo_bare_sqlite_url(sqlite_demo_bare: tuple[Path, LoadedDemo], tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_demo_bare[0], tmp_path, BARE)


@pytest.fixture
def demo_bare_postgres_url(postgres_cluster: PostgresCluster,
                           postgres_demo_bare: tuple[DatabaseCopies, LoadedDemo]) -> Iterator[str]:
    yield from _postgres_copy(postgres_cluster, postgres_demo_bare[0], BARE)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database on each backend in turn; one holding the demo for a test of ``demo_loaded``,
    ``demo_now_loaded`` or ``demo_bare_loaded``."""
    demo = next((prefix for name, prefix in DEMO_FIXTURES.items() if name in request.fixturenames), "")
    url: str = request.getfixturevalue(f"{demo}{request.param}_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine, settings: Settings) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine, settings.zone)  # as the app's (app/main.py)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def unit_of_work(
    session_factory: async_sessionmaker[AsyncSession], clock: ManualClock
) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(session_factory, clock=clock)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return settings_for_tests(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock)
    services: AppServices = application.state.services
    if DEMO_COPIES.get(settings.database_url) != AS_THE_APP_FIXTURE.key:  # that template was made as this does
        await make_app_organisations(services)
    yield application
    services.get(AccountsContext).hasher.close()
    await services.engine.dispose()


@pytest.fixture
def services(app: Starlette) -> AppServices:
    found: AppServices = app.state.services
    return found


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def new_client(app: Starlette) -> BrowserFactory:
    """Another browser (its own cookies), optionally from another client address."""

    def open_browser(address: str = "10.9.9.9") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50001)),
                                 base_url="http://testserver")

    return open_browser


@pytest.fixture
def demo_loaded(database_url: str, settings: Settings, clock: ManualClock,
                request: pytest.FixtureRequest) -> list[DemoLogin]:
    """The demo, as ``load_demo(services.unit_of_work, ..., settings.var_dir)`` would have loaded it in this test
    (the ``app`` fixture's database is a copy of the demo's template), and the logins it returned.

    Its credentials file is in ``settings.var_dir``. The test's clock must read what it read when the template was
    loaded (the ``clock`` fixture's start); a test that moves it first loads the demo itself."""
    loaded = _loaded_demo(request, database_url, AS_THE_APP_FIXTURE)
    loaded.check_clock(clock.now())
    loaded.write_credentials(settings.var_dir)
    return list(loaded.logins)


@pytest.fixture
def demo_now_loaded(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> list[DemoLogin]:
    """The demo as ``bedboard demo`` loads it (system clock, no organisation before it), for a test that serves it
    from an app of its own on ``database_url``; its credentials file is in ``tmp_path``, the logins are returned.
    Loaded when the run's first such test asked: its times are that many minutes old."""
    loaded = _loaded_demo(request, database_url, NOW)
    loaded.write_credentials(tmp_path)
    return list(loaded.logins)


@pytest.fixture
def demo_bare_loaded(database_url: str, clock: ManualClock, request: pytest.FixtureRequest) -> LoadedDemo:
    """The demo as ``load_demo(unit_of_work, context, ...)`` loads it into a fresh database under the ``clock``
    fixture, with no app (so no organisation) before it: for tests of the load itself (tests/test_demo.py), which
    read what it returned (``logins``, ``credentials``, ``credentials_mode``) from the result. Writes no file."""
    loaded = _loaded_demo(request, database_url, BARE)
    loaded.check_clock(clock.now())
    return loaded


def _loaded_demo(request: pytest.FixtureRequest, database_url: str, flavour: Flavour) -> LoadedDemo:
    assert DEMO_COPIES.get(database_url) == flavour.key, "database_url was overridden: take it from demo_*_url"
    backend = "postgres" if database_url.startswith("postgresql") else "sqlite"
    loaded: LoadedDemo = request.getfixturevalue(f"{backend}_{DEMO_TEMPLATES[flavour.key]}")[1]
    return loaded
