"""Database faults on PostgreSQL: a crash and restart under 20 writers, and a database that is starting up.

Real uvicorn servers (two processes, as two workers would be) on a PostgreSQL cluster of this module's
own, with fsync on, which the test stops with ``pg_ctl stop -m immediate`` (a crash: nothing is flushed
on the way down) and starts again. What must hold: every write answered 200 is in the database and in
the audit chain, and the chain verifies; every refusal is a 503 with Retry-After (never a 500); /ready
says 503 and then 200 while /health stays 200; a websocket handshake is refused with a 503; and a board
left open on the other process gets a fresh snapshot and then every change, with no change missed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.service import AccountsContext
from app.beds.models import Section
from app.cli import main
from app.kit.audit import AuditEvent
from app.kit.db import make_engine, make_session_factory
from app.kit.settings import Settings
from app.main import create_app
from app.migrations import upgrade_to_head
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import bearer, free_beds_path, make_token
from tests.factories import make_organisation, make_user
from tests.live_server import TEST_SECRET, LiveServer, start_server
from tests.postgres_cluster import ENABLE_HINT, PostgresCluster, start_cluster
from tests.realtime.conftest import Browser, next_message, subscribe

pytestmark = pytest.mark.postgres
logger = logging.getLogger("bedboard.tests.faults")

WRITERS = 20
SECTION_BEDS = 100


@dataclass
class FaultWorld:
    cluster: PostgresCluster
    database_url: str
    var_dir: Path
    sections: list[int]
    tokens: list[str]
    servers: list[LiveServer] = field(default_factory=list)

    def environ(self) -> dict[str, str]:
        return {"BEDBOARD_DATABASE_URL": self.database_url, "BEDBOARD_VAR_DIR": str(self.var_dir),
                "BEDBOARD_SECRET_KEY": TEST_SECRET, "BEDBOARD_PASSWORD_PROFILE": "fast-insecure-for-tests"}


def _pg_ctl(cluster: PostgresCluster, *args: str) -> None:
    """As the cluster's owner, the way the cluster runs its own commands."""
    cluster._run(str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), *args)


def crash(cluster: PostgresCluster) -> None:
    """What a power cut does to the database: no checkpoint, no flush, every connection cut."""
    _pg_ctl(cluster, "-m", "immediate", "-w", "stop")


def start(cluster: PostgresCluster, *, starting_up: bool = False) -> None:
    """Start again (with crash recovery after ``crash``). ``starting_up``: as a standby that refuses every
    connection with 57P03 (asyncpg's CannotConnectNowError), the answer of a database still recovering,
    held for as long as the test needs it."""
    signal = cluster.data_dir / "standby.signal"
    if starting_up:
        cluster._run("touch", str(signal))
    else:
        signal.unlink(missing_ok=True)
    options = (f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 -c max_connections=300 "
               "-c fsync=on -c synchronous_commit=on -c full_page_writes=on")
    options += " -c hot_standby=off" if starting_up else ""
    _pg_ctl(cluster, "-o", options, "-l", str(cluster.root / "server.log"), "-w", "-t", "60", "start")


async def _seed(database_url: str, var_dir: Path) -> tuple[list[int], list[str]]:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        await make_organisation(services, "SAMB")
        hospital = await make_hospital(services, "H-A", "Spitalul A")
        sections = [await make_section(services, hospital, f"Secţia {number}", total_beds=SECTION_BEDS,
                                       free_beds=0, code=f"S{number}") for number in range(WRITERS)]
        await make_user(services, "admin", role="admin")
        await make_user(services, "coord", role="coordinator")
        tokens = [await make_token(services, hospital, f"HIS {number}") for number in range(WRITERS)]
        return sections, tokens
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


def is_running(cluster: PostgresCluster) -> bool:
    try:
        _pg_ctl(cluster, "status")
    except subprocess.CalledProcessError:
        return False
    return True


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultWorld]:
    cluster = start_cluster(durable=True)
    if cluster is None:
        if os.environ.get("BEDBOARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(ENABLE_HINT)
        pytest.skip(ENABLE_HINT)
    var_dir = tmp_path_factory.mktemp("faults")
    found: FaultWorld | None = None
    try:
        cluster.execute("CREATE DATABASE faults")
        database_url = cluster.url("faults")
        upgrade_to_head(database_url)
        with ThreadPoolExecutor(max_workers=1) as worker:
            sections, tokens = worker.submit(asyncio.run, _seed(database_url, var_dir)).result()
        found = FaultWorld(cluster, database_url, var_dir, sections, tokens)
        for _ in range(2):
            found.servers.append(start_server(database_url, var_dir, BEDBOARD_HEARTBEAT_SECONDS="1"))
        yield found
    finally:
        for server in found.servers if found else []:
            server.stop()
        if not is_running(cluster):
            start(cluster)  # its stop() expects a running cluster
        cluster.stop()


def ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://") + "/ws/beds"


async def wait_until_ready(http: httpx.AsyncClient, servers: list[LiveServer], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        statuses = [(await http.get(f"{server.url}/ready")).status_code for server in servers]
        if statuses == [200] * len(servers):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"/ready still answers {statuses}")
        await asyncio.sleep(0.05)


async def test_a_database_starting_up_answers_503_and_health_stays_up(world: FaultWorld) -> None:
    server = world.servers[0]
    coordinator = Browser(server.url)
    await coordinator.log_in("coord")
    open_board = await coordinator.open_board(ws_url(server))  # accepted while the database was up
    await asyncio.to_thread(crash, world.cluster)
    await asyncio.to_thread(start, world.cluster, starting_up=True)
    try:
        await subscribe(open_board)  # its snapshot cannot be read now
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(open_board)
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            page = await coordinator.http.get("/board")
            listing = await http.get("/api/v1/sections", headers=bearer(world.tokens[0]))
            write = await http.put(free_beds_path(world.sections[0]), json={"free_beds": 1, "expected_version": 1},
                                   headers=bearer(world.tokens[0]))
            ready, health = await http.get("/ready"), await http.get("/health")
        with pytest.raises(InvalidStatus) as refused:
            await coordinator.open_board(ws_url(server))
    finally:
        await open_board.close()
        await asyncio.to_thread(_pg_ctl, world.cluster, "-m", "fast", "-w", "stop")
        await asyncio.to_thread(start, world.cluster)
        await coordinator.close()
    assert page.status_code == 503
    assert "The service is temporarily unavailable" in page.text
    for answer in (listing, write):
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "unavailable"
    for answer in (page, listing, write, ready):
        assert answer.headers["retry-after"] == "5"
    assert ready.status_code == 503
    assert ready.json()["reasons"][0].startswith("database: unavailable")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert refused.value.response.status_code == 503
    assert refused.value.response.headers["retry-after"] == "5"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013  # "try again later", not 1011 "internal error"
    async with httpx.AsyncClient(timeout=20) as http:
        await wait_until_ready(http, world.servers)


@dataclass(frozen=True)
class Ack:
    section: int
    version: int
    free_beds: int
    at: float


@dataclass
class Tally:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    without_retry_after: int = 0
    replayed: int = 0
    transport_errors: list[str] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)

    def count(self, response: httpx.Response) -> None:
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code == 503 and response.headers.get("retry-after") != "5":
            self.without_retry_after += 1
        if response.headers.get("idempotency-replayed") == "true":
            self.replayed += 1


async def write_until(stop: asyncio.Event, http: httpx.AsyncClient, server: LiveServer, section: int,
                      token: str, version: int, tally: Tally) -> None:
    """One hospital system: writes, and after a 503 sends the same write again (same Idempotency-Key), so
    that a write committed just before its answer was lost is answered, not written twice."""
    number = 0
    while not stop.is_set():
        number += 1
        body = {"free_beds": number % SECTION_BEDS, "expected_version": version}
        headers = {**bearer(token), "Idempotency-Key": f"{section}-{number}"}
        while True:
            try:
                response = await http.put(f"{server.url}{free_beds_path(section)}", json=body, headers=headers)
            except httpx.TransportError as error:
                tally.transport_errors.append(repr(error))
                return
            tally.count(response)
            if response.status_code != 503:
                break
            await asyncio.sleep(0.1)
        if response.status_code != 200:
            return
        version = int(response.json()["version"])
        tally.acks.append(Ack(section, version, int(response.json()["free_beds"]), time.monotonic()))
        await asyncio.sleep(0.05)  # twenty writers at this pace: about 200 writes a second


@dataclass
class BoardRecord:
    """What an open board saw: its state (section -> version, free beds), the versions its change frames
    carried, and its snapshots (with when they came and whether they were resyncs)."""

    state: dict[int, tuple[int, int]] = field(default_factory=dict)
    changed: dict[int, set[int]] = field(default_factory=dict)
    changes_at: list[float] = field(default_factory=list)
    snapshots: list[tuple[float, bool, dict[int, int]]] = field(default_factory=list)


async def watch_board(socket: ClientConnection, record: BoardRecord) -> None:
    while True:
        message = await next_message(socket, timeout=60)
        if message["type"] == "snapshot":
            record.state = {s["id"]: (s["version"], s["free_beds"]) for s in message["sections"]}
            record.snapshots.append((time.monotonic(), bool(message["resync"]),
                                     {s["id"]: s["version"] for s in message["sections"]}))
        elif message["type"] == "change":
            section = message["section"]
            record.changed.setdefault(section["id"], set()).add(section["version"])
            record.changes_at.append(time.monotonic())
            if section["version"] > record.state.get(section["id"], (0, 0))[0]:
                record.state[section["id"]] = (section["version"], section["free_beds"])


async def database_rows(database_url: str) -> tuple[dict[int, tuple[int, int]], set[tuple[int, int, int]]]:
    """Every section's (version, free beds), and every free-bed write in the audit chain."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            rows = {row.id: (row.version, row.free_beds) for row in await session.scalars(select(Section))}
            events = await session.scalars(select(AuditEvent).where(AuditEvent.action == "beds.free_beds_set"))
            audited = {(int(event.object_id or 0), int((event.after or {})["version"]),
                        int((event.after or {})["free_beds"])) for event in events}
        return rows, audited
    finally:
        await engine.dispose()


async def while_down(http: httpx.AsyncClient, world: FaultWorld, coordinator: Browser) -> dict[str, Any]:
    """What the servers answer while the database is down: /ready, /health and a board handshake."""
    seen: dict[str, Any] = {"ready": [], "health": []}
    for server in world.servers:
        seen["ready"].append((await http.get(f"{server.url}/ready")).status_code)
        seen["health"].append((await http.get(f"{server.url}/health")).status_code)
    try:
        socket = await coordinator.open_board(ws_url(world.servers[1]))
    except InvalidStatus as refused:
        seen["handshake"] = refused.response.status_code
    else:
        await socket.close()
        seen["handshake"] = 101
    return seen


async def test_a_crash_under_twenty_writers_loses_no_acknowledged_write(world: FaultWorld) -> None:
    board_server = world.servers[1]
    coordinator = Browser(board_server.url)
    await coordinator.log_in("coord")
    versions = {section: version for section, (version, _beds) in (await database_rows(world.database_url))[0].items()}
    tally, record, stop = Tally(), BoardRecord(), asyncio.Event()
    limits = httpx.Limits(max_connections=2 * WRITERS)
    async with await coordinator.open_board(ws_url(board_server)) as socket, \
            httpx.AsyncClient(timeout=30, limits=limits) as http:
        await subscribe(socket)
        board = asyncio.create_task(watch_board(socket, record))
        writers = [asyncio.create_task(write_until(stop, http, world.servers[number % 2], section,
                                                   world.tokens[number], versions[section], tally))
                   for number, section in enumerate(world.sections)]
        await asyncio.sleep(1.5)
        await asyncio.to_thread(crash, world.cluster)
        down = await while_down(http, world, coordinator)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(start, world.cluster)
        restarted = time.monotonic()
        await wait_until_ready(http, world.servers)
        ready_after = time.monotonic() - restarted
        await asyncio.sleep(2.0)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*writers), 60)
        rows, audited = await database_rows(world.database_url)
        deadline = time.monotonic() + 10
        while any(record.state.get(section) != rows[section] for section in world.sections):
            assert not board.done(), f"the board socket ended: {board}"
            assert time.monotonic() < deadline, "the board did not catch up with the database"
            await asyncio.sleep(0.05)
        board.cancel()
    await coordinator.close()
    exit_code = await asyncio.to_thread(main, ["audit", "verify"], world.environ())

    after_restart = [ack for ack in tally.acks if ack.at > restarted]
    changes_after = sum(1 for at in record.changes_at if at > restarted)
    logger.warning("faults: %d writes sent, %d acknowledged (%d after the restart), statuses %s, %d replayed; "
                   "/ready 200 on both servers %.2f s after the restart; the board got %d changes after it",
                   tally.sent, len(tally.acks), len(after_restart), tally.statuses, tally.replayed, ready_after,
                   changes_after)
    assert tally.transport_errors == []  # uvicorn itself never failed
    assert set(tally.statuses) == {200, 503}  # the crash was felt, and only ever as a 503
    assert tally.without_retry_after == 0
    assert down == {"ready": [503, 503], "health": [200, 200], "handshake": 503}
    assert after_restart
    for ack in tally.acks:  # acknowledged means durable, and audited
        assert (ack.section, ack.version, ack.free_beds) in audited
    last = {ack.section: (ack.version, ack.free_beds) for ack in tally.acks}
    assert {section: rows[section] for section in world.sections} == last
    assert exit_code == 0
    # The board resynchronised after the restart and then missed nothing.
    assert any(resync and at > restarted for at, resync, _versions in record.snapshots)
    for ack in after_restart:
        assert ack.version in record.changed.get(ack.section, set()) or any(
            versions.get(ack.section, 0) >= ack.version for _at, _resync, versions in record.snapshots), ack
