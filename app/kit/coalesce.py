"""Many callers asking the same question at once share one answer, never an answer older than their question.

After a restart every board reconnects within a second or two: thousands of handshakes present the same few
session cookies and subscribe with the same few filters. Asked one by one, each repeats the same database
reads (issue 24: about 9 ms of server CPU per socket, 5,000 boards live again only after 29-80 s).

This is not a cache. A caller never gets a result of a read that began before it asked: callers arriving while
a read runs wait for the next read, which begins once that one ends and serves all of them. So a session
ended (logout, revocation) before a handshake arrives is refused exactly as without sharing, and a snapshot
shared with a socket is as of a moment after the socket started to hold live changes (DESIGN.md's ordering).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Result = TypeVar("Result")


@dataclass
class _Key(Generic[Result]):
    waiting: asyncio.Future[Result] | None = None  # the next read's callers
    runner: asyncio.Task[None] | None = None


class Coalescer(Generic[Result]):
    """``await coalescer.run(key, read)``: ``read()`` runs at most once at a time per key, after every caller it
    serves arrived. An exception of a read is every one of its callers' exception."""

    def __init__(self) -> None:
        self._keys: dict[Hashable, _Key[Result]] = {}

    async def run(self, key: Hashable, read: Callable[[], Awaitable[Result]]) -> Result:
        state = self._keys.setdefault(key, _Key())
        if state.waiting is None:
            state.waiting = asyncio.get_running_loop().create_future()
        waiting = state.waiting
        if state.runner is None:
            state.runner = asyncio.get_running_loop().create_task(self._reads(key, state, read))
        # Shielded: a caller that goes away (its socket closed) does not cancel the others' read.
        return await asyncio.shield(waiting)

    async def _reads(self, key: Hashable, state: _Key[Result], read: Callable[[], Awaitable[Result]]) -> None:
        try:
            while state.waiting is not None:
                # Taken before the read begins: whoever asks from now on waits for the next read.
                waiting, state.waiting = state.waiting, None
                try:
                    result = await read()
                except Exception as error:  # noqa: BLE001 - handed to every caller of this read
                    waiting.set_exception(error)
                    waiting.exception()  # marked retrieved: a read whose callers all left logs nothing
                except BaseException:  # the runner cancelled (the server stopping): its callers are too
                    waiting.cancel()
                    if state.waiting is not None:
                        state.waiting.cancel()
                        state.waiting = None
                    raise
                else:
                    waiting.set_result(result)
        finally:
            state.runner = None
            if state.waiting is None and self._keys.get(key) is state:
                del self._keys[key]
