"""``make bench``: run every benchmark, each beside its reference, and write docs/benchmarks.md.

``python -m bench.run --quick`` runs the same steps with few sockets and short windows, to try the
machinery; its figures mean nothing and it writes var/bench/benchmarks-quick.md instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import alerts, api_bodies, fanout, history, logins, reconnect, snapshot, write_path
from bench.clients import ClientFleet
from bench.common import raise_file_limit
from bench.drivers import DRIVERS
from bench.environment import describe_machine
from bench.profile import Profiler
from bench.report import render
from bench.world import (
    BENCH_TOKEN,
    COORDINATORS,
    Seeded,
    Server,
    seed,
    session_cookie,
    start_bedboard,
)
from tests.postgres_cluster import start_cluster

SCRATCH = Path("var/bench")
OUTPUT = Path("docs/benchmarks.md")
FANOUT_SECTIONS = 40


def say(text: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {text}\n")


def bedboard_target(name: str, server: Server, seeded: Seeded) -> fanout.Target:
    return fanout.Target(name=name, ws_url=server.ws_url, origin=server.url, cookie=session_cookie(server.url),
                         pid=server.process.pid, driver="bedboard",
                         driver_arguments=(server.url, BENCH_TOKEN, seeded.section_ids),
                         filtered_type=seeded.surgery_type, writers=8)


def sections_of(server: Server) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/api/v1/sections", headers={"Authorization": f"Bearer {BENCH_TOKEN}"})
    response.raise_for_status()
    sections: list[dict[str, Any]] = response.json()["sections"]
    # By id, as bedboard's writers take them: the types alternate, so half the changes pass the filter.
    return sorted(sections, key=lambda section: int(section["id"]))


class Bench:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.sizes = (20, 100) if quick else (100, 1_000, 5_000)
        self.results: dict[str, Any] = {"fanout": [], "ws_implementations": [], "write_path": {},
                                        "snapshot": [], "logins": None, "quick": quick, "profiles": {}}

    def plan(self, sockets: int) -> fanout.Plan:
        if self.quick:
            return fanout.Plan(sockets, steady_runs=1, saturation_runs=1, seconds=1.0)
        if sockets >= 5_000:  # connecting 5,000 sockets is the slow part; fewer repetitions there
            return fanout.Plan(sockets, steady_runs=2, saturation_runs=1, seconds=2.0)
        if sockets <= 100:  # no target at this size: it shows the fixed costs, one run is enough
            return fanout.Plan(sockets, steady_runs=1, saturation_runs=1, seconds=2.0)
        return fanout.Plan(sockets, steady_runs=3, saturation_runs=3, seconds=2.0)

    def second_plan(self, sockets: int) -> fanout.Plan:
        """PostgreSQL repeats the main plan's sizes, where no target is read: fewer runs, so that
        ``make bench`` stays under ten minutes on two cores."""
        if self.quick:
            return self.plan(sockets)
        if sockets >= 5_000:
            return fanout.Plan(sockets, steady_runs=1, saturation_runs=1, seconds=2.0)
        return fanout.Plan(sockets, steady_runs=2, saturation_runs=2, seconds=2.0)

    def step(self, name: str, action: Callable[[], None]) -> None:
        began = time.monotonic()
        say(f"{name} ...")
        action()
        say(f"{name} done in {time.monotonic() - began:.0f} s")
        # Kept after every step, so that a run stopped half-way still shows what it measured.
        (SCRATCH / "results.json").write_text(json.dumps(self.results, indent=2, default=str))

    def profiler(self, pid: int) -> Profiler:
        return Profiler(pid, SCRATCH, self.results["profiles"])

    def fanout_pair(self, bedboard: fanout.Target, reference: fanout.Target | None, sockets: int,
                    plan: fanout.Plan | None = None,
                    then: Callable[[ClientFleet, int], None] | None = None) -> None:
        plan = plan or self.plan(sockets)
        if reference is not None:
            self.results["fanout"].append({**fanout.run_case(reference, plan), "server": "reference"})
        # The largest size with several runs is profiled (its first saturation window): where a missed
        # target's time goes.
        profiler = self.profiler(bedboard.pid) if sockets == self.sizes[-2] else None
        self.results["fanout"].append({**fanout.run_case(bedboard, plan, profiler, then), "server": bedboard.name})

    def logins_on_connected(self, target: fanout.Target, url: str) -> Callable[[ClientFleet, int], None]:
        """Benchmark 5 on the fan-out's own connected sockets, at the middle size (1,000; 20 with --quick)."""
        users = [f"coord{n}" for n in range(COORDINATORS)]

        def measure(clients: ClientFleet, sockets: int) -> None:
            began = time.monotonic()
            self.results["logins"] = logins.measure(target, url, users, clients, sockets, runs=1)
            say(f"logins under load done in {time.monotonic() - began:.0f} s")

        return measure

    def sqlite(self) -> None:
        url = f"sqlite+aiosqlite:///{SCRATCH / 'board.sqlite3'}"
        seeded = seed(url, SCRATCH, FANOUT_SECTIONS)
        server = start_bedboard(url, SCRATCH)
        try:
            target = bedboard_target("bedboard, SQLite, 1 worker", server, seeded)
            sections = sections_of(server)
            reference_server = fanout.start_reference(sections, SCRATCH)
            try:
                reference = fanout.reference_target(reference_server, sections, seeded.surgery_type)
                for sockets in self.sizes:
                    # Logins under load run on the 1,000 sockets of the fan-out, before they close.
                    then = self.logins_on_connected(target, server.url) if sockets == self.sizes[-2] else None
                    self.step(f"fan-out {sockets} sockets, SQLite", lambda s=sockets, t=then: self.fanout_pair(  # type: ignore[misc]
                        target, reference, s, then=t))
            finally:
                reference_server.stop()
            self.step("write path, SQLite", lambda: self.results["write_path"].__setitem__("SQLite", write_path.run(
                server.url, BENCH_TOKEN, url, seeded.section_ids, runs=1 if self.quick else 2,
                seconds=0.5 if self.quick else 1.0, server_pid=server.process.pid)))
            # Last on this server: the rules it adds stay in its database.
            self.step("alerts: fan-out with 1,000 rules, SQLite", lambda: self.results.setdefault("alerts", {})
                      .__setitem__("fanout", alerts.compare_fanout(url, target, self.plan(self.sizes[-2]))))
        finally:
            server.stop()
        main_run = next(row for row in self.results["fanout"]
                        if row["server"] == target.name and row["sockets"] == self.sizes[-2])
        self.results["ws_implementations"].append({**main_run, "implementation": "websockets-sansio"})
        for implementation in ("websockets", "wsproto"):
            if importlib.util.find_spec(implementation) is None:  # wsproto is not one of bedboard's dependencies
                self.results["ws_implementations"].append({"implementation": implementation, "missing": True})
                continue
            self.step(f"uvicorn --ws {implementation}", lambda i=implementation: self.implementation(  # type: ignore[misc]
                url, seeded, i))

    def implementation(self, url: str, seeded: Seeded, implementation: str) -> None:
        server = start_bedboard(url, SCRATCH, ws=implementation)
        try:
            sockets = self.sizes[-2]
            # No target is read here either, and the comparison is made at one size: one run of each.
            plan = fanout.Plan(sockets, steady_runs=1, saturation_runs=1, seconds=2.0)
            case = fanout.run_case(bedboard_target(implementation, server, seeded), plan)
            self.results["ws_implementations"].append({**case, "implementation": implementation})
        finally:
            server.stop()

    def postgres(self) -> None:
        cluster = start_cluster(durable=True)
        if cluster is None:
            self.results["postgres"] = "PostgreSQL is not installed (apt-get install postgresql): skipped."
            return
        try:
            self.results["postgres"] = cluster.version()
            cluster.execute("CREATE DATABASE bench")
            url = cluster.url("bench")
            seeded = seed(url, SCRATCH, FANOUT_SECTIONS)
            server = start_bedboard(url, SCRATCH, workers=2)
            try:
                target = bedboard_target("bedboard, PostgreSQL, 2 workers", server, seeded)
                for sockets in self.sizes[1:]:
                    self.step(f"fan-out {sockets} sockets, PostgreSQL", lambda s=sockets: self.fanout_pair(  # type: ignore[misc]
                        target, None, s, self.second_plan(s)))
                self.step("write path, PostgreSQL", lambda: self.results["write_path"].__setitem__(
                    "PostgreSQL", write_path.run(server.url, BENCH_TOKEN, url, seeded.section_ids,
                                                 runs=1 if self.quick else 2, seconds=0.5 if self.quick else 1.0,
                                                 profiler=self.profiler(server.process.pid),
                                                 server_pid=server.process.pid)))
            finally:
                server.stop()
            self.step("history over generated audit events, PostgreSQL", lambda: self.results.__setitem__(
                "history", history.run(cluster, self.quick)))
        finally:
            cluster.stop()

    def snapshots(self) -> None:
        url = f"sqlite+aiosqlite:///{SCRATCH / 'snapshot.sqlite3'}"
        seed(url, SCRATCH, 0)
        server = start_bedboard(url, SCRATCH)
        try:
            cookie = session_cookie(server.url)
            for sections in (snapshot.SIZES[:2] if self.quick else snapshot.SIZES):
                asyncio.run(snapshot.grow_to(url, sections))
                row = asyncio.run(snapshot.server_time(url, runs=3))
                row["client_ms"] = asyncio.run(snapshot.client_time(server.ws_url, server.url, cookie, runs=3))
                self.results["snapshot"].append(row)
        finally:
            server.stop()

    def run(self) -> None:
        began = time.monotonic()
        self.results["machine"] = describe_machine()
        self.step("SQLite: fan-out, logins, write path, websocket implementations", self.sqlite)
        self.step("PostgreSQL: fan-out, write path and history", self.postgres)
        self.step("snapshot", self.snapshots)
        self.step("reconnect storm (issue 24)", lambda: self.results.__setitem__("reconnect", reconnect.run(
            500 if self.quick else 5_000, 1_500, SCRATCH / "reconnect")))
        self.step("alerts: evaluation cost", lambda: self.results.setdefault("alerts", {}).__setitem__(
            "evaluation", alerts.evaluation(SCRATCH)))
        self.step("API bodies", lambda: self.results.__setitem__("api_bodies", api_bodies.section(self.quick)))
        self.results["duration_s"] = time.monotonic() - began


def main() -> int:
    quick = "--quick" in sys.argv
    raise_file_limit()
    shutil.rmtree(SCRATCH, ignore_errors=True)
    SCRATCH.mkdir(parents=True)
    bench = Bench(quick)
    try:
        bench.run()
    finally:
        DRIVERS.close()
    (SCRATCH / "results.json").write_text(json.dumps(bench.results, indent=2, default=str))
    output = SCRATCH / "benchmarks-quick.md" if quick else OUTPUT
    output.write_text(render(bench.results))
    say(f"wrote {output} in {bench.results['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
