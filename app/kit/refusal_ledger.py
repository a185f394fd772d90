"""Refused requests are recorded in the audit log, but their repeats are counted in memory, not written one by one.

Why: every audit event takes the audit chain's head lock (a row lock on PostgreSQL, the one write lock on SQLite)
that bed updates wait on, and a scan of the routes by one logged-in user wrote 7,507 refusal events (issue 18).
Counting repeats in the process's memory costs no write at all; a counter table would still take SQLite's write
lock on every refused request, so a scanner could still slow bed updates down.

The rule: per key (actor; action = method and route template, so ``/admin/users/1`` and ``/admin/users/2`` are one
action; reason = what the request needed) and per minute of the clock, the FIRST refusal is written at once as
``accounts.authorization_refused``, exactly as before (path, method, needs, details); the repeats of that minute
are only counted, and once the minute has closed one ``accounts.authorization_refused_repeated`` event carries
their ``count``, the minute and up to ``PATH_SAMPLES`` of the paths tried. Whatever the request rate, a key writes
at most two events a minute, and the auditor still sees how many refusals there were: the first events plus the
counts of the repeated ones.

A closed minute is written on the next refusal this process handles, or by a timer set for the end of the minute
when a repeat is counted. The count is per process: with N workers a key may write up to 2N events a minute. A
process that stops loses at most the repeat count of its last minute; every first refusal is already in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import Clock
from app.kit.db import UnitOfWork

REFUSED = "accounts.authorization_refused"
REPEATED = "accounts.authorization_refused_repeated"
PATH_SAMPLES = 10
MINUTE = timedelta(minutes=1)
# Keys counted at once; beyond it a refusal is written as before (memory stays bounded whoever scans).
MAX_KEYS = 10_000

logger = logging.getLogger("bedboard.refusals")


@dataclass(frozen=True)
class RefusalKey:
    actor: str
    actor_id: int | None
    method: str
    route: str
    needs: str


@dataclass
class Tally:
    minute: datetime
    actor: Actor
    repeats: int = 0
    paths: list[str] = field(default_factory=list)


class RefusalLedger:
    """One per app (``AppServices.refusals``): the open minutes' counts of repeated refusals."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._tallies: dict[RefusalKey, Tally] = {}
        self._max_keys = max_keys
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def record(self, unit_of_work: Callable[[], UnitOfWork], *, clock: Clock, actor: Actor, method: str,
                     route: str, path: str, needs: str, details: Mapping[str, Any]) -> None:
        now = clock.now()
        minute = now.replace(second=0, microsecond=0)
        closed = self._take_closed(minute)
        key = RefusalKey(actor.username, actor.user_id, method, route, needs)
        tally = self._tallies.get(key)
        if tally is not None:
            tally.repeats += 1
            if path not in tally.paths and len(tally.paths) < PATH_SAMPLES:
                tally.paths.append(path)
            self._arm_timer(unit_of_work, clock, minute + MINUTE - now)
        elif len(self._tallies) < self._max_keys:
            self._tallies[key] = Tally(minute, actor, paths=[path])
        if tally is not None and not closed:
            return
        async with unit_of_work() as uow:
            await _write_closed(uow.session, closed)
            if tally is None:
                await audit.record(uow.session, actor=actor, action=REFUSED, object_type="route",
                                   object_id=path[:80], after={"method": method, "needs": needs, **details})

    async def flush(self, unit_of_work: Callable[[], UnitOfWork], now: datetime) -> int:
        """Write the repeat counts of the minutes closed at ``now``; returns how many events it wrote."""
        closed = self._take_closed(now.replace(second=0, microsecond=0))
        if closed:
            async with unit_of_work() as uow:
                await _write_closed(uow.session, closed)
        return len(closed)

    def _take_closed(self, minute: datetime) -> list[tuple[RefusalKey, Tally]]:
        """Remove the tallies of earlier minutes; returns those with repeats to write."""
        ended = [key for key, tally in self._tallies.items() if tally.minute < minute]
        taken = [(key, self._tallies.pop(key)) for key in ended]
        return [(key, tally) for key, tally in taken if tally.repeats]

    def _arm_timer(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock, left: timedelta) -> None:
        if self._timer is not None:
            return
        loop = asyncio.get_running_loop()

        def start_flush() -> None:
            self._timer = None
            task = loop.create_task(self._timed_flush(unit_of_work, clock))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

        self._timer = loop.call_later(left.total_seconds() + 1, start_flush)

    async def _timed_flush(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        try:
            await self.flush(unit_of_work, clock.now())
        except Exception:  # the database may be down: that minute's repeat counts are lost, the first events stay
            logger.exception("writing the counts of repeated refusals failed")
        if any(tally.repeats for tally in self._tallies.values()):
            self._arm_timer(unit_of_work, clock, MINUTE)


async def _write_closed(session: AsyncSession, closed: list[tuple[RefusalKey, Tally]]) -> None:
    for key, tally in closed:
        await audit.record(session, actor=tally.actor, action=REPEATED, object_type="route",
                           object_id=key.route[:80],
                           after={"method": key.method, "needs": key.needs, "count": tally.repeats,
                                  "minute": tally.minute.isoformat(), "paths": tally.paths})
