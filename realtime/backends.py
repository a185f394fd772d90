"""Where changes come from: the same process (memory) or every process on one PostgreSQL (LISTEN/NOTIFY).

With PostgreSQL the writer issues ``pg_notify`` inside its transaction, so the notice leaves only when
the write commits; every process, the writer's included, hears it here and feeds its own hub. If the
listening connection drops, notices may have been lost in between: the listener reconnects by itself
and then asks for every subscriber to be resynchronised.
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
Deliver = Callable[[str], Awaitable[None] | None]


class Backend(Protocol):
    async def start(self, deliver: Deliver, on_gap: Callable[[], None]) -> None: ...

    async def stop(self) -> None: ...


class MemoryBackend:
    """One process: the unit of work hands changes to the hub itself after commit; nothing to listen to."""

    async def start(self, deliver: Deliver, on_gap: Callable[[], None]) -> None:
        return None

    async def stop(self) -> None:
        return None


class PostgresBackend:
    def __init__(self, dsn: str, *, retry_seconds: float = 1.0, max_retry_seconds: float = 15.0) -> None:
        self._dsn = dsn
        self._retry = retry_seconds
        self._max_retry = max_retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

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
                connection = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError) as error:
                logger.warning("listener cannot connect (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry)
                continue
            try:
                await connection.add_listener(CHANNEL, self._on_notice(deliver))
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                self.connected.set()
                if not first:
                    on_gap()  # notices sent while we were away are gone: everyone takes a snapshot
                first, delay = False, self._retry
                await self._until_lost(connection, lost)
                logger.warning("listener connection lost; reconnecting")
            finally:
                self.connected.clear()
                if not connection.is_closed():
                    await connection.close(timeout=2)

    @staticmethod
    async def _until_lost(connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Returns when the connection ends; a silent network failure is caught by a periodic probe."""
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                try:
                    await connection.fetchval("SELECT 1", timeout=KEEPALIVE_SECONDS)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    lost.set()

    @staticmethod
    def _on_notice(deliver: Deliver) -> Callable[..., None]:
        def on_notice(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            result = deliver(payload)
            if result is not None:
                asyncio.ensure_future(result)

        return on_notice
