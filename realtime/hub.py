"""Fan-out of changes to subscribers, in the broadcaster shape: knows items, filters and sockets, not beds.

Each change is serialised once and the same frame goes to every matching subscriber. Every subscriber
has one bounded queue; after a publish one callback sends each queue's frames at once (``run_eagerly``:
a frame to a writable socket never waits), and only a send that has to wait becomes a task, with that
subscriber's queue behind it. So a slow socket only ever delays itself; when its queue overflows, the
backlog is dropped and it is sent a fresh snapshot instead. (A sender task woken per socket per change
cost the same CPU per delivery but left the last sockets of a change later: steady p99 at 1,000 sockets
93-100 ms against 73 ms this way, ten interleaved rounds of both versions side by side on one machine.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from realtime.eager import run_eagerly
from realtime.filters import MATCH_ALL, Filter
from realtime.stats import DelayStats

logger = logging.getLogger("bedboard.realtime")

QUEUE_SIZE = 256
INTERNAL_ERROR = 1011  # the websocket close code for a server-side failure
# Changes held for one resuming subscriber; past this, a snapshot is cheaper than the backlog.
MAX_HELD = 4 * QUEUE_SIZE


@dataclass(frozen=True)
class Change:
    """One item's new state, numbered by the sequence of the write that produced it."""

    seq: int
    item: Mapping[str, Any]
    committed_at: float  # seconds since the epoch, for the commit-to-screen delay
    removed: bool = False
    # The change frame when the feed already holds it (the PostgreSQL NOTIFY payload is the frame itself):
    # each worker then parses it once, for the filters, and sends it as it came instead of encoding it again.
    frame: str | None = None

    @property
    def item_id(self) -> int:
        return int(self.item["id"])


@dataclass(frozen=True)
class Notice:
    """A frame for some subscribers only (an alert and its acknowledgement), numbered like changes.

    ``audience`` holds opaque labels chosen by the domain (the alerts use "user:5" and "org:2"); a subscriber whose
    own labels share one gets it. No predicate runs: a bed change's fan-out never looks at notices, and a notice
    costs one set intersection per socket."""

    seq: int
    audience: frozenset[str]
    frame: str


Send = Callable[[str], Awaitable[None]]
SnapshotFrame = Callable[["Subscription"], Awaitable[str]]


class SnapshotUnavailable(Exception):
    """The feed cannot read a snapshot now (its database is away or starting up): the subscriber asks again
    shortly and its socket stays open."""


# How often a subscriber asks again for a snapshot its feed could not read. PostgreSQL is back within about a
# second of a crash restart here (tests/test_database_faults.py), and each try is one query when it is away.
SNAPSHOT_RETRY_SECONDS = 0.5


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
    filters: Filter = MATCH_ALL  # the domain's predicate, set by each subscribe
    # Who holds the socket, in the domain's labels, for notices (Hub.notify); empty: no notice reaches it.
    audience: frozenset[str] = frozenset()
    # A deque rather than an asyncio.Queue: an idle subscriber's Queue (three deques and an Event, for
    # putters, getters and task counting that nobody here uses) held 3.3 KiB against the deque's 0.8, and
    # every socket has one (the target is under 40 KiB of server memory per socket).
    queue: deque[Queued] = field(default_factory=deque)
    # While a resume backfills from the database, live changes wait here (see Hub.resume).
    held: list[Change | Notice] | None = None
    user_id: int | None = None
    session_id: int | None = None
    close: Callable[[int], Awaitable[None]] | None = None
    # When this socket's client last sent anything (time.monotonic()): the page pings every heartbeat, and a
    # socket silent for longer than the watchdog is closed (Hub.close_silent), so a dead link frees its socket.
    heard_at: float = field(default_factory=time.monotonic)
    # A send that had to wait (the socket's buffer is full) or a snapshot being read: the queue waits for it.
    _waiting_send: asyncio.Task[None] | None = None
    _pump_due: bool = False
    _stopped: bool = False
    # Why delivery stopped, if it failed; and the close that follows, kept so that it is not collected.
    failure: Exception | None = None
    _closing: asyncio.Future[None] | None = None

    def enqueue(self, queued: Queued) -> bool:
        """Put a frame in line. True when the caller must arrange a ``pump``: none is due yet. A resync, or
        an overflow, replaces the whole backlog: the next thing this subscriber gets is a fresh snapshot."""
        if queued is RESYNC or len(self.queue) >= QUEUE_SIZE:
            if queued is not RESYNC:
                self.stats.overflows += 1
            self.stats.resyncs += 1
            self.queue.clear()
            queued = RESYNC
        self.queue.append(queued)
        due, self._pump_due = self._pump_due, True
        return not due

    def offer(self, queued: Queued) -> None:
        if self.enqueue(queued):
            asyncio.get_running_loop().call_soon(self.pump)

    def hold(self, change: Change | Notice) -> None:
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
            if isinstance(change, Notice):
                self.offer((change.frame, None))
            elif not change.removed and self.filters.matches(change.item, now):
                self.offer((Hub.change_frame(change), change.committed_at))
            else:
                self.offer((Hub.leave_frame(change), change.committed_at))

    def resync(self) -> None:
        """Drop the backlog: the next thing this subscriber gets is a fresh snapshot."""
        self.offer(RESYNC)

    def pump(self) -> None:
        """Send what is in line, in order, now: a frame to a writable socket goes out without waiting. A send
        that has to wait (a full socket buffer, a snapshot to read) goes on in a task, and the rest of the
        line waits for it, so a slow socket only ever delays itself."""
        self._pump_due = False
        while self.queue and self._waiting_send is None and not self._stopped:
            queued = self.queue.popleft()
            try:
                # A snapshot reads the database, and a driver may need to run inside a task there (asyncpg's
                # connect, needed after a database restart, enters asyncio.timeout): it always gets one.
                waiting = (asyncio.ensure_future(self._deliver(queued)) if isinstance(queued, _Resync)
                           else run_eagerly(self._deliver(queued)))
            except Exception as error:  # the socket is gone: nothing more can be sent to it
                self._fail(error)
                return
            if waiting is not None:
                self._waiting_send = waiting
                waiting.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._waiting_send = None
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, Exception):
            self._fail(error)
        else:
            self.pump()

    def end(self, code: int) -> None:
        """Stop sending and close the socket with ``code``, without waiting for the close to go out."""
        self.stop()
        if self.close is not None:
            self._closing = asyncio.ensure_future(self._close_quietly(code))

    def _fail(self, error: Exception) -> None:
        """Delivery failed (the socket is gone, or a snapshot could not be read): stop, and close the
        socket, so that its receiving side ends too and a browser still there reconnects and resumes."""
        self.failure = error
        # The type only: a message may carry a statement's text. A socket that went away is routine.
        routine = isinstance(error, OSError | ConnectionError)
        logger.log(logging.INFO if routine else logging.WARNING, "board delivery failed (%s); closing the socket",
                   type(error).__name__, exc_info=None if routine else error)
        self.end(INTERNAL_ERROR)

    async def _close_quietly(self, code: int) -> None:
        assert self.close is not None
        try:
            await self.close(code)
        except Exception:  # already closed from the other side: nothing left to tell
            return

    def stop(self) -> None:
        """The socket is closing: nothing more is sent, and a send still waiting is abandoned."""
        self._stopped = True
        self.queue.clear()
        if self._waiting_send is not None:
            self._waiting_send.cancel()

    async def _deliver(self, queued: Queued) -> None:
        if isinstance(queued, _Resync):
            await self.send(await self._snapshot_when_ready())
            return
        frame, committed_at = queued
        await self.send(frame)
        if committed_at is not None:
            self.stats.add(time.time() - committed_at)

    async def _snapshot_when_ready(self) -> str:
        # Through a database restart the socket stays open rather than closing with an error: the
        # heartbeats wait behind this in the queue, so the page shows that it is not live, and the fresh
        # snapshot follows as soon as the database answers.
        while True:
            try:
                return await self.snapshot_frame(self)
            except SnapshotUnavailable:
                await asyncio.sleep(SNAPSHOT_RETRY_SECONDS)


def _pump_each(subscriptions: list[Subscription]) -> None:
    for subscription in subscriptions:
        subscription.pump()


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
        due: list[Subscription] = []
        for subscription in self.subscriptions:
            if subscription.held is not None:
                subscription.hold(change)
                continue
            if not change.removed and subscription.filters.matches(change.item, now):
                change_frame = change_frame or (self.change_frame(change), change.committed_at)
                if subscription.enqueue(change_frame):
                    due.append(subscription)
            elif before is not None and subscription.filters.matches(before, now):
                leave_frame = leave_frame or (self.leave_frame(change), change.committed_at)
                if subscription.enqueue(leave_frame):
                    due.append(subscription)
        self._pump_soon(due)

    def notify(self, notice: Notice) -> None:
        """Deliver a notice to the subscribers of its audience; a resuming one holds it like a change."""
        due: list[Subscription] = []
        queued: Queued = (notice.frame, None)
        for subscription in self.subscriptions:
            if subscription.audience.isdisjoint(notice.audience):
                continue
            if subscription.held is not None:
                subscription.hold(notice)
            elif subscription.enqueue(queued):
                due.append(subscription)
        self._pump_soon(due)

    @staticmethod
    def _pump_soon(due: list[Subscription]) -> None:
        """One callback sends to them all, after the publisher's own turn (a writer's request, the
        listener's callback): nothing is sent from inside them."""
        if due:
            asyncio.get_running_loop().call_soon(_pump_each, due)

    @staticmethod
    def change_frame(change: Change) -> str:
        if change.frame is not None:
            return change.frame
        committed = datetime.fromtimestamp(change.committed_at, UTC).isoformat()
        return dumps({"type": "change", "seq": change.seq, "committed_at": committed, "section": change.item})

    @staticmethod
    def leave_frame(change: Change) -> str:
        return dumps({"type": "leave", "seq": change.seq, "section_id": change.item_id})

    def heartbeat(self) -> None:
        frame: Queued = (dumps({"type": "heartbeat", "server_time": self._clock().isoformat()}), None)
        self._pump_soon([subscription for subscription in self.subscriptions
                         if subscription.held is None and subscription.enqueue(frame)])

    def resync_all(self) -> None:
        """After a gap in the feed (a lost database connection) nobody can trust their state: resync all."""
        self._pump_soon([subscription for subscription in self.subscriptions if subscription.enqueue(RESYNC)])

    def session_ids(self) -> set[int]:
        return {s.session_id for s in self.subscriptions if s.session_id is not None}

    def close_silent(self, heard_before: float, code: int) -> int:
        """Close every socket whose client has sent nothing since ``heard_before`` (a ``time.monotonic()``
        value); returns how many. Never waits: on a dead link a close frame may never leave, so each close runs
        on its own and the socket's receiving side ends at once (the server stops waiting for the peer)."""
        silent = [s for s in self.subscriptions if s.heard_at < heard_before]
        for subscription in silent:
            self.remove(subscription)
            subscription.end(code)
        return len(silent)

    async def close_sessions_except(self, valid: set[int], code: int) -> int:
        """Close every socket whose login session is no longer valid; returns how many."""
        ended = [s for s in self.subscriptions if s.session_id is not None and s.session_id not in valid]
        for subscription in ended:
            self.remove(subscription)
            if subscription.close is not None:
                await subscription.close(code)
        return len(ended)
