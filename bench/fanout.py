"""Benchmark 1, fan-out: N board sockets, changes at a steady 10/s and past capacity, bedboard and the
bare ``websockets`` reference driven by the same client and fed the same sections."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.clients import ClientFleet, Window, fleet
from bench.common import median, percentiles_ms, tree_rss_bytes
from bench.drivers import Load, run_driver
from bench.profile import Profiler
from tests.live_server import stop_process
from tests.postgres_cluster import free_port

STEADY_RATE = 10.0
# Offered deliveries per second at saturation, well past what two cores can send; the change rate is
# this over the matching sockets (three quarters of them), capped so that few sockets stay meaningful.
OFFERED_DELIVERIES = 150_000
MAX_SATURATION_RATE = 1_000.0


@dataclass(frozen=True)
class Target:
    """Something serving board sockets, with the way to make one change on it."""

    name: str
    ws_url: str
    origin: str
    cookie: str
    pid: int
    driver: str  # "bedboard" or "reference"
    driver_arguments: tuple[Any, ...]
    filtered_type: int
    writers: int


@dataclass(frozen=True)
class Plan:
    sockets: int
    steady_runs: int = 3
    saturation_runs: int = 3
    seconds: float = 3.0


def client_processes(sockets: int) -> int:
    return 1 if sockets <= 100 else 2 if sockets <= 1000 else 4


def saturation_rate(sockets: int) -> float:
    return min(MAX_SATURATION_RATE, OFFERED_DELIVERIES / (0.75 * sockets))


def _window(target: Target, clients: Any, load: Load) -> tuple[Window, dict[str, Any]]:
    clients.start()
    made = run_driver(target.driver, *target.driver_arguments, load)
    time.sleep(0.5)  # the tail of the fan-out
    return clients.stop(), made


def run_case(target: Target, plan: Plan, profiler: Profiler | None = None,
             then: Callable[[ClientFleet, int], None] | None = None) -> dict[str, Any]:
    """Connect, steady windows, saturation windows; ``then`` gets the connected sockets before they close."""
    time.sleep(0.5)
    memory_before = tree_rss_bytes(target.pid)
    clients = fleet(target.ws_url, target.origin, target.cookie, plan.sockets, target.filtered_type,
                    client_processes(plan.sockets))
    try:
        began = time.monotonic()
        connected = clients.connect()
        connecting = time.monotonic() - began
        time.sleep(1.0)
        memory_after = tree_rss_bytes(target.pid)
        count = len(connected["connect_s"])
        steady = []
        for _ in range(plan.steady_runs):
            window, made = _window(target, clients, Load(STEADY_RATE, plan.seconds, 1))
            expected = len(made["latencies"]) * 0.75 * count
            steady.append({**percentiles_ms(window.delays),
                           "complete_pct": 100 * window.changes / expected if expected else None})
        saturated = []
        rate = saturation_rate(plan.sockets)
        for run in range(plan.saturation_runs):
            load = Load(rate, plan.seconds, target.writers)
            if profiler is not None and run == 0:
                with profiler.window(f"fan-out at saturation: {target.name}, {plan.sockets:,} sockets",
                                     plan.seconds):
                    window, made = _window(target, clients, load)
            else:
                window, made = _window(target, clients, load)
            saturated.append({"deliveries_per_s": window.per_second,
                              "changes_per_s": len(made["latencies"]) / made["elapsed"]})
        if then is not None:
            then(clients, count)
    finally:
        clients.close()
    return {
        "target": target.name, "sockets": plan.sockets, "connected": count, "failed": connected["failed"],
        "failures": connected["failures"], "connect_ms": percentiles_ms(connected["connect_s"]),
        "connect_all_s": connecting,
        "memory_per_socket_kib": (memory_after - memory_before) / max(1, count) / 1024,
        "steady": {key: median([run[key] for run in steady]) for key in steady[0]},
        "steady_runs": len(steady), "saturation_runs": len(saturated), "offered_rate": rate,
        "deliveries_per_s": median([run["deliveries_per_s"] for run in saturated]),
        "changes_per_s": median([run["changes_per_s"] for run in saturated]),
    }


@dataclass
class Reference:
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        stop_process(self.process)


def start_reference(sections: list[dict[str, Any]], scratch: Path) -> Reference:
    snapshot = scratch / "reference-snapshot.json"
    snapshot.write_text(json.dumps(sections))
    port = free_port()
    log = (scratch / "reference.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bench.reference", str(port), str(snapshot)],
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Reference(process, port)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the reference server did not start")


def reference_target(reference: Reference, sections: list[dict[str, Any]], filtered_type: int) -> Target:
    url = f"ws://127.0.0.1:{reference.port}"
    return Target(name="reference", ws_url=url + "/ws", origin="http://127.0.0.1", cookie="",
                  pid=reference.process.pid, driver="reference", driver_arguments=(url + "/feed", sections),
                  filtered_type=filtered_type, writers=1)
