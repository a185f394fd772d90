"""A board that stops reading never delays the others, and later gets a fresh snapshot instead of a backlog."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import insert, select

from accounts.service import AccountsContext
from app.beds.models import Section, SectionType
from app.kit.settings import Settings
from app.main import create_app
from tests.live_server import TEST_SECRET, start_server
from tests.realtime.conftest import Browser, _seed, next_message, subscribe

BULK_SECTIONS = 1500  # makes each snapshot about a megabyte, to fill the socket buffers quickly
CHANGES = 300  # more than the 256 frames a subscriber's queue holds
FAST_BOARDS = 50


async def _bulk(database_url: str, var_dir: Path, hospital_id: int) -> None:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        async with services.unit_of_work() as uow:
            icu = await uow.session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
            await uow.session.execute(insert(Section), [
                {"hospital_id": hospital_id, "section_type_id": icu, "code": f"B{number}", "free_beds": 1,
                 "name": f"Secția de umplutură {number} " + "x" * 220, "total_beds": 9, "version": 1}
                for number in range(BULK_SECTIONS)])
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


async def test_a_stalled_board_does_not_delay_fifty_others(sqlite_url: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(sqlite_url, tmp_path)).result()
        worker.submit(asyncio.run, _bulk(sqlite_url, tmp_path, ids["hospital_b"])).result()
    # These boards never ping as a page does (they only read): on a loaded machine the 300 writes and 15,000 reads
    # outlast the default 15 s of silence after which the server closes a socket (4408), which is not what this
    # test is about.
    server = start_server(sqlite_url, tmp_path, BEDBOARD_SOCKET_SILENCE_SECONDS="300")
    ws_url = server.url.replace("http", "ws") + "/ws/beds"
    coordinator, operator = Browser(server.url), Browser(server.url)
    try:
        await coordinator.log_in("coord")
        await operator.log_in("op.a")
        stalled = await coordinator.open_board(ws_url)
        # Ask for many big snapshots and read none of them: the socket buffers fill and sends block.
        for _request in range(30):
            await subscribe(stalled)
        stalled.transport.pause_reading()
        boards = [await coordinator.open_board(ws_url) for _board in range(FAST_BOARDS)]
        for board in boards:
            await subscribe(board, {"hospitals": [ids["hospital_a"]]})
            assert (await next_message(board))["type"] == "snapshot"
        version = 1
        for number in range(CHANGES):
            response = await operator.set_free_beds(ids["surgery_a"], number % 20, version)
            version = response.json()["version"]
        for board in boards:
            last = [await next_message(board) for _change in range(CHANGES)][-1]
            assert last["type"] == "change"
            assert last["section"]["version"] == version
        stalled.transport.resume_reading()
        resynced = False
        while not resynced:
            message = json.loads(await asyncio.wait_for(stalled.recv(), 30))
            resynced = message["type"] == "snapshot" and message["resync"] is True
        current = (await operator.http.get(f"/api/v1/sections/{ids['surgery_a']}")).json()
        assert {s["id"]: s["version"] for s in message["sections"]}[ids["surgery_a"]] == current["version"]
        for board in [stalled, *boards]:
            await board.close()
    finally:
        await coordinator.close()
        await operator.close()
        server.stop()
