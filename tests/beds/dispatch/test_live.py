"""Announcements on real sockets (a real uvicorn, real websockets, both databases): the hospital's operator screen
gets an announcement as it is made and the coordinator's board its acknowledgement; another hospital's operator gets
nothing of it; a coordinator cannot open a hospital's socket; a screen that reconnects finds the open ones in its
snapshot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.service import AccountsContext
from app.kit.settings import Settings
from app.main import create_app
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_organisation, make_user
from tests.live_server import TEST_SECRET, LiveServer, start_server
from tests.realtime.conftest import Browser, next_message, subscribe


async def _seed(database_url: str, var_dir: Path) -> dict[str, int]:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        await make_organisation(services, "SAMB")
        hospital_a = await make_hospital(services, "H-A", "Spitalul A")
        hospital_b = await make_hospital(services, "H-B", "Spitalul B")
        await make_section(services, hospital_a, "ATI A", section_type="icu", free_beds=2, total_beds=10)
        await make_section(services, hospital_b, "ATI B", section_type="icu", free_beds=2, total_beds=10)
        for username, role, organisation in (("coord", "coordinator", "SAMB"), ("op.a", "operator", "H-A"),
                                             ("op.b", "operator", "H-B")):
            await make_user(services, username, role=role, organisation=organisation)
        return {"a": hospital_a, "b": hospital_b}
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


@pytest.fixture
def dispatch_server(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, int]]]:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(database_url, tmp_path)).result()
    server = start_server(database_url, tmp_path, BEDBOARD_HEARTBEAT_SECONDS="0.3")
    yield server, ids
    server.stop()


async def _next_of(socket: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = await next_message(socket)
        if message["type"] == kind:
            return message


async def _announce(coord: Browser, hospital_id: int, icu: int) -> dict[str, Any]:
    made = await coord.http.post("/api/v1/announcements", headers={"X-CSRF-Token": coord.csrf},
                                 json={"hospital_id": hospital_id, "section_type_id": icu, "category": "stroke",
                                       "urgency": "immediate", "age_band": "65+", "eta_minutes": 8, "hold": True})
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def test_the_hospital_gets_its_announcement_live_and_the_coordinator_its_acknowledgement(
        dispatch_server: tuple[LiveServer, dict[str, int]]) -> None:
    server, ids = dispatch_server
    base = server.url.replace("http://", "ws://")
    people = {name: Browser(server.url) for name in ("coord", "op.a", "op.b")}
    for name, browser in people.items():
        await browser.log_in(name)
    types = (await people["coord"].http.get("/api/v1/section-types")).json()["section_types"]
    icu = next(int(row["id"]) for row in types if row["code"] == "icu")
    with pytest.raises(InvalidStatus):  # a coordinator has no hospital screen
        await people["coord"].open_board(base + "/ws/dispatch")
    with pytest.raises(InvalidStatus):  # the operator's own session, from another site's page
        await people["op.a"].open_board(base + "/ws/dispatch", origin="http://evil.example")

    screen_a = await people["op.a"].open_board(base + "/ws/dispatch")
    screen_b = await people["op.b"].open_board(base + "/ws/dispatch")
    board = await people["coord"].open_board(base + "/ws/beds")
    for socket in (screen_a, screen_b, board):
        await subscribe(socket)
    first_a = await _next_of(screen_a, "snapshot")
    assert (first_a["announcements"], first_a["sections"]) == ([], [])  # no bed of the board on this socket
    await _next_of(screen_b, "snapshot")
    await _next_of(board, "snapshot")

    made = await _announce(people["coord"], ids["a"], icu)
    frame = await _next_of(screen_a, "announcement")
    assert frame["announcement"]["id"] == made["id"]
    assert frame["announcement"]["category"] == "stroke"
    assert (await _next_of(board, "announcement"))["announcement"]["state"] == "announced"

    # H-B's screen: its first frame after the snapshot is its own hospital's announcement, not H-A's.
    other = await _announce(people["coord"], ids["b"], icu)
    assert (await _next_of(screen_b, "announcement"))["announcement"]["id"] == other["id"]

    acknowledged = await people["op.a"].http.post(f"/api/v1/announcements/{made['id']}/acknowledge",
                                                  headers={"X-CSRF-Token": people["op.a"].csrf})
    assert acknowledged.status_code == 200, acknowledged.text
    told = await _next_of(board, "announcement")
    while told["announcement"]["id"] != made["id"]:
        told = await _next_of(board, "announcement")
    assert (told["announcement"]["state"], told["announcement"]["acknowledged_by"]) == (
        "acknowledged", acknowledged.json()["acknowledged_by"])

    # The screen comes back: its snapshot holds H-A's open announcement, and not H-B's.
    await screen_a.close()
    again = await people["op.a"].open_board(base + "/ws/dispatch")
    await subscribe(again)
    snapshot = await _next_of(again, "snapshot")
    assert [(found["id"], found["state"]) for found in snapshot["announcements"]] == [(made["id"], "acknowledged")]
    for socket in (again, screen_b, board):
        await socket.close()
    for browser in people.values():
        await browser.close()


async def test_an_operators_screen_stays_open_and_closes_when_they_log_out(
        dispatch_server: tuple[LiveServer, dict[str, int]]) -> None:
    server, _ids = dispatch_server
    operator = Browser(server.url)
    await operator.log_in("op.a")
    async with await operator.open_board(server.url.replace("http://", "ws://") + "/ws/dispatch") as screen:
        await subscribe(screen)
        await _next_of(screen, "snapshot")
        # The session watch runs every second: an operator's screen (no board.view) outlives several rounds.
        await asyncio.sleep(2.5)
        await screen.send('{"type":"ping"}')
        response = await operator.http.post("/logout", data={"csrf_token": operator.csrf})
        assert response.status_code == 303
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(screen, timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4001
    await operator.close()
