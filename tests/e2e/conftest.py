from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from accounts.service import AccountsContext
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from tests.chromium import SESSION
from tests.factories import make_organisation, make_user
from tests.live_server import TEST_SECRET, LiveServer, start_server


@pytest.fixture
def browser() -> Iterator[Browser]:
    """This worker's Chromium, shared by consecutive browser tests (tests/chromium.py says why not longer)."""
    shared = SESSION.browser()
    yield shared
    for context in shared.contexts:  # a failed test's windows must not reach the next test
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


Seed = Callable[[AppServices], Awaitable[None]]


async def _run_seed(database_url: str, var_dir: Path, seed: Seed, *, samb: bool = True) -> None:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        if samb:
            await make_organisation(services, "SAMB", name="Serviciul de Ambulanță București-Ilfov")
        await seed(services)
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


def _serve_seeded(database_url: str, tmp_path: Path, *, samb: bool = True) -> Iterator[Callable[[Seed], LiveServer]]:
    servers: list[LiveServer] = []

    def start(seed: Seed) -> LiveServer:
        # Playwright's sync API keeps an event loop running in this thread, so seed from another one.
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(asyncio.run, _run_seed(database_url, tmp_path, seed, samb=samb)).result()
        servers.append(start_server(database_url, tmp_path))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def seeded_server(sqlite_url: str, tmp_path: Path) -> Iterator[Callable[[Seed], LiveServer]]:
    """Seeds the database with the given coroutine, then starts a real server on it."""
    yield from _serve_seeded(sqlite_url, tmp_path)


@pytest.fixture
def demo_server(demo_now_sqlite_url: str, tmp_path: Path) -> Iterator[Callable[[Seed], LiveServer]]:
    """As ``seeded_server``, on a copy of the run's demo (tests/demo_template.py, ``demo_now_loaded``'s template,
    whose SAMB is the same): the seed adds to the demo instead of loading it again."""
    yield from _serve_seeded(demo_now_sqlite_url, tmp_path, samb=False)


@pytest.fixture
def seeded_server_on_each_backend(database_url: str, tmp_path: Path) -> Iterator[Callable[[Seed], LiveServer]]:
    """As ``seeded_server``, on SQLite and then on PostgreSQL (``database_url`` is parametrised)."""
    yield from _serve_seeded(database_url, tmp_path)


async def _one_coordinator(services: AppServices) -> None:
    await make_user(services, "ana.pop", display_name="Ana Pop", organisation="SAMB")


@pytest.fixture
def live_server(seeded_server: Callable[[Seed], LiveServer]) -> LiveServer:
    return seeded_server(_one_coordinator)
