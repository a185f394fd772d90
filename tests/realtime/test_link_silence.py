"""Both ends of the board socket notice a dead link: the server closes a socket it no longer hears from, keeps
one that pings, and tells a resuming client when its backfill is complete."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.live_server import start_server
from tests.realtime.conftest import BoardWorld, Browser, next_message, subscribe

SILENCE_SECONDS = 3.0  # the shortest the settings allow at this heartbeat: three of the page's 1 s pings


async def heard_until_closed(socket: ClientConnection, *, ping_every: float | None, within: float) -> tuple[
        int | None, list[str], float]:
    """Reads the socket for ``within`` seconds (pinging every ``ping_every`` if given): the close code if the
    server closed it, the types of the frames that came, and how long it stayed open."""
    kinds: list[str] = []
    started = time.monotonic()
    next_ping = started
    while (elapsed := time.monotonic() - started) < within:
        if ping_every is not None and time.monotonic() >= next_ping:
            await socket.send(json.dumps({"type": "ping"}))
            next_ping += ping_every
        try:
            kinds.append(json.loads(await asyncio.wait_for(socket.recv(), 0.2))["type"])
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            return (closed.rcvd.code if closed.rcvd is not None else None), kinds, elapsed
    return None, kinds, time.monotonic() - started


async def test_a_silent_socket_is_closed_and_a_pinging_one_stays_open(
    board_world: BoardWorld, database_url: str, tmp_path: Path
) -> None:
    server = start_server(database_url, tmp_path, BEDBOARD_HEARTBEAT_SECONDS="0.3",
                          BEDBOARD_SOCKET_SILENCE_SECONDS=str(SILENCE_SECONDS))
    board_world.servers.append(server)
    coordinator = Browser(server.url)
    await coordinator.log_in("coord")
    ws_url = server.url.replace("http://", "ws://") + "/ws/beds"
    async with await coordinator.open_board(ws_url) as silent, await coordinator.open_board(ws_url) as pinging:
        for socket in (silent, pinging):
            await subscribe(socket)
            assert (await next_message(socket))["type"] == "snapshot"
        (silent_code, silent_kinds, silent_open), (pinging_code, pinging_kinds, _) = await asyncio.gather(
            heard_until_closed(silent, ping_every=None, within=4 * SILENCE_SECONDS),
            heard_until_closed(pinging, ping_every=1.0, within=4 * SILENCE_SECONDS))
    await coordinator.close()
    print(f"silent socket closed by the server after {silent_open:.1f} s")  # noqa: T201 (a measured figure)
    assert silent_code == 4408  # heartbeats kept coming, but nothing came from it: the server hung up
    assert "heartbeat" in silent_kinds
    assert pinging_code is None  # pinged every second: open throughout, with heartbeats and nothing else
    assert set(pinging_kinds) == {"heartbeat"}


async def test_a_resume_ends_with_resumed_even_when_nothing_was_missed(board_world: BoardWorld) -> None:
    coordinator = Browser(board_world.url)
    await coordinator.log_in("coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        snapshot = await next_message(socket)
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket, since=snapshot["seq"], epoch=snapshot["epoch"])
        resumed = await next_message(socket, skip=("heartbeat",))
    await coordinator.close()
    assert resumed["type"] == "resumed"
    assert resumed["seq"] == snapshot["seq"]
    assert resumed["epoch"] == snapshot["epoch"]


@pytest.mark.parametrize("frame", ['{"type":"ping"}', '{ "type": "ping" }'])
async def test_pings_get_no_answer_and_do_not_count_against_the_message_limit(
    board_world: BoardWorld, frame: str
) -> None:
    coordinator = Browser(board_world.url)
    await coordinator.log_in("coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        for _ping in range(110):  # more than the 100 messages a minute, fewer than the 120 pings
            await socket.send(frame)
        await subscribe(socket)
        assert (await next_message(socket, skip=("heartbeat",)))["type"] == "snapshot"  # no error, still open
    await coordinator.close()
