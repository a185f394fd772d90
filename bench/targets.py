"""The issue's targets, each checked against this run's figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.markdown import number, table


@dataclass(frozen=True)
class Target:
    goal: str
    measure: Callable[[dict[str, Any]], float | None]
    met: Callable[[float], bool]
    unit: str


def _fanout(results: dict[str, Any], server: str, sockets: int) -> dict[str, Any] | None:
    return next((row for row in results["fanout"] if row["server"].startswith(server) and row["sockets"] == sockets),
                None)


def _delivery_ratio(sockets: int) -> Callable[[dict[str, Any]], float | None]:
    def measure(results: dict[str, Any]) -> float | None:
        mine, reference = _fanout(results, "bedboard, SQLite", sockets), _fanout(results, "reference", sockets)
        if not mine or not reference or not reference["deliveries_per_s"]:
            return None
        return float(mine["deliveries_per_s"] / reference["deliveries_per_s"])
    return measure


def _steady_p99(sockets: int) -> Callable[[dict[str, Any]], float | None]:
    def measure(results: dict[str, Any]) -> float | None:
        mine = _fanout(results, "bedboard, SQLite", sockets)
        return None if mine is None else mine["steady"]["p99"]
    return measure


def _idle_memory(results: dict[str, Any]) -> float | None:
    rows = [row["memory_per_socket_kib"] for row in results["fanout"]
            if row["server"].startswith("bedboard, SQLite") and row["sockets"] >= 1_000]
    return max(rows) if rows else None


def _postgres_writes(results: dict[str, Any]) -> float | None:
    rows = results["write_path"].get("PostgreSQL") or []
    return next((row["api_per_s"] for row in rows if row["writers"] == 8), None)


def _snapshot_10k(kind: str) -> Callable[[dict[str, Any]], float | None]:
    """``cold_ms``: a server's first snapshot, every section loaded and serialised (the worst case);
    ``changed_ms``: what a coordinator connecting to a running server waits for, after a bed change."""
    def measure(results: dict[str, Any]) -> float | None:
        return next((row[kind] for row in results["snapshot"] if row["sections"] == 10_000), None)
    return measure


def _history_page_p95(results: dict[str, Any]) -> float | None:
    history = results.get("history")
    return None if not history else history["filtered_page"]["bedboard"]["p95"]


def _export_rows_per_s(results: dict[str, Any]) -> float | None:
    history = results.get("history")
    return None if not history else history["export"]["bedboard"]


TARGETS = (
    Target("deliveries/s at saturation, 1,000 sockets, ≥ 0.6× the bare server", _delivery_ratio(1_000),
           lambda value: value >= 0.6, "×"),
    Target("deliveries/s at saturation, 5,000 sockets, ≥ 0.6× the bare server", _delivery_ratio(5_000),
           lambda value: value >= 0.6, "×"),
    Target("commit-to-client p99 at 10 changes/s, 1,000 sockets, < 30 ms", _steady_p99(1_000),
           lambda value: value < 30, "ms"),
    Target("commit-to-client p99 at 10 changes/s, 5,000 sockets, < 150 ms", _steady_p99(5_000),
           lambda value: value < 150, "ms"),
    Target("server memory per idle socket < 40 KiB (worst of 1,000 and 5,000)", _idle_memory,
           lambda value: value < 40, "KiB"),
    Target("audited updates/s on PostgreSQL with 8 writers ≥ 1,000", _postgres_writes,
           lambda value: value >= 1_000, "/s"),
    Target("snapshot of 10,000 sections < 100 ms of server time, a running server after a bed change",
           _snapshot_10k("changed_ms"), lambda value: value < 100, "ms"),
    Target("the same, cold: a server's first snapshot (every section loaded and serialised)",
           _snapshot_10k("cold_ms"), lambda value: value < 100, "ms"),
    Target("history page p95 < 100 ms (hospital + section + range, 1,000,000 events)",
           _history_page_p95, lambda value: value < 100, "ms"),
    Target("CSV export ≥ 100,000 rows/s", _export_rows_per_s, lambda value: value >= 100_000, "rows/s"),
)


def targets_section(results: dict[str, Any]) -> str:
    rows = []
    for target in TARGETS:
        value = target.measure(results)
        verdict = "not measured" if value is None else "met" if target.met(value) else "**missed**"
        rows.append([target.goal, f"{number(value, 2)} {target.unit}" if value is not None else "–", verdict])
    return ("## Targets\n\nThe issue's targets, for bedboard as `bedboard serve` runs it (SQLite, one worker, "
            "`websockets-sansio`) unless the line says otherwise.\n\n" + table(["target", "this run", "verdict"], rows))
