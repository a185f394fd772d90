"""Migration 0010 gives the operators and bed tokens that exist an owning authority: their creator's, read from
the audit log, else the ministry's; a licence-usage token gets its health service."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from alembic import command
from app.kit.db import make_engine
from app.migrations import _outside_event_loop, alembic_config
from tests.postgres_cluster import PostgresCluster

_numbers = itertools.count(1)
MS, SMURD, HOSPITAL, UNIT = 1, 2, 3, 4
ROWS = [
    "INSERT INTO organisations (id, code, name, kind) VALUES (1, 'MS', 'Ministerul', 'authority'),"
    " (2, 'SMURD', 'SMURD', 'authority'), (3, 'H-1', 'Spitalul Unu', 'hospital'),"
    " (4, 'SSMSO-USD', 'Unidad', 'digital_health_unit')",
    "INSERT INTO users (id, username, username_key, display_name, organisation_id, is_active, must_change_password,"
    " created_at) VALUES (10, 'op.smurd', 'op.smurd', 'A', 3, true, false, :now),"
    " (11, 'op.cli', 'op.cli', 'B', 3, true, false, :now), (12, 'coord', 'coord', 'C', 2, true, false, :now)",
    "INSERT INTO api_tokens (id, name, scope, organisation_id, token_hash, prefix, created_by, created_at) VALUES"
    " (20, 'HIS', 'beds', NULL, 'h20', 'bb_1', 'admin.smurd', :now),"
    " (21, 'Old', 'beds', NULL, 'h21', 'bb_2', '<cli>', :now),"
    " (22, 'Usage', 'licenses.usage', 4, 'h22', 'bb_3', 'officer', :now)",
    "INSERT INTO audit_events (seq, at, actor, organisation, action, object_type, object_id, source, prev_hash, hash)"
    " VALUES (1, :now, 'admin.smurd', 'SMURD', 'accounts.user_created', 'user', '10', 'web', '', 'a'),"
    " (2, :now, '<cli>', NULL, 'accounts.user_created', 'user', '11', 'cli', 'a', 'b'),"
    " (3, :now, 'admin.smurd', 'SMURD', 'beds.api_token_created', 'api_token', '20', 'web', 'b', 'c')",
]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"backfill_{os.getpid()}_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name}")
    yield cluster.url(name)
    cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _upgrade(database_url: str, revision: str) -> None:
    _outside_event_loop(lambda: command.upgrade(alembic_config(database_url), revision))


async def test_existing_operators_and_tokens_get_their_creators_authority_or_the_ministry(
    empty_database: str,
) -> None:
    _upgrade(empty_database, "0009")
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as connection:
            for statement in ROWS:
                await connection.execute(text(statement), {"now": datetime(2026, 3, 1, tzinfo=UTC)})
        _upgrade(empty_database, "0010")
        async with engine.connect() as connection:
            users: dict[int, int | None] = {
                row[0]: row[1] for row in await connection.execute(text("SELECT id, owner_organisation_id FROM users"))}
            tokens: dict[int, int | None] = {
                row[0]: row[1]
                for row in await connection.execute(text("SELECT id, owner_organisation_id FROM api_tokens"))}
    finally:
        await engine.dispose()
    assert users == {10: SMURD, 11: MS, 12: None}  # a coordinator of an authority has no owner
    assert tokens == {20: SMURD, 21: MS, 22: UNIT}
