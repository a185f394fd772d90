"""Benchmark 2, the audited write path: PUT .../free-beds by 1, 8 and 32 writers on their own sections,
against the bare UPDATE of the same rows (no audit, no hash chain, no HTTP), in the same run."""

from __future__ import annotations

from typing import Any

from bench.common import median, percentiles_ms
from bench.drivers import Load, run_driver
from bench.profile import Profiler

WRITERS = (1, 8, 32)
AS_FAST_AS_POSSIBLE = 1_000_000.0


def _measure(target: str, arguments: tuple[Any, ...], writers: int, seconds: float) -> dict[str, float | None]:
    made = run_driver(target, *arguments, Load(AS_FAST_AS_POSSIBLE, seconds, writers))
    latencies = percentiles_ms(made["latencies"])
    return {"per_s": len(made["latencies"]) / made["elapsed"], "p50": latencies["p50"], "p99": latencies["p99"],
            "failures": float(made["failures"])}


def run(url: str, token: str, database_url: str, section_ids: list[int], *, runs: int,
        seconds: float, profiler: Profiler | None = None, profiled_writers: int = 8) -> list[dict[str, Any]]:
    rows = []
    for writers in WRITERS:
        mine = section_ids[:writers]
        api, bare = [], []
        for run in range(runs):  # interleaved, so that both see the same machine
            if profiler is not None and run == 0 and writers == profiled_writers:
                database = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
                with profiler.window(f"audited writes: {database}, {writers} writers", seconds):
                    api.append(_measure("bedboard", (url, token, mine), writers, seconds))
            else:
                api.append(_measure("bedboard", (url, token, mine), writers, seconds))
            bare.append(_measure("bare", (database_url, mine), writers, seconds))
        api_rate, bare_rate = median([r["per_s"] for r in api]), median([r["per_s"] for r in bare])
        rows.append({
            "writers": writers, "runs": runs,
            "api_per_s": api_rate, "api_p50": median([r["p50"] for r in api]),
            "api_p99": median([r["p99"] for r in api]), "api_failures": sum(r["failures"] or 0 for r in api),
            "bare_per_s": bare_rate, "bare_p50": median([r["p50"] for r in bare]),
            "bare_p99": median([r["p99"] for r in bare]),
            "ratio": api_rate / bare_rate if api_rate and bare_rate else None,
        })
    return rows
