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


def _write_row(results: dict[str, Any], database: str, writers: int) -> dict[str, Any] | None:
    rows = results["write_path"].get(database) or []
    return next((row for row in rows if row["writers"] == writers), None)


def _write_ratio(database: str, writers: int) -> Callable[[dict[str, Any]], float | None]:
    """Audited PUTs/s over the bare UPDATE's in the same run (the runs interleaved: both see the same machine)."""
    def measure(results: dict[str, Any]) -> float | None:
        row = _write_row(results, database, writers)
        return None if row is None else row["ratio"]
    return measure


def _write_cpu(database: str, writers: int) -> Callable[[dict[str, Any]], float | None]:
    def measure(results: dict[str, Any]) -> float | None:
        row = _write_row(results, database, writers)
        return None if row is None else row.get("api_cpu_ms")
    return measure


def _snapshot_10k(kind: str) -> Callable[[dict[str, Any]], float | None]:
    """``cold_ms``: a server's first snapshot, every section loaded and serialised (the worst case);
    ``changed_ms``: what a coordinator connecting to a running server waits for, after a bed change."""
    def measure(results: dict[str, Any]) -> float | None:
        return next((row[kind] for row in results["snapshot"] if row["sections"] == 10_000), None)
    return measure


def _cold_over_warm(results: dict[str, Any]) -> float | None:
    """Issue 24: the cold snapshot of 10,000 sections over the one after a bed change, in the same run."""
    row = next((row for row in results["snapshot"] if row["sections"] == 10_000), None)
    return None if not row or not row["changed_ms"] else float(row["cold_ms"] / row["changed_ms"])


def _reconnect_seconds(results: dict[str, Any]) -> float | None:
    """Issue 24: from the restarted server's first health answer to the last of 5,000 boards holding its
    snapshot again (bench/reconnect.py); a board that never got one counts as never."""
    storm = results.get("reconnect")
    if not storm:
        return None
    return float(storm["live_again_s"]) if storm["live_again"] == storm["sockets"] else float("inf")


def _history_page_p95(results: dict[str, Any]) -> float | None:
    history = results.get("history")
    return None if not history else history["filtered_page"]["bedboard"]["p95"]


def _history_ratio(measure: str) -> Callable[[dict[str, Any]], float | None]:
    """Issue 24: bedboard's figure ÷ its bare reference's in the same run (rows/s, ms or events/s as measured)."""
    def ratio(results: dict[str, Any]) -> float | None:
        history = results.get("history")
        if not history or not history[measure]["reference"]:
            return None
        return float(history[measure]["bedboard"] / history[measure]["reference"])
    return ratio


def _sqlite_export_rows_per_s(results: dict[str, Any]) -> float | None:
    """The history bench runs on PostgreSQL only: no SQLite export figure yet (reported as not measured)."""
    history = results.get("history")
    return None if not history else history.get("sqlite_export_rows_per_s")


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
    # Issue 24: the audited write against the bare UPDATE of the same rows, in the same run.
    Target("audited PUT free-beds, PostgreSQL, 8 writers, 2 workers, ≥ 0.5× the bare UPDATE",
           _write_ratio("PostgreSQL", 8), lambda value: value >= 0.5, "×"),
    Target("the same, PostgreSQL, 1 writer, ≥ 0.4× the bare UPDATE", _write_ratio("PostgreSQL", 1),
           lambda value: value >= 0.4, "×"),
    Target("the same, SQLite, 1 writer, ≥ 0.4× the bare UPDATE", _write_ratio("SQLite", 1),
           lambda value: value >= 0.4, "×"),
    Target("snapshot of 10,000 sections < 100 ms of server time, a running server after a bed change",
           _snapshot_10k("changed_ms"), lambda value: value < 100, "ms"),
    Target("the same, cold: a server's first snapshot (every section loaded and serialised)",
           _snapshot_10k("cold_ms"), lambda value: value < 100, "ms"),
    Target("cold snapshot of 10,000 sections ≤ 5× the one after a bed change (issue 24)", _cold_over_warm,
           lambda value: value <= 5, "×"),
    Target("cold snapshot of 50,000 sections < 1 s (issue 24)", lambda results: next(
        (row["cold_ms"] for row in results["snapshot"] if row["sections"] == 50_000), None),
           lambda value: value < 1_000, "ms"),
    Target("5,000 boards reconnecting at once after a restart all live again within 10 s (issue 24)",
           _reconnect_seconds, lambda value: value <= 10, "s"),
    Target("history page p95 < 100 ms (hospital + section + range, 1,000,000 events)",
           _history_page_p95, lambda value: value < 100, "ms"),
    Target("CSV export on PostgreSQL ≥ 0.5× COPY's rows/s (issue 24)", _history_ratio("export"),
           lambda value: value >= 0.5, "×"),
    Target("CSV export on SQLite ≥ 100,000 rows/s (issue 24)", _sqlite_export_rows_per_s,
           lambda value: value >= 100_000, "rows/s"),
    Target("chart data, a year of one hospital, ≤ 2× the bare SELECT's time (issue 24)", _history_ratio("chart"),
           lambda value: value <= 2, "×"),
    Target("`audit verify` ≥ 1× the bare reference's events/s (issue 24)", _history_ratio("verify"),
           lambda value: value >= 1, "×"),
)


# Printed beside the targets, with no target of their own: what an audited write costs the server.
FIGURES = (
    ("server CPU per audited write, PostgreSQL, 8 writers (all workers' CPU time ÷ writes)",
     _write_cpu("PostgreSQL", 8), "ms"),
    ("server CPU per audited write, PostgreSQL, 1 writer", _write_cpu("PostgreSQL", 1), "ms"),
    ("server CPU per audited write, SQLite, 1 writer", _write_cpu("SQLite", 1), "ms"),
)


def targets_section(results: dict[str, Any]) -> str:
    rows = []
    for target in TARGETS:
        value = target.measure(results)
        verdict = "not measured" if value is None else "met" if target.met(value) else "**missed**"
        rows.append([target.goal, f"{number(value, 2)} {target.unit}" if value is not None else "–", verdict])
    for goal, measure, unit in FIGURES:
        value = measure(results)
        rows.append([goal, f"{number(value, 2)} {unit}" if value is not None else "–", "(figure)"])
    return ("## Targets\n\nThe issue's targets, for bedboard as `bedboard serve` runs it (SQLite, one worker, "
            "`websockets-sansio`) unless the line says otherwise.\n\n" + table(["target", "this run", "verdict"], rows))
