"""Benchmark 2, the audited write path: PUT .../free-beds by 1, 8 and 32 writers on their own sections,
against the bare UPDATE of the same rows (no audit, no hash chain, no HTTP), in the same run.

``python -m bench.write_path [--database sqlite|postgresql|both] [--runs N] [--seconds S] [--writers 1,8]``
runs this benchmark alone (the rest of ``make bench`` takes ten minutes) and prints its table: what a change
to the write path is measured with. Each bedboard window is followed by the bare one, so that both see the
same machine; the figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.common import median, percentiles_ms, raise_file_limit, tree_cpu_seconds
from bench.drivers import DRIVERS, Load, run_driver
from bench.profile import Profiler, profile_section
from bench.world import BENCH_TOKEN, seed, start_bedboard
from tests.postgres_cluster import start_cluster

WRITERS = (1, 8, 32)
AS_FAST_AS_POSSIBLE = 1_000_000.0


def _measure(target: str, arguments: tuple[Any, ...], writers: int, seconds: float,
             server_pid: int | None = None) -> dict[str, float | None]:
    cpu_before = tree_cpu_seconds(server_pid) if server_pid is not None else 0.0
    made = run_driver(target, *arguments, Load(AS_FAST_AS_POSSIBLE, seconds, writers))
    cpu = tree_cpu_seconds(server_pid) - cpu_before if server_pid is not None else None
    done = len(made["latencies"])
    latencies = percentiles_ms(made["latencies"])
    return {"per_s": done / made["elapsed"], "p50": latencies["p50"], "p99": latencies["p99"],
            "failures": float(made["failures"]),
            # The server's CPU (every worker) over the window, per write it answered.
            "cpu_ms": None if cpu is None or not done else 1000 * cpu / done}


def run(url: str, token: str, database_url: str, section_ids: list[int], *, runs: int,
        seconds: float, profiler: Profiler | None = None, profiled_writers: int = 8,
        server_pid: int | None = None, writers_measured: tuple[int, ...] = WRITERS) -> list[dict[str, Any]]:
    rows = []
    database = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
    for writers in writers_measured:
        mine = section_ids[:writers]
        api, bare = [], []
        for run in range(runs):  # interleaved, so that both see the same machine
            if profiler is not None and run == 0 and writers == profiled_writers:
                with profiler.window(f"audited writes: {database}, {writers} writers", seconds):
                    api.append(_measure("bedboard", (url, token, mine), writers, seconds, server_pid))
            else:
                api.append(_measure("bedboard", (url, token, mine), writers, seconds, server_pid))
            bare.append(_measure("bare", (database_url, mine), writers, seconds))
        api_rate, bare_rate = median([r["per_s"] for r in api]), median([r["per_s"] for r in bare])
        rows.append({
            "writers": writers, "runs": runs,
            "api_per_s": api_rate, "api_p50": median([r["p50"] for r in api]),
            "api_p99": median([r["p99"] for r in api]), "api_failures": sum(r["failures"] or 0 for r in api),
            "api_cpu_ms": median([r["cpu_ms"] for r in api]),
            "bare_per_s": bare_rate, "bare_p50": median([r["p50"] for r in bare]),
            "bare_p99": median([r["p99"] for r in bare]),
            "ratio": api_rate / bare_rate if api_rate and bare_rate else None,
            "ratios": [a["per_s"] / b["per_s"] if a["per_s"] and b["per_s"] else None
                       for a, b in zip(api, bare, strict=True)],
        })
    return rows


def _on(database_url: str, scratch: Path, arguments: argparse.Namespace, workers: int) -> list[dict[str, Any]]:
    seeded = seed(database_url, scratch, 40)
    server = start_bedboard(database_url, scratch, workers=workers)
    try:
        profiler = Profiler(server.process.pid, scratch, {}) if arguments.profile else None
        rows = run(server.url, BENCH_TOKEN, database_url, seeded.section_ids, runs=arguments.runs,
                   seconds=arguments.seconds, profiler=profiler, profiled_writers=arguments.writers[-1],
                   server_pid=server.process.pid, writers_measured=arguments.writers)
        if profiler is not None:
            sys.stdout.write(profile_section(profiler.into) + "\n")
        return rows
    finally:
        server.stop()


def _print(database: str, rows: list[dict[str, Any]]) -> None:
    def shown(value: float | None, digits: int = 0) -> str:
        return "–" if value is None else f"{value:,.{digits}f}"

    for row in rows:
        each = ", ".join(shown(ratio, 2) for ratio in row["ratios"])
        sys.stdout.write(
            f"{database:10} {row['writers']:>2} writers: {shown(row['api_per_s']):>6}/s "
            f"(p50 {shown(row['api_p50'], 1)} ms, CPU {shown(row['api_cpu_ms'], 2)} ms/write, "
            f"{shown(row['api_failures'])} refused) vs bare {shown(row['bare_per_s']):>6}/s: "
            f"ratio {shown(row['ratio'], 3)} (runs: {each})\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--writers", type=lambda text: tuple(int(part) for part in text.split(",")),
                        default=(1, 8))
    parser.add_argument("--profile", action="store_true", help="py-spy the last writers' first window")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers on PostgreSQL (make bench: 2)")
    arguments = parser.parse_args()
    raise_file_limit()
    scratch = Path("var/bench-write-path")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    sys.stdout.write(f"load average before: {os.getloadavg()}\n")
    try:
        if arguments.database in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{scratch / 'board.sqlite3'}"
            _print("SQLite", _on(url, scratch, arguments, workers=1))
        if arguments.database in ("postgresql", "both"):
            cluster = start_cluster(durable=True)
            if cluster is None:
                sys.stdout.write("PostgreSQL is not installed: skipped\n")
            else:
                try:
                    cluster.execute("CREATE DATABASE bench")
                    _print("PostgreSQL", _on(cluster.url("bench"), scratch, arguments, workers=arguments.workers))
                finally:
                    cluster.stop()
    finally:
        DRIVERS.close()
    sys.stdout.write(f"load average after: {os.getloadavg()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
