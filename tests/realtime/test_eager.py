"""run_eagerly: a coroutine runs at once as far as it goes; only what has to wait becomes a task."""

from __future__ import annotations

import asyncio

import pytest

from realtime.eager import run_eagerly


async def test_a_coroutine_that_never_waits_runs_to_its_end_at_once() -> None:
    done: list[str] = []

    async def send() -> None:
        done.append("sent")

    assert run_eagerly(send()) is None
    assert done == ["sent"]  # before any turn of the loop


async def test_a_coroutine_that_waits_goes_on_in_a_task() -> None:
    steps: list[str] = []
    ready = asyncio.Event()

    async def send() -> None:
        steps.append("started")
        await ready.wait()
        await asyncio.sleep(0)  # a bare yield is followed too
        steps.append("finished")

    task = run_eagerly(send())
    assert task is not None
    assert steps == ["started"]
    ready.set()
    await task
    assert steps == ["started", "finished"]


async def test_errors_raise_where_the_coroutine_is_when_they_happen() -> None:
    async def fails_at_once() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        run_eagerly(fails_at_once())

    ready = asyncio.Event()

    async def fails_later() -> None:
        await ready.wait()
        raise ConnectionResetError("gone later")

    task = run_eagerly(fails_later())
    assert task is not None
    ready.set()
    with pytest.raises(ConnectionResetError, match="gone later"):
        await task


async def test_cancelling_the_task_runs_the_coroutine_s_clean_up() -> None:
    cleaned: list[bool] = []

    async def send() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(True)

    task = run_eagerly(send())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == [True]
