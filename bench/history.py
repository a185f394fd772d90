"""Benchmark 4, history: 1,000,000 generated audit events on PostgreSQL (made by bench/history_data.py).

bedboard's own service functions are timed in this process, on a session from the app's engine settings
(``make_engine``/``make_session_factory``), called as the routes call them; beside each, the reference
asks the same database for the same rows with bare asyncpg.
Run alone: ``python -m bench.history [--quick] [--events=N] [--verify-all]`` (prints its section of the report);
``--events=200000`` measures on a smaller log than the million, in a fifth of the time.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.history.evolution import charted_sections, free_beds_series
from app.history.export import csv_lines
from app.history.filters import BED_ACTIONS, HistoryFilter
from app.history.queries import PAGE_SIZE, history_page
from app.kit.db import make_engine, make_session_factory
from app.kit.settings import Settings
from bench import history_data, history_verify
from bench.common import median_of, percentiles_ms
from bench.history_data import YEAR_END, YEAR_START, dsn_of
from bench.report import history_section
from bench.targets import TARGETS
from tests.postgres_cluster import PostgresCluster, start_cluster

EVENTS, QUICK_EVENTS = 1_000_000, 50_000
# audit.verify walks 5,000 to 8,000 events a second here: the whole million would take two to three
# minutes, more than this step's budget. It is timed when the chain held its first VERIFIED events (a
# complete chain then, head and all), before the rest is appended.
VERIFIED, QUICK_VERIFIED = 30_000, 10_000
RUNS = 3
FILTERED_PAGES, DEEP_PAGES = 60, 30  # enough for a p95 per run; more would push make bench past ten minutes
EXPORT_WEEKS = 3  # every hospital's bed events for three weeks: about 58,000 rows of the million
ZONE = ZoneInfo(Settings.timezone)
EVENT_COLUMNS = ", ".join(history_data.COLUMNS)

Figures = dict[str, Any]


@dataclass(frozen=True)
class Readers:
    """The two ways of reading the same database: bedboard's sessions, and a bare asyncpg connection."""

    session_factory: async_sessionmaker[AsyncSession]
    reference: asyncpg.Connection
    sections_by_hospital: dict[int, list[int]]

    def sections_of(self, hospital_id: int) -> list[str]:
        return [str(id_) for id_ in self.sections_by_hospital[hospital_id]]

    def any_hospital(self, rng: random.Random) -> int:
        return rng.choice(sorted(self.sections_by_hospital))


async def _timed(action: Awaitable[Any]) -> float:
    began = time.perf_counter()
    await action
    return time.perf_counter() - began


async def in_turn(seed: int, bedboard: Awaitable[Any], reference: Awaitable[Any]) -> tuple[float, float]:
    """Both timings, the reference first in every other run, so neither always finds the caches warm."""
    if seed % 2:
        reference_seconds = await _timed(reference)
        return await _timed(bedboard), reference_seconds
    return await _timed(bedboard), await _timed(reference)


def a_range(rng: random.Random) -> tuple[datetime, datetime]:
    """One to three months of the year, from a month's first day."""
    first = rng.randrange(12)
    last = first + rng.randint(1, 3)
    return YEAR_START.replace(month=first + 1), YEAR_END if last >= 12 else YEAR_START.replace(month=last + 1)


async def _page(readers: Readers, filters: HistoryFilter, before: int | None) -> int | None:
    async with readers.session_factory() as session:  # a session per page, as the route opens one
        return (await history_page(session, filters, before=before)).next_before


def page_sql(readers: Readers, filters: HistoryFilter, before: int | None) -> tuple[str, list[object]]:
    """The WHERE that app/history/queries.py builds for a hospital or section filter, the ids already known."""
    ids = ([str(filters.section_id)] if filters.section_id is not None
           else readers.sections_of(filters.hospital_id or 0))
    arguments: list[object] = [list(BED_ACTIONS), ids]
    conditions = ["action = ANY($1)", "object_type = 'section'", "object_id = ANY($2)"]
    for condition, value in (("at >= ", filters.since), ("at <= ", filters.until), ("seq < ", before)):
        if value is not None:
            arguments.append(value)
            conditions.append(f"{condition}${len(arguments)}")
    return (f"SELECT {EVENT_COLUMNS} FROM audit_events WHERE {' AND '.join(conditions)} "
            f"ORDER BY seq DESC LIMIT {PAGE_SIZE + 1}", arguments)


async def _reference_page(readers: Readers, filters: HistoryFilter, before: int | None) -> int | None:
    query, arguments = page_sql(readers, filters, before)
    rows = await readers.reference.fetch(query, *arguments)
    return int(rows[PAGE_SIZE - 1]["seq"]) if len(rows) > PAGE_SIZE else None


async def filtered_pages(readers: Readers, seed: int) -> Figures:
    """First pages of random (hospital, section, months) filters, each read both ways."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {"bedboard": [], "reference": []}
    for turn in range(FILTERED_PAGES):
        hospital = readers.any_hospital(rng)
        since, until = a_range(rng)
        filters = HistoryFilter(hospital_id=hospital, section_id=rng.choice(readers.sections_by_hospital[hospital]),
                                since=since, until=until)
        mine, reference = await in_turn(seed + turn, _page(readers, filters, None),
                                        _reference_page(readers, filters, None))
        times["bedboard"].append(mine)
        times["reference"].append(reference)
    return {name: percentiles_ms(seconds) for name, seconds in times.items()}


async def _deep(readers: Readers, filters: HistoryFilter,
                read: Callable[[Readers, HistoryFilter, int | None], Awaitable[int | None]]) -> list[float]:
    times, before = [], None
    for _ in range(DEEP_PAGES):
        began = time.perf_counter()
        before = await read(readers, filters, before)
        times.append(time.perf_counter() - began)
        if before is None:
            break
    return times


async def deep_pages(readers: Readers, seed: int) -> Figures:
    """One hospital's events, newest first, following the ``before`` cursor page after page."""
    filters = HistoryFilter(hospital_id=readers.any_hospital(random.Random(seed)))
    return {"bedboard": percentiles_ms(await _deep(readers, filters, _page)),
            "reference": percentiles_ms(await _deep(readers, filters, _reference_page))}


class _LineCounter:
    def __init__(self) -> None:
        self.lines = 0

    async def write(self, data: bytes) -> None:
        self.lines += data.count(b"\n")


async def export(readers: Readers, seed: int) -> Figures:
    """The CSV of every hospital's bed events over three weeks, against PostgreSQL's own COPY ... CSV."""
    weeks = timedelta(weeks=EXPORT_WEEKS)
    since = YEAR_START + (YEAR_END - YEAR_START - weeks) * random.Random(seed).random()
    filters, sink, lines = HistoryFilter(since=since, until=since + weeks), _LineCounter(), 0

    async def bedboard() -> None:
        nonlocal lines
        async for chunk in csv_lines(readers.session_factory, filters, ZONE):
            lines += chunk.count("\r\n")

    mine, reference = await in_turn(seed, bedboard(), readers.reference.copy_from_query(
        f"SELECT {EVENT_COLUMNS} FROM audit_events WHERE action = ANY($1) AND at >= $2 AND at <= $3 "
        "ORDER BY seq DESC", list(BED_ACTIONS), filters.since, filters.until, output=sink.write, format="csv",
        header=True))
    if sink.lines != lines:
        raise RuntimeError(f"the export wrote {lines} lines, the reference {sink.lines}")
    return {"rows": lines - 1, "bedboard": (lines - 1) / mine, "reference": (lines - 1) / reference}


async def chart(readers: Readers, seed: int) -> Figures:
    """A year of one hospital's free beds, as /audit/chart gets it, against reading its events bare."""
    hospital, points, events = readers.any_hospital(random.Random(seed)), 0, 0

    async def bedboard() -> None:
        nonlocal points
        async with readers.session_factory() as session:
            ids = await charted_sections(session, hospital_id=hospital, section_id=None)
            points = len((await free_beds_series(session, ids, YEAR_START, YEAR_END)).points)

    async def reference() -> None:
        nonlocal events
        events = len(await readers.reference.fetch(
            f"SELECT {EVENT_COLUMNS} FROM audit_events WHERE action = ANY($1) AND object_type = 'section' AND "
            "object_id = ANY($2) AND at >= $3 AND at <= $4 ORDER BY seq", list(BED_ACTIONS),
            readers.sections_of(hospital), YEAR_START, YEAR_END))

    mine, bare = await in_turn(seed, bedboard(), reference())
    return {"events": events, "points": points, "bedboard": mine * 1000, "reference": bare * 1000}


def _medians(runs: list[Figures]) -> Figures:
    """Over the runs, key by key: each side's percentiles, or the plain figures."""
    if isinstance(runs[0]["bedboard"], dict):
        return {side: median_of([run[side] for run in runs]) for side in ("bedboard", "reference")}
    return median_of(runs)


async def _read_both_ways(database_url: str, sections_by_hospital: dict[int, list[int]]) -> Figures:
    engine = make_engine(database_url)
    connection = await asyncpg.connect(dsn_of(database_url))
    try:
        readers = Readers(make_session_factory(engine), connection, sections_by_hospital)
        measures = {"filtered_page": filtered_pages, "deep_pages": deep_pages, "export": export, "chart": chart}
        return {name: _medians([await measure(readers, seed) for seed in range(RUNS)])
                for name, measure in measures.items()}
    finally:
        await connection.close()
        await engine.dispose()


async def measure(database_url: str, quick: bool, events: int | None = None) -> Figures:
    began, load = time.monotonic(), os.getloadavg()[0]
    total, verified = (QUICK_EVENTS, QUICK_VERIFIED) if quick else (EVENTS, VERIFIED)
    if events is not None:
        total, verified = events, min(verified, events // 2)
    async with history_data.loading(database_url, total) as loader:
        await loader.append(verified)
        verifying = time.monotonic()
        verify = await history_verify.measure(database_url, verified, RUNS)
        verifying = time.monotonic() - verifying
        await loader.append(total - verified)
        await loader.finish()
        sections = loader.sections_by_hospital
    loaded = time.monotonic() - began - verifying
    found = await _read_both_ways(database_url, sections)
    found["filtered_page"]["pages"], found["deep_pages"]["pages"] = FILTERED_PAGES, DEEP_PAGES
    found["deep_pages"]["page_size"], found["export"]["weeks"] = PAGE_SIZE, EXPORT_WEEKS
    return {**found, "verify": verify, "events": total, "hospitals": len(sections),
            "sections": sum(map(len, sections.values())), "runs": RUNS, "load_s": loaded,
            "load_average": [load, os.getloadavg()[0]], "duration_s": time.monotonic() - began}


def run(cluster: PostgresCluster, quick: bool, events: int | None = None) -> Figures:
    cluster.execute("CREATE DATABASE history")
    return asyncio.run(measure(cluster.url("history"), quick, events))


def issue_24_targets(found: Figures) -> str:
    """This step's lines of the Targets table, for a run of this step alone."""
    lines = []
    for target in TARGETS:
        if "(issue 24)" in target.goal:
            value = target.measure({"history": found})
            verdict = "not measured" if value is None else "met" if target.met(value) else "missed"
            lines.append(f"- {target.goal}: {'–' if value is None else f'{value:.2f} {target.unit}'}, {verdict}")
    return "\n".join(lines)


def _events_argument() -> int | None:
    given = next((argument.partition("=")[2] for argument in sys.argv if argument.startswith("--events=")), None)
    return None if given is None else int(given.replace("_", "").replace(",", ""))


def main() -> int:
    """This step alone, on its own durable cluster."""
    cluster = start_cluster(durable=True)
    if cluster is None:
        sys.stderr.write("PostgreSQL is not installed: apt-get install postgresql\n")
        return 1
    try:
        found = run(cluster, quick="--quick" in sys.argv, events=_events_argument())
        sys.stdout.write(history_section({"history": found}) + "\n" + issue_24_targets(found) + "\n")
        if "--verify-all" in sys.argv:
            sys.stdout.write(asyncio.run(history_verify.verify_all(cluster.url("history"))) + "\n")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
