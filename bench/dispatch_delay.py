"""How long an announcement takes to reach the hospital's screen (issue 22): a coordinator's ``POST
/api/v1/announcements`` to the ``announcement`` frame on the operator's ``/ws/dispatch`` socket, on a real uvicorn.

Run from the project root: ``.venv/bin/python -m bench.dispatch_delay [count] [sqlite|postgres URL]`` (50
announcements on a fresh SQLite file by default). The announcements go one at a time, 100 ms apart (a dispatch
desk's pace, not a load test), without holding a bed. For each it records, on the same clock as the socket's reader:
from sending the POST to the frame (what the hospital waits for), from sending it to the 201 (the coordinator's
wait), and from the 201 to the frame (negative when the screen was told before the coordinator's page got its answer:
the unit of work publishes right after the commit, before the response is written).

Measured on the shared 2-core machine while other test runs used it (load average 5-7), SQLite, 50 announcements, two
runs: POST to frame median 22.3 / 19.6 ms, p95 134.0 / 108.3 ms, max 202 / 171 ms; the frame leaves with the commit,
0.1-0.2 ms before the 201 (median), so the hospital waits what the coordinator's request takes, far under the issue's
second.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from accounts.service import AccountsContext
from app.beds.models import SectionType
from app.kit.settings import Settings
from app.main import create_app
from bench.common import percentiles_ms
from bench.markdown import number, table
from bench.world import CSRF, SECRET, log_in, seed, start_bedboard
from tests.factories import make_user

COUNT = 50
PACE = 0.1  # seconds between two announcements
OPERATOR = "op.bench"


async def _add_operator(database_url: str, var_dir: Path) -> int:
    """The benchmark hospital's operator; answers the ICU type's id."""
    app = create_app(Settings(database_url=database_url, secret_key=SECRET, var_dir=var_dir))
    services = app.state.services
    try:
        await make_user(services, OPERATOR, role="operator", organisation="H-BENCH")
        async with services.session_factory() as session:
            icu = await session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
        return int(icu or 0)
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


async def _screen(url: str, client: httpx.AsyncClient) -> ClientConnection:
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    socket = await connect(url.replace("http://", "ws://") + "/ws/dispatch", origin=url,  # type: ignore[arg-type]
                           additional_headers={"Cookie": cookie}, compression=None)
    await socket.send(json.dumps({"type": "subscribe", "filters": {}, "since": None, "epoch": None}))
    while json.loads(await socket.recv())["type"] != "snapshot":
        pass
    return socket


async def _read(socket: ClientConnection, arrived: dict[int, float]) -> None:
    async for raw in socket:
        message = json.loads(raw)
        if message["type"] == "announcement" and message["announcement"]["state"] == "announced":
            arrived.setdefault(int(message["announcement"]["id"]), time.perf_counter())


async def measure(url: str, hospital_id: int, icu: int, count: int) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as operator, \
            httpx.AsyncClient(base_url=url, timeout=30) as coordinator:
        await log_in(operator, OPERATOR)
        await log_in(coordinator, "coord0")
        found = CSRF.search((await coordinator.get("/board")).text)
        assert found is not None
        headers = {"X-CSRF-Token": found.group(1)}
        socket = await _screen(url, operator)
        arrived: dict[int, float] = {}
        reader = asyncio.create_task(_read(socket, arrived))
        sent: dict[int, tuple[float, float]] = {}
        for _ in range(count):
            started = time.perf_counter()
            made = await coordinator.post("/api/v1/announcements", headers=headers, json={
                "hospital_id": hospital_id, "section_type_id": icu, "category": "trauma", "urgency": "urgent",
                "age_band": "18-64", "eta_minutes": 30})
            answered = time.perf_counter()
            if made.status_code != 201:
                raise RuntimeError(f"announcement refused: {made.status_code} {made.text}")
            sent[int(made.json()["id"])] = (started, answered)
            await asyncio.sleep(PACE)
        deadline = time.perf_counter() + 10
        while len(arrived) < len(sent) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        reader.cancel()
        await socket.close()
    missing = sorted(set(sent) - set(arrived))
    if missing:
        raise RuntimeError(f"{len(missing)} announcement(s) never reached the screen: {missing[:5]}")
    return {"post to frame": [arrived[id_] - started for id_, (started, _answered) in sent.items()],
            "post to 201": [answered - started for started, answered in sent.values()],
            "201 to frame": [arrived[id_] - answered for id_, (_started, answered) in sent.items()]}


def report(delays: dict[str, list[float]], database: str) -> str:
    rows = [[what, number(percentiles_ms(values)["p50"], 1), number(percentiles_ms(values)["p95"], 1),
             number(percentiles_ms(values)["max"], 1)] for what, values in delays.items()]
    return (f"{len(delays['post to frame'])} announcements on {database}, one every {PACE * 1000:.0f} ms\n\n"
            + table(["delay", "median ms", "p95 ms", "max ms"], rows))


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else COUNT
    with tempfile.TemporaryDirectory(prefix="bedboard-dispatch-bench-") as directory:
        var_dir = Path(directory)
        database_url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite+aiosqlite:///{var_dir / 'bench.sqlite3'}"
        seeded = seed(database_url, var_dir, sections=20)
        icu = asyncio.run(_add_operator(database_url, var_dir))
        server = start_bedboard(database_url, var_dir)
        try:
            delays = asyncio.run(measure(server.url, seeded.hospital_id, icu, count))
        finally:
            server.stop()
    sys.stdout.write(report(delays, database_url.split(":", 1)[0].split("+", 1)[0]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
