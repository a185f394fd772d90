"""Small shared pieces of the benchmarks: percentiles, medians, file limits and server memory."""

from __future__ import annotations

import os
import resource
import statistics
from collections.abc import Sequence
from pathlib import Path


def raise_file_limit() -> int:
    """5,000 sockets need more descriptors than a default soft limit; raise it to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65_536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds (nearest rank), or None for an empty sample."""
    if not seconds:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(seconds)

    def rank(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] * 1000

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1] * 1000}


def median(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def median_of(runs: Sequence[dict[str, float | None]]) -> dict[str, float | None]:
    """Key by key, the median over several runs."""
    keys = runs[0].keys() if runs else []
    return {key: median([run[key] for run in runs]) for key in keys}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_rss_bytes(pid: int) -> int:
    """The server's resident memory: the process and, for uvicorn --workers, its worker processes."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += rss_bytes(current)
        except OSError:
            continue
        pending.extend(_children(current))
    return total


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server has used so far: the process and, for uvicorn --workers, its
    worker processes. The difference over a window, divided by what it did, is its CPU per operation."""
    ticks, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        pending.extend(_children(current))
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_count() -> int:
    return os.cpu_count() or 1
