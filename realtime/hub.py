"""Fan-out of changes to subscribers, in the broadcaster shape: knows items, filters and sockets, not beds.

Each change is serialised once and the same frame goes to every matching subscriber. Every subscriber
has one bounded queue and one sender task, so a slow socket only ever delays itself; when its queue
overflows, the backlog is dropped and it is sent a fresh snapshot instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from realtime.filters import BoardFilter
from realtime.stats import DelayStats

QUEUE_SIZE = 256
# Changes held for one resuming subscriber; past this, a snapshot is cheaper than the backlog.
MAX_HELD = 4 * QUEUE_SIZE


@dataclass(frozen=True)
class Change:
    """One item's new state, numbered by the sequence of the write that produced it."""

    seq: int
    item: Mapping[str, Any]
    committed_at: float  # seconds since the epoch, for the commit-to-screen delay
    removed: bool = False

    @property
    def item_id(self) -> int:
        return int(self.item["id"])


Send = Callable[[str], Awaitable[None]]
SnapshotFrame = Callable[["Subscription"], Awaitable[str]]


class _Resync:
    """Queue marker: replace everything before it with a fresh snapshot."""


RESYNC = _Resync()
Queued = tuple[str, float | None] | _Resync


def dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


@dataclass(eq=False)
class Subscription:
    send: Send
    snapshot_frame: SnapshotFrame
    stats: DelayStats
    filters: BoardFilter = field(default_factory=BoardFilter)
    # A deque and one future rather than an asyncio.Queue: an idle subscriber's Queue (three deques and an
    # Event, for putters, getters and task counting that nobody here uses) held 3.3 KiB against the
    # deque's 0.8, and every socket has one (the target is under 40 KiB of server memory per socket).
    queue: deque[Queued] = field(default_factory=deque)
    _waiting: asyncio.Future[None] | None = None
    # While a resume backfills from the database, live changes wait here (see Hub.resume).
    held: list[Change] | None = None
    user_id: int | None = None
    session_id: int | None = None
    close: Callable[[int], Awaitable[None]] | None = None

    def offer(self, queued: Queued) -> None:
        if len(self.queue) >= QUEUE_SIZE:
            self.resync()
            return
        self.queue.append(queued)
        self._wake()

    def _wake(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    def hold(self, change: Change) -> None:
        assert self.held is not None
        if len(self.held) < MAX_HELD:
            self.held.append(change)
        else:
            self.held = None
            self.resync()

    def release(self, after_seq: int, now: datetime) -> None:
        """End a resume: deliver the held changes the backfill did not already cover, in order."""
        held, self.held = self.held or [], None
        for change in sorted(held, key=lambda change: change.seq):
            if change.seq <= after_seq:
                continue
            if not change.removed and self.filters.matches(change.item, now):
                self.offer((Hub.change_frame(change), change.committed_at))
            else:
                self.offer((Hub.leave_frame(change), change.committed_at))

    def resync(self) -> None:
        """Drop the backlog: the next thing this subscriber gets is a fresh snapshot."""
        self.queue.clear()
        self.queue.append(RESYNC)
        self._wake()

    async def run_sender(self) -> None:
        while True:
            while not self.queue:
                self._waiting = asyncio.get_running_loop().create_future()
                await self._waiting
            # Under a burst the queue fills faster than one wake-up per frame can empty it: send what is
            # already there in the same turn (a frame sent on an open socket does not suspend).
            while self.queue:
                await self._deliver(self.queue.popleft())

    async def _deliver(self, queued: Queued) -> None:
        if isinstance(queued, _Resync):
            await self.send(await self.snapshot_frame(self))
            return
        frame, committed_at = queued
        await self.send(frame)
        if committed_at is not None:
            self.stats.add(time.time() - committed_at)


class Hub:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.subscriptions: set[Subscription] = set()
        self.stats = DelayStats()
        # The last state of every item the hub has seen, to tell who must be told that an item left.
        self.known: dict[int, Mapping[str, Any]] = {}
        self._clock = clock or (lambda: datetime.now(UTC))

    def add(self, subscription: Subscription) -> None:
        self.subscriptions.add(subscription)

    def remove(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def remember(self, items: Sequence[Mapping[str, Any]]) -> None:
        for item in items:
            self.known[int(item["id"])] = item

    def publish(self, change: Change) -> None:
        """Deliver to every matching subscriber; never waits, so one socket cannot hold up the rest."""
        now = self._clock()
        before = self.known.get(change.item_id)
        if change.removed:
            self.known.pop(change.item_id, None)
        else:
            self.known[change.item_id] = change.item
        change_frame: Queued | None = None
        leave_frame: Queued | None = None
        for subscription in self.subscriptions:
            if subscription.held is not None:
                subscription.hold(change)
                continue
            if not change.removed and subscription.filters.matches(change.item, now):
                change_frame = change_frame or (self.change_frame(change), change.committed_at)
                subscription.offer(change_frame)
            elif before is not None and subscription.filters.matches(before, now):
                leave_frame = leave_frame or (self.leave_frame(change), change.committed_at)
                subscription.offer(leave_frame)

    @staticmethod
    def change_frame(change: Change) -> str:
        committed = datetime.fromtimestamp(change.committed_at, UTC).isoformat()
        return dumps({"type": "change", "seq": change.seq, "committed_at": committed, "section": change.item})

    @staticmethod
    def leave_frame(change: Change) -> str:
        return dumps({"type": "leave", "seq": change.seq, "section_id": change.item_id})

    def heartbeat(self) -> None:
        frame: Queued = (dumps({"type": "heartbeat", "server_time": self._clock().isoformat()}), None)
        for subscription in self.subscriptions:
            if subscription.held is None:
                subscription.offer(frame)

    def resync_all(self) -> None:
        """After a gap in the feed (a lost database connection) nobody can trust their state: resync all."""
        for subscription in self.subscriptions:
            subscription.resync()

    def session_ids(self) -> set[int]:
        return {s.session_id for s in self.subscriptions if s.session_id is not None}

    async def close_sessions_except(self, valid: set[int], code: int) -> int:
        """Close every socket whose login session is no longer valid; returns how many."""
        ended = [s for s in self.subscriptions if s.session_id is not None and s.session_id not in valid]
        for subscription in ended:
            self.remove(subscription)
            if subscription.close is not None:
                await subscription.close(code)
        return len(ended)
