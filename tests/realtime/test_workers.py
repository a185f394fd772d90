"""Several server processes on one PostgreSQL: a change made through one reaches sockets on the other."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.live_server import start_server
from tests.realtime.conftest import Browser, _seed, next_message, subscribe


async def test_a_change_through_one_worker_reaches_a_socket_on_another(postgres_url: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(postgres_url, tmp_path)).result()
    first, second = start_server(postgres_url, tmp_path), start_server(postgres_url, tmp_path)
    coordinator, operator = Browser(second.url), Browser(first.url)
    try:
        await coordinator.log_in("coord")
        await operator.log_in("op.a")
        async with await coordinator.open_board(second.url.replace("http", "ws") + "/ws/beds") as socket:
            await subscribe(socket)
            snapshot = await next_message(socket)
            assert (await operator.set_free_beds(ids["surgery_a"], 4, 1)).status_code == 200
            change = await next_message(socket)
            assert change["type"] == "change"
            assert change["seq"] > snapshot["seq"]
            assert change["section"]["free_beds"] == 4
    finally:
        await coordinator.close()
        await operator.close()
        first.stop()
        second.stop()
