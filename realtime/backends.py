"""Where changes come from: the same process (memory) or every process on one PostgreSQL (LISTEN/NOTIFY).

With PostgreSQL the writer issues ``pg_notify`` inside its transaction, so the notice leaves only when
the write commits; every process, the writer's included, hears it here and feeds its own hub. If the
listening connection drops, notices may have been lost in between: the listener reconnects by itself
and then asks for every subscriber to be resynchronised.

While the database is away (restarting, recovering after a crash) the listener tries again every
``max_retry_seconds`` at most, half a second: a refused connection on a local network costs well under
a millisecond, and the boards of every worker are blind until it is back. Measured by
tests/test_database_faults.py after ``pg_ctl stop -m immediate`` and a restart: both workers ready (LISTEN
connected) 0.6 s after PostgreSQL accepted connections again, against 5.0 s when the delay doubled up
to 15 s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg

logger = logging.getLogger("bedboard.realtime")

CHANNEL = "bedboard_changes"
KEEPALIVE_SECONDS = 10.0
# What a connection that is refused, cut or never answers raises (57P03 "starting up" is a PostgresError).
CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
Deliver = Callable[[str], Awaitable[None] | None]


class Backend(Protocol):
    @property
    def listening(self) -> bool: ...

    async def start(self, deliver: Deliver, on_gap: Callable[[], None]) -> None: ...

    async def stop(self) -> None: ...


class MemoryBackend:
    """One process: the unit of work hands changes to the hub itself after commit; nothing to listen to."""

    @property
    def listening(self) -> bool:
        return True

    async def start(self, deliver: Deliver, on_gap: Callable[[], None]) -> None:
        return None

    async def stop(self) -> None:
        return None


class PostgresBackend:
    def __init__(self, dsn: str, *, retry_seconds: float = 0.1, max_retry_seconds: float = 0.5) -> None:
        self._dsn = dsn
        self._retry = retry_seconds
        self._max_retry = max_retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    @property
    def listening(self) -> bool:
        """Connected, or never started: an app used without its lifespan (as the tests over ASGI do) has
        no listener to wait for, and must not report itself unready for it."""
        return self._task is None or self.connected.is_set()

    async def start(self, deliver: Deliver, on_gap: Callable[[], None]) -> None:
        self._task = asyncio.create_task(self._listen_forever(deliver, on_gap), name="bedboard-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _listen_forever(self, deliver: Deliver, on_gap: Callable[[], None]) -> None:
        delay, first = self._retry, True
        while True:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self._dsn, timeout=KEEPALIVE_SECONDS)
            except CONNECTION_ERRORS as error:
                # 57P03 "the database system is starting up" comes here too, until recovery ends.
                if delay == self._retry:  # once per outage, not twice a second
                    logger.warning("listener cannot connect (%s); retrying every %.1f s at most", error,
                                   self._max_retry)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry)
                continue
            try:
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notice(deliver))
                self.connected.set()
                if not first:
                    logger.warning("listener reconnected; resynchronising every board")
                # Notices sent while nobody listened are gone (and a board may have subscribed before the
                # first LISTEN): everyone takes a fresh snapshot. With no board open this costs nothing.
                on_gap()
                first, delay = False, self._retry
                await self._until_lost(connection, lost)
                logger.warning("listener connection lost; reconnecting")
            except CONNECTION_ERRORS as error:
                # The connection died between connecting and listening: the next round starts afresh.
                logger.warning("listener lost its connection while starting to listen (%s)", error)
                await asyncio.sleep(delay)
            finally:
                self.connected.clear()
                await self._close(connection)

    @staticmethod
    async def _close(connection: asyncpg.Connection) -> None:
        if connection.is_closed():
            return
        try:
            await connection.close(timeout=2)
        except CONNECTION_ERRORS:
            connection.terminate()

    @staticmethod
    async def _until_lost(connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Returns when the connection ends; a silent network failure is caught by a periodic probe."""
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                try:
                    await connection.fetchval("SELECT 1", timeout=KEEPALIVE_SECONDS)
                except CONNECTION_ERRORS:
                    lost.set()

    @staticmethod
    def _on_notice(deliver: Deliver) -> Callable[..., None]:
        def on_notice(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            result = deliver(payload)
            if result is not None:
                asyncio.ensure_future(result)

        return on_notice
