"""The board socket's protocol over real websockets against a running uvicorn, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.realtime.conftest import BoardWorld, Browser, next_message, subscribe


async def logged_in(world: BoardWorld, username: str) -> Browser:
    browser = Browser(world.url)
    await browser.log_in(username)
    return browser


async def test_a_coordinator_gets_a_snapshot_then_live_changes(board_world: BoardWorld) -> None:
    coordinator, operator = await logged_in(board_world, "coord"), await logged_in(board_world, "op.a")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        snapshot = await next_message(socket)
        assert snapshot["type"] == "snapshot"
        assert snapshot["epoch"]
        assert snapshot["server_time"]
        by_name = {section["name"]: section for section in snapshot["sections"]}
        assert set(by_name) == {"Secţia Chirurgie", "ATI", "Chirurgie B"}
        surgery = by_name["Secţia Chirurgie"]
        assert surgery["free_beds"] == 10
        assert surgery["occupancy_pct"] == 50.0
        assert surgery["hospital_name"] == "Spitalul A"
        assert (await operator.set_free_beds(board_world.surgery_a, -1, 1)).status_code == 200
        change = await next_message(socket)
        assert change["type"] == "change"
        assert change["seq"] > snapshot["seq"]
        assert change["section"]["free_beds"] == -1
        assert change["section"]["updated_by"] == "op.a"
        assert change["committed_at"]
        metrics = (await coordinator.http.get("/metrics/live")).json()
        assert metrics["sockets"] == 1
        assert metrics["commit_to_socket"]["deliveries"] == 1
    await coordinator.close()
    await operator.close()


async def test_filters_apply_on_the_server_and_a_section_leaves_when_its_occupancy_does(
    board_world: BoardWorld,
) -> None:
    coordinator, operator = await logged_in(board_world, "coord"), await logged_in(board_world, "op.a")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket, {"section_types": [board_world.surgery_type], "occupancy": {"max": 80}})
        snapshot = await next_message(socket)
        assert {s["name"] for s in snapshot["sections"]} == {"Secţia Chirurgie"}  # B is 90% occupied
        await operator.set_free_beds(board_world.icu_a, 5, 1)  # not a surgery: nothing comes
        await operator.set_free_beds(board_world.surgery_a, 1, 1)  # 95% occupied: leaves the filter
        leave = await next_message(socket)
        assert leave == {"type": "leave", "seq": leave["seq"], "section_id": board_world.surgery_a}
        await subscribe(socket, {"q": "chirurgie"})  # new filters: a fresh snapshot, accents ignored
        again = await next_message(socket)
        assert again["type"] == "snapshot"
        assert {s["name"] for s in again["sections"]} == {"Secţia Chirurgie",
                                                                                          "Chirurgie B"}
    await coordinator.close()
    await operator.close()


async def test_heartbeats_keep_coming(board_world: BoardWorld) -> None:
    coordinator = await logged_in(board_world, "coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        await next_message(socket)
        beat = await next_message(socket, skip=())
        assert beat["type"] == "heartbeat"
        assert beat["server_time"]
    await coordinator.close()


@pytest.mark.parametrize("who", ["anonymous", "operator", "foreign origin"])
async def test_handshakes_are_refused_before_the_socket_opens(board_world: BoardWorld, who: str) -> None:
    browser = Browser(board_world.url)
    if who == "operator":
        await browser.log_in("op.a")
    if who == "foreign origin":
        await browser.log_in("coord")
    origin = "http://evil.example" if who == "foreign origin" else None
    with pytest.raises(InvalidStatus) as refused:
        await browser.open_board(board_world.ws_url, origin=origin)
    assert refused.value.response.status_code == 403
    await browser.close()


async def test_bad_messages_get_errors_and_oversize_frames_close_the_socket(board_world: BoardWorld) -> None:
    coordinator = await logged_in(board_world, "coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await socket.send("not json")
        assert (await next_message(socket))["code"] == "invalid_json"
        await socket.send(json.dumps({"type": "subscribe", "filters": {"colour": "red"}}))
        error = await next_message(socket)
        assert error["code"] == "invalid_filters"
        assert "colour" in error["message"]
        await socket.send(json.dumps({"type": "subscribe", "since": "yesterday"}))
        assert (await next_message(socket))["code"] == "invalid_since"
        await socket.send(json.dumps({"type": "dance"}))
        assert (await next_message(socket))["code"] == "unknown_message"
        await socket.send("x" * (64 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009
    await coordinator.close()


async def test_logging_out_closes_the_board_within_a_second(board_world: BoardWorld) -> None:
    coordinator = await logged_in(board_world, "coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        await next_message(socket)
        response = await coordinator.http.post("/logout", data={"csrf_token": coordinator.csrf})
        assert response.status_code == 303
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket, timeout=3)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4001
    await coordinator.close()


async def test_a_resuming_client_gets_every_missed_change_once_in_order(board_world: BoardWorld) -> None:
    coordinator, operator = await logged_in(board_world, "coord"), await logged_in(board_world, "op.a")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        snapshot = await next_message(socket)
    versions = {board_world.surgery_a: 1, board_world.icu_a: 1}
    for round_number in range(10):
        for section_id in versions:
            response = await operator.set_free_beds(section_id, round_number, versions[section_id])
            versions[section_id] = response.json()["version"]
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket, since=snapshot["seq"], epoch=snapshot["epoch"])
        changes = [await next_message(socket) for _ in range(20)]
        assert all(change["type"] == "change" for change in changes)
        seqs = [change["seq"] for change in changes]
        assert seqs == sorted(set(seqs))
        final = {change["section"]["id"]: change["section"] for change in changes}
        assert final[board_world.surgery_a]["free_beds"] == 9
        assert final[board_world.icu_a]["version"] == 11
        with pytest.raises(TimeoutError):
            await next_message(socket, timeout=1)
        await subscribe(socket, since=snapshot["seq"], epoch="another-database")
        resync = await next_message(socket)
        assert resync["type"] == "snapshot"
        assert resync["resync"] is True
    await coordinator.close()
    await operator.close()


async def test_too_many_messages_close_the_socket(board_world: BoardWorld) -> None:
    coordinator = await logged_in(board_world, "coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        for _message in range(101):
            await socket.send("{}")
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket, skip=("heartbeat", "error"))
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
    await coordinator.close()


async def test_concurrent_writers_then_resume_reconstructs_the_database(board_world: BoardWorld) -> None:
    """Ten writers make 200 changes while the client is away; on return its state equals the database."""
    coordinator = await logged_in(board_world, "coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        snapshot = await next_message(socket)
    state = {section["id"]: section for section in snapshot["sections"]}

    async def writer(number: int) -> None:
        """Twenty changes, each on the version it just read; a 409 means someone was faster: read again."""
        operator = await logged_in(board_world, "op.a")
        section_id = (board_world.surgery_a, board_world.icu_a)[number % 2]
        made = 0
        while made < 20:
            current = (await operator.http.get(f"/api/v1/sections/{section_id}")).json()
            response = await operator.set_free_beds(section_id, (number * 7 + made) % 10, current["version"])
            if response.status_code == 200:
                made += 1
            else:
                assert response.status_code == 409
        await operator.close()

    await asyncio.gather(*(writer(number) for number in range(10)))
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket, since=snapshot["seq"], epoch=snapshot["epoch"])
        seqs = []
        while True:
            try:
                message = await next_message(socket, timeout=1.5)
            except TimeoutError:
                break
            seqs.append(message["seq"])
            state[message["section"]["id"]] = message["section"]
    assert seqs == sorted(set(seqs))
    assert len(seqs) == 200
    truth = (await coordinator.http.get("/api/v1/sections")).json()["sections"]
    assert {s["id"]: (s["free_beds"], s["version"]) for s in truth} == {
        i: (s["free_beds"], s["version"]) for i, s in state.items()}
    await coordinator.close()
