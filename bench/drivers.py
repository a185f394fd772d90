"""What makes the changes, in its own process: PUTs through bedboard's HTTP API, or the same sections
fed to the reference broadcast server. Either at a fixed rate or, past capacity, as fast as it goes.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import connect

from app.beds.models import Section
from app.kit.db import make_engine
from bench.common import raise_file_limit
from bench.world import log_in

Change = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Load:
    rate: float  # changes per second offered
    duration: float
    concurrency: int


async def _paced(load: Load, change: Change) -> dict[str, Any]:
    """Change number n is due at start + n / rate; a worker that falls behind goes at once. Nothing
    starts after the duration, so a run is bounded even when the rate is far past capacity."""
    start = time.perf_counter()
    total = int(load.rate * load.duration)
    counter = iter(range(total))
    latencies: list[float] = []
    deadline = start + load.duration

    async def worker() -> None:
        for number in counter:
            delay = start + number / load.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.perf_counter() > deadline:
                return
            began = time.perf_counter()
            await change(number)
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(worker() for _ in range(load.concurrency)))
    return {"latencies": latencies, "elapsed": time.perf_counter() - start, "failures": 0}


async def bedboard_api(url: str, token: str, section_ids: list[int], load: Load) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=load.concurrency, max_keepalive_connections=load.concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30, limits=limits) as client:
        listing = (await client.get("/api/v1/sections")).json()["sections"]
        state = {item["id"]: (item["version"], item["free_beds"]) for item in listing}
        failures = 0
        # Writer w only ever touches its own sections: no version conflicts between writers.
        owned = {w: section_ids[w::load.concurrency] for w in range(load.concurrency)}
        turns = dict.fromkeys(owned, 0)
        claimed: dict[int, int] = {}

        async def change(number: int) -> None:
            nonlocal failures
            writer = claimed.setdefault(id(asyncio.current_task()), len(claimed))
            mine = owned[writer]
            section_id = mine[turns[writer] % len(mine)]
            turns[writer] += 1
            version, free = state[section_id]
            free = (free + 1) % 30
            response = await client.put(f"/api/v1/sections/{section_id}/free-beds",
                                        json={"free_beds": free, "expected_version": version})
            if response.status_code != 200:
                failures += 1
                item = (await client.get(f"/api/v1/sections/{section_id}")).json()
                state[section_id] = (item["version"], item["free_beds"])
                return
            answer = response.json()
            state[section_id] = (answer["version"], answer["free_beds"])

        outcome = await _paced(load, change)
    return {**outcome, "failures": failures}


async def reference_feed(feed_url: str, sections: list[dict[str, Any]], load: Load) -> dict[str, Any]:
    async with connect(feed_url, compression=None, max_size=None) as feed:

        async def change(number: int) -> None:
            section = sections[number % len(sections)]
            section = {**section, "free_beds": number % 30, "version": number}
            await feed.send(json.dumps({"committed_at": datetime.now(UTC).isoformat(), "section": section}))

        return await _paced(load, change)


async def bare_update(database_url: str, section_ids: list[int], load: Load) -> dict[str, Any]:
    """The reference write: one UPDATE of the same row per transaction; no audit, no chain, no HTTP."""
    if database_url.startswith("sqlite"):
        engine = make_engine(database_url)
    else:
        engine = create_async_engine(database_url, pool_size=load.concurrency, max_overflow=0)
    owned = {w: section_ids[w::load.concurrency] for w in range(load.concurrency)}
    claimed: dict[int, int] = {}

    async def change(number: int) -> None:
        writer = claimed.setdefault(id(asyncio.current_task()), len(claimed))
        mine = owned[writer]
        async with engine.begin() as connection:
            await connection.execute(update(Section).where(Section.id == mine[number % len(mine)])
                                     .values(free_beds=number % 30, version=Section.version + 1))

    try:
        return await _paced(load, change)
    finally:
        await engine.dispose()


async def login_storm(url: str, usernames: list[str], load: Load) -> dict[str, Any]:
    """Everyone logs in at once, each with their own cookies, as people do: form, then post."""
    latencies: list[float] = []
    statuses: list[int] = []

    async def one(username: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            began = time.perf_counter()
            statuses.append(await log_in(client, username, check=False))
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(one(name) for name in usernames))
    failed = [status for status in statuses if status != 303]
    return {"latencies": latencies, "elapsed": time.perf_counter() - began, "failures": len(failed),
            "statuses": sorted(set(failed))}


RUNNERS: dict[str, Callable[..., Coroutine[Any, Any, dict[str, Any]]]] = {
    "bedboard": bedboard_api, "reference": reference_feed, "bare": bare_update, "logins": login_storm}


def _run(target: str, arguments: tuple[Any, ...]) -> dict[str, Any]:
    raise_file_limit()
    return asyncio.run(RUNNERS[target](*arguments))


class Drivers:
    """Two long-lived driver processes (changes, and a login storm beside them): a window then costs
    its own length, not the start of a Python process."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def run(self, target: str, *arguments: Any) -> dict[str, Any]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
        load: Load = arguments[-1]
        return self._pool.submit(_run, target, arguments).result(timeout=load.duration + 90)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


DRIVERS = Drivers()


def run_driver(target: str, *arguments: Any) -> dict[str, Any]:
    """Run one driver to completion in a driver process and return what it measured."""
    return DRIVERS.run(target, *arguments)
