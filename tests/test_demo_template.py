"""A test that asks for ``demo_loaded`` sees what loading the demo in the test would have given it.

The demo tests (the hostile-input sweep, the access matrix, the demo's history) take a copy of a template the session
loaded once (tests/demo_template.py); if the template were made differently from a test's own ``load_demo`` (other
organisations first, another clock), they would silently test other data. This compares, table by table, a copy
with a database where this test loads the demo itself, as those tests used to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from accounts.service import AccountsContext
from app.demo import DemoLogin, load_demo, read_credentials
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.main import create_app
from tests.demo_template import make_app_organisations, settings_for_tests

# Random per load: the demo's generated passwords, hence their hashes, and the audit chain's hashes over them.
RANDOM_COLUMNS = frozenset({"password_hash", "hash", "prev_hash"})
Rows = dict[str, list[tuple[object, ...]]]


async def contents(engine: AsyncEngine) -> Rows:
    metadata = MetaData()
    async with engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        found: Rows = {}
        for table in metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in RANDOM_COLUMNS]
            rows = await connection.execute(select(*columns).order_by(*table.primary_key.columns or columns))
            found[table.name] = [tuple(row) for row in rows]
    return found


async def test_a_copy_of_the_template_holds_what_loading_the_demo_in_the_test_gives(
    services: AppServices, demo_loaded: list[DemoLogin], tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    if services.settings.database_url.startswith("postgresql"):
        own_url: str = request.getfixturevalue("postgres_url")  # a fresh migrated database beside the copy
    else:
        own_path = tmp_path / "own.sqlite3"  # not sqlite_url: that is the copy's file
        shutil.copyfile(request.getfixturevalue("sqlite_template"), own_path)
        own_url = f"sqlite+aiosqlite:///{own_path}"
    own_var = tmp_path / "own"
    own = make_app_from(own_url, own_var)
    try:
        await make_app_organisations(own)
        logins = await load_demo(own.unit_of_work, own.get(AccountsContext), own_var)
        copied, loaded = await contents(services.engine), await contents(own.engine)
    finally:
        own.get(AccountsContext).hasher.close()
        await own.engine.dispose()
    assert [(login.username, login.role, login.organisation_code) for login in demo_loaded] == [
        (login.username, login.role, login.organisation_code) for login in logins]
    assert set(read_credentials(tmp_path)) == set(read_credentials(own_var))
    assert {table: len(rows) for table, rows in copied.items()} == {table: len(rows) for table, rows in loaded.items()}
    different = sorted(table for table in copied if copied[table] != loaded[table])
    assert not different, f"the template's demo differs from a demo loaded in the test in {different}"
    assert len(copied["audit_events"]) > 1000


def make_app_from(database_url: str, var_dir: Path) -> AppServices:
    services: AppServices = create_app(settings_for_tests(database_url, var_dir), clock=ManualClock()).state.services
    return services
