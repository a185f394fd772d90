"""Engine, declarative base, the UTC timestamp type and the one transaction helper (the unit of work)."""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app.kit.clock import Clock, SystemClock

logger = logging.getLogger("bedboard.realtime")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, whatever the backend stores.

    SQLite has no time zones: values are stored as naive UTC and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that every transaction starts with
        # BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once with
        # SQLITE_BUSY_SNAPSHOT when another writer committed in between, and busy_timeout cannot help.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # A statement session's reads (statement_session) take no lock: under WAL each statement reads a
        # committed state on its own, and its one write (a token's last_used_at) commits by itself.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# Built once: ``json.dumps`` with these arguments builds a new encoder on every call, a third of the cost
# of encoding an event's small before/after objects (the CSV export encodes two per line).
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: object) -> str:
    """The audit chain's hashed form of a value (sorted keys, no spaces, text as it is), and the text every JSON
    column stores: a stored before/after is then its own canonical text, which ``audit verify`` hashes and the
    history's CSV writes as they are, without decoding (app/history/csv_in_sql.py)."""
    return _CANONICAL_ENCODER.encode(value)


def make_engine(database_url: str, **options: Any) -> AsyncEngine:
    # An error's message would otherwise carry the statement's values (a personal number, a name) into
    # the log of the 500 or 503 it becomes.
    options = {"hide_parameters": True, "json_serializer": canonical_json, **options}
    if database_url.startswith("sqlite"):
        # Every transaction takes SQLite's one write lock (BEGIN IMMEDIATE), so a second pooled connection
        # only ever waits inside SQLite's busy handler, which sleeps in steps of up to 100 ms. One
        # connection makes the waiters queue in the pool instead and each gets it the moment it is free.
        options = {"pool_size": 1, "max_overflow": 0, **options}
        engine = create_async_engine(database_url, **options)
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(database_url, **options)
    _ping_idle_connections(engine)
    return engine


# A pooled connection that sat unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """A connection killed while it sat in the pool (a database restart, a dropped link) is replaced before a
    request gets it, as ``pool_pre_ping`` does, but only when it sat idle: pre-ping pinged every checkout, a round
    trip that a busy server paid three times an audited write (the token, the write, the alert rules) for
    connections it had used a millisecond earlier. A connection killed while in use still fails that request
    (503), and SQLAlchemy then replaces every connection of the pool."""

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever a dead connection raises: the pool connects afresh
            raise DisconnectionError("the pooled connection is gone") from error
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


# Each engine's autocommit variant (sharing its pool), made once: making one copies the engine's event listeners.
_AUTOCOMMIT: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()


def statement_session(engine: AsyncEngine, *, clock: Clock | None = None) -> AsyncSession:
    """A session whose statements each commit on their own, for a read (and at most one small write) that needs
    no transaction: on PostgreSQL no BEGIN and no COMMIT, two round trips fewer than a unit of work; on SQLite no
    BEGIN IMMEDIATE, so no wait for the write lock. The bearer token's lookup before every API call is one, the
    alert rules' revision read after every committed write another."""
    engine = _AUTOCOMMIT.get(engine) or _AUTOCOMMIT.setdefault(
        engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    session = AsyncSession(engine, expire_on_commit=False, autoflush=True)
    session.info["clock"] = clock or SystemClock()
    return session


def make_session_factory(engine: AsyncEngine, zone: ZoneInfo | None = None) -> async_sessionmaker[AsyncSession]:
    """``zone``: the installation's (``BEDBOARD_TIMEZONE``), for services that count days where no organisation
    names a zone of its own (``session_zone``)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True,
                              info={} if zone is None else {"zone": zone})


# SQLSTATEs of a server that is there but will not serve now: shutting down (57P01 admin, 57P02 crash),
# starting up or recovering after a crash (57P03, asyncpg's CannotConnectNowError), out of connection slots
# (53300). asyncpg raises them as plain PostgresError subclasses, which SQLAlchemy wraps as a generic
# DBAPIError, so the class alone does not tell; the code does. Class 08 is every connection exception.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _causes(error: BaseException) -> list[BaseException]:
    """The error, the driver error SQLAlchemy wrapped (``orig``) and what each was raised from."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending and len(found) < 8:
        current = pending.pop()
        if current is None or current in found:
            continue
        found.append(current)
        pending += [getattr(current, "orig", None), current.__cause__]
    return found


def _means_unavailable(error: BaseException) -> bool:
    if isinstance(error, InterfaceError | OperationalError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES):
        return True
    return isinstance(error, OSError) and not isinstance(error, FileNotFoundError)


def is_database_unavailable(error: BaseException) -> bool:
    """True when the error means the database cannot be reached or will not serve yet (shutting down,
    recovering after a crash), not that a statement was wrong: the caller answers 503, not 500."""
    return any(_means_unavailable(cause) for cause in _causes(error))


def unavailability(error: BaseException) -> str:
    """Names the failure for the log without its text: a wrapped statement's text carries its parameters
    (a username, a token's digest), which must never reach a log line."""
    cause = _causes(error)[-1]
    sqlstate = getattr(cause, "sqlstate", None)
    return f"{type(cause).__name__} {sqlstate}" if isinstance(sqlstate, str) else type(cause).__name__


def session_zone(session: AsyncSession) -> ZoneInfo:
    """The installation's zone, for an organisation with none up its tree: the zone its readers see times in
    (``state.reader_zone`` falls back to the same setting), so a deadline counted in it falls where it is shown.
    UTC for a session made without it (a script's)."""
    zone = session.info.get("zone")
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


def session_now(session: AsyncSession) -> datetime:
    """The unit of work's clock: services ask it for "now" so that tests can move time."""
    clock: Clock = session.info.get("clock") or SystemClock()
    return clock.now()


Publisher = Callable[[Sequence[object]], Awaitable[None]]
# Runs inside the transaction just before commit (PostgreSQL: pg_notify, delivered only if it commits).
BeforeCommit = Callable[[AsyncSession, Sequence[object]], Awaitable[None]]


async def _publish_nothing(_events: Sequence[object]) -> None:
    return None


class UnitOfWork:
    """One transaction. Services flush and emit events; the unit of work commits, then publishes.

    On any error it rolls back and drops the events, so no event ever describes a write that did not
    commit. A publish that fails after the commit is logged, not raised: the write is durable, and an
    error would tell its caller otherwise (the group commit would even retry it and answer 409).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        clock: Clock | None = None,
        publish: Publisher | None = None,
        before_commit: BeforeCommit | None = None,
        info: dict[str, object] | None = None,
    ):
        self._session_factory = session_factory
        self._clock = clock or SystemClock()
        self._publish = publish or _publish_nothing
        self._before_commit = before_commit
        self._info = dict(info or {})
        self._events: list[object] = []
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def emit(self, event_: object) -> None:
        self._events.append(event_)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that an error undoes alone (SAVEPOINT): its rows and its events go,
        the rest of the transaction stays and may still commit."""
        emitted = len(self._events)
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            del self._events[emitted:]
            raise

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._session.info.update(self._info)
        self._session.info["clock"] = self._clock
        await self._session.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                if self._before_commit is not None and self._events:
                    await self._before_commit(session, self._events)
                await session.commit()
            else:
                await session.rollback()
                self._events.clear()
        finally:
            await session.close()
            self._session = None
        if exc_type is None and self._events:
            events, self._events = self._events, []
            try:
                await self._publish(events)
            except Exception as failure:  # committed: the write stands; live boards may have missed it
                logger.error("publishing %d committed event(s) failed: %s", len(events),
                             type(failure).__name__, exc_info=failure)
