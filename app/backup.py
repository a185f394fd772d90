"""``bedboard backup PATH``: a consistent copy of the SQLite database while the server keeps serving.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the pages under a read transaction. The
database is in WAL mode, so that read never blocks the server's writers, and copying every page in one
step (``pages=-1``, the default here) makes the copy one snapshot: a stepwise backup whose source changes
between steps starts over, which under steady writes might never finish. The copy is written beside the
target and renamed into place only once complete and checked, so a crash never leaves a half backup under
the target's name.

PostgreSQL is backed up with its own tools (``pg_dump``; docs/operations.md), never by this command.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.kit.audit import ChainHead

# Milliseconds SQLite waits for a lock before giving up: a checkpoint of the server holds one only briefly.
BUSY_TIMEOUT_MS = 10_000
POSTGRES_ADVICE = ("bedboard backup copies SQLite databases only. For PostgreSQL use its own tools, e.g. "
                   "'pg_dump --format=custom --file=bedboard.dump DBNAME' and restore with 'pg_restore "
                   "--dbname=NEWDB bedboard.dump' (see docs/operations.md, Backups).")

Progress = Callable[[int, int, int], object]


class BackupRefused(Exception):
    """The backup cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    audit_head: str  # SEQ:HASH of the copy's audit chain, to keep with it (bedboard audit verify --head)


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupRefused(POSTGRES_ADVICE)
    if not url.database or url.database == ":memory:":
        raise BackupRefused("the database is in memory; there is nothing on disk to back up.")
    return Path(url.database)


def _open_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupRefused(f"there is no database file at {path}; check BEDBOARD_DATABASE_URL.")
    # Read-only by URI: a mistyped path must not create an empty database, and the copy never writes to it.
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    source.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return source


def _check(path: Path) -> str:
    """The copy opens, passes SQLite's quick check, and has an audit head; returns that head."""
    copy = sqlite3.connect(path)
    try:
        verdict = copy.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupRefused(f"the copy failed SQLite's check ({verdict}); nothing was kept.")
        row = copy.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"the copy cannot be read ({error}); nothing was kept.") from error
    finally:
        copy.close()
    return "0:(no audit head)" if row is None else str(ChainHead(int(row[0]), str(row[1])))


def backup_sqlite(database_url: str, target: Path, *, pages: int = -1, progress: Progress | None = None
                  ) -> BackupResult:
    """Copy the database to ``target`` (which must not exist). ``pages``/``progress`` are passed to
    ``sqlite3.Connection.backup``; the default copies everything in one consistent step."""
    source_path = sqlite_path(database_url)
    if target.exists():
        raise BackupRefused(f"{target} exists; give a new file name (backups are never overwritten).")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = _open_source(source_path)
    # The copy holds personal data (names, personal numbers): readable by the server's user only.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination, pages=pages, progress=progress)
        finally:
            destination.close()
        head = _check(partial)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupRefused(f"the backup failed: {error}; nothing was kept.") from error
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, head)
