"""Alerts on real boards (a real uvicorn, real websockets, both databases): an authority's rule reaches the two
coordinators' open boards at once, one acknowledgement clears it on both, a board that reconnects with ``since``
gets the alert it missed, and another authority's coordinator gets none of it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

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
        await make_organisation(services, "OTHER")
        hospital = await make_hospital(services, "H-A", "Spitalul A")
        icu = await make_section(services, hospital, "ATI", section_type="icu", total_beds=10, free_beds=2, code="S2")
        for username, role, organisation in (("coord", "coordinator", "SAMB"), ("coord2", "coordinator", "SAMB"),
                                             ("admin", "admin", "SAMB"), ("outsider", "coordinator", "OTHER"),
                                             ("op.a", "operator", "H-A")):
            await make_user(services, username, role=role, organisation=organisation)
        return {"icu": icu}
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


@pytest.fixture
def alert_server(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, int]]]:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(database_url, tmp_path)).result()
    server = start_server(database_url, tmp_path, BEDBOARD_HEARTBEAT_SECONDS="0.3")
    yield server, ids
    server.stop()


async def _set_icu(operator: Browser, section_id: int, free_beds: int) -> int:
    current = (await operator.http.get(f"/api/v1/sections/{section_id}")).json()
    response = await operator.set_free_beds(section_id, free_beds, current["version"])
    assert response.status_code == 200, response.text
    return int(current["version"])


async def _next_of(socket: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = await next_message(socket)
        if message["type"] == kind:
            return message


async def test_an_authority_alert_reaches_both_boards_and_one_acknowledgement_clears_both(
        alert_server: tuple[LiveServer, dict[str, int]]) -> None:
    server, ids = alert_server
    ws_url = server.url.replace("http://", "ws://") + "/ws/beds"
    people = {name: Browser(server.url) for name in ("coord", "coord2", "admin", "outsider", "op.a")}
    for name, browser in people.items():
        await browser.log_in(name)
    await _set_icu(people["op.a"], ids["icu"], 2)  # reported now: its beds count
    rule = await people["admin"].http.post("/api/v1/alerts/rules", headers={"X-CSRF-Token": people["admin"].csrf},
                                           json={"kind": "below", "section_type_id": await _icu_type(people),
                                                 "threshold": 2})
    assert rule.status_code == 201, rule.text

    board = await people["coord"].open_board(ws_url)
    board2 = await people["coord2"].open_board(ws_url)
    outsider = await people["outsider"].open_board(ws_url)
    snapshots = []
    for socket in (board, board2, outsider):
        await subscribe(socket)
        snapshots.append(await _next_of(socket, "snapshot"))
    assert [snapshot["alerts"] for snapshot in snapshots] == [[], [], []]

    await _set_icu(people["op.a"], ids["icu"], 1)  # the last-but-one ICU bed goes
    alert = await _next_of(board, "alert")
    assert await _next_of(board2, "alert") == alert
    assert alert["alert"]["details"]["free_beds"] == 1
    # The outsider's board gets the change (every coordinator sees the board) but not this authority's alert.
    seen = [await next_message(outsider, timeout=5)]
    await _set_icu(people["op.a"], ids["icu"], 0)
    seen += [await next_message(outsider, timeout=5)]
    assert [message["type"] for message in seen] == ["change", "change"]

    acknowledged = await people["coord"].http.post(f"/api/v1/alerts/{alert['alert']['id']}/acknowledge",
                                                  headers={"X-CSRF-Token": people["coord"].csrf})
    assert acknowledged.status_code == 200, acknowledged.text
    for socket in (board, board2):
        cleared = await _next_of(socket, "alert_acknowledged")
        assert cleared["alert_id"] == alert["alert"]["id"]
        assert cleared["acknowledged_by"] == acknowledged.json()["acknowledged_by"]

    # coord2 leaves; the count recovers and drops again while it is away; its board comes back with since.
    last_seq = max(alert["seq"], snapshots[1]["seq"])
    await board2.close()
    await _set_icu(people["op.a"], ids["icu"], 3)
    await _set_icu(people["op.a"], ids["icu"], 1)
    missed = await _next_of(board, "alert")
    resumed = await people["coord2"].open_board(ws_url)
    await subscribe(resumed, since=last_seq, epoch=snapshots[1]["epoch"])
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["type"] != "resumed":
        frames.append(json.loads(await asyncio.wait_for(resumed.recv(), 10)))
    assert [frame["alert"]["id"] for frame in frames if frame["type"] == "alert"] == [missed["alert"]["id"]]
    for socket in (board, resumed, outsider):
        await socket.close()
    for browser in people.values():
        await browser.close()


async def _icu_type(people: dict[str, Browser]) -> int:
    types = (await people["admin"].http.get("/api/v1/section-types")).json()["section_types"]
    return next(int(row["id"]) for row in types if row["code"] == "icu")
