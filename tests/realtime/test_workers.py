"""Several server processes on one PostgreSQL: a change made through one reaches sockets on the other."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from app.cli import main
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


async def test_a_lost_listener_connection_reconnects_and_resyncs_the_boards(postgres_url: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(postgres_url, tmp_path)).result()
    server = start_server(postgres_url, tmp_path)
    coordinator, operator = Browser(server.url), Browser(server.url)
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await coordinator.log_in("coord")
        await operator.log_in("op.a")
        async with await coordinator.open_board(server.url.replace("http", "ws") + "/ws/beds") as socket:
            await subscribe(socket)
            await next_message(socket)
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
            assert killed == 1
            resync = await next_message(socket, timeout=15)
            assert resync["type"] == "snapshot"
            assert resync["resync"] is True
            assert (await operator.set_free_beds(ids["icu_a"], 1, 1)).status_code == 200
            change = await next_message(socket)
            assert change["section"]["free_beds"] == 1  # the new listener delivers again
    finally:
        await admin.close()
        await coordinator.close()
        await operator.close()
        server.stop()


NOMENCLATURE = (
    "hospital_code,hospital_name,hospital_type,section_code,section_name,section_type,parent_section_code,total_beds\n"
    "H-A,Spitalul A,emergency,S1,Secţia Chirurgie,surgery,,25\n"
    "H-B,Spitalul B,clinical,S3,Chirurgie B,surgery,,30\n"
)


async def test_a_command_line_import_reaches_open_boards(postgres_url: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(postgres_url, tmp_path)).result()
    server = start_server(postgres_url, tmp_path)
    coordinator = Browser(server.url)
    nomenclature = tmp_path / "nomenclature.csv"
    nomenclature.write_text(NOMENCLATURE, encoding="utf-8")
    environ = {"BEDBOARD_DATABASE_URL": postgres_url, "BEDBOARD_VAR_DIR": str(tmp_path),
               "BEDBOARD_SECRET_KEY": "k" * 40, "BEDBOARD_PASSWORD_PROFILE": "fast-insecure-for-tests"}
    try:
        await coordinator.log_in("coord")
        async with await coordinator.open_board(server.url.replace("http", "ws") + "/ws/beds") as socket:
            await subscribe(socket)
            await next_message(socket)
            with ThreadPoolExecutor(max_workers=1) as worker:
                imported = worker.submit(main, ["import", "nomenclature", str(nomenclature), "--yes"], environ)
                assert imported.result() == 0
            messages = [await next_message(socket) for _ in range(2)]
            by_type = {message["type"]: message for message in messages}
            assert by_type["leave"]["section_id"] == ids["icu_a"]  # retired: gone from the board
            assert by_type["change"]["section"]["total_beds"] == 25
    finally:
        await coordinator.close()
        server.stop()
