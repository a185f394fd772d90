"""The hub's fan-out on a real event loop (sockets replaced by recording senders).

Subscribers' filters are plain predicates here, as any domain may supply them: the hub reads no item field."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from realtime import hub as hub_module
from realtime.filters import MATCH_ALL, Filter
from realtime.hub import MAX_HELD, QUEUE_SIZE, Change, Hub, SnapshotUnavailable, Subscription
from realtime.stats import DelayStats

NOW = datetime(2026, 3, 14, 12, tzinfo=UTC)


class Socket:
    def __init__(self, blocked: asyncio.Event | None = None, gone: bool = False) -> None:
        self.frames: list[str] = []
        self.blocked = blocked
        self.gone = gone
        self.closed_with: int | None = None

    async def send(self, frame: str) -> None:
        if self.gone:
            raise ConnectionResetError("the client went away")
        if self.blocked is not None:
            await self.blocked.wait()
        self.frames.append(frame)

    async def close(self, code: int) -> None:
        self.closed_with = code

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(frame) for frame in self.frames]


def item(section_id: int, free: int = 3, occupancy: float = 50.0, section_type: int = 1) -> dict[str, Any]:
    return {"id": section_id, "hospital_id": 1, "section_type_id": section_type, "occupancy_pct": occupancy,
            "name": f"S{section_id}", "free_beds": free, "reported_at": NOW.isoformat()}


async def snapshot_of(subscription: Subscription) -> str:
    return json.dumps({"type": "snapshot", "seq": 99, "sections": []})


@dataclass(frozen=True)
class Where:
    """A domain's filter reduced to its predicate."""

    test: Callable[[Mapping[str, Any]], bool]

    def matches(self, item: Mapping[str, Any], now: datetime) -> bool:
        return self.test(item)


def of_type(section_type: int) -> Where:
    return Where(lambda item: item["section_type_id"] == section_type)


def subscribe(hub: Hub, socket: Socket, filters: Filter = MATCH_ALL,
              session_id: int | None = None) -> Subscription:
    subscription = Subscription(send=socket.send, snapshot_frame=snapshot_of, stats=hub.stats,
                                filters=filters, session_id=session_id, close=socket.close)
    hub.add(subscription)
    return subscription


async def settle() -> None:
    for _round in range(5):
        await asyncio.sleep(0)


async def test_one_serialised_frame_reaches_every_matching_subscriber() -> None:
    hub = Hub(clock=lambda: NOW)
    everyone, surgery_only, icu_only = Socket(), Socket(), Socket()
    subscribe(hub, everyone)
    subscribe(hub, surgery_only, of_type(1))
    subscribe(hub, icu_only, of_type(2))
    hub.publish(Change(seq=5, item=item(7), committed_at=NOW.timestamp()))
    await settle()
    assert everyone.frames == surgery_only.frames
    assert icu_only.frames == []
    assert everyone.frames[0] is surgery_only.frames[0]  # the very same string: serialised once
    assert everyone.messages()[0]["type"] == "change"
    assert everyone.messages()[0]["seq"] == 5
    assert hub.stats.summary()["deliveries"] == 2


async def test_a_section_that_leaves_the_filter_is_announced() -> None:
    hub = Hub(clock=lambda: NOW)
    socket = Socket()
    subscribe(hub, socket, Where(lambda item: item["occupancy_pct"] <= 80))
    hub.publish(Change(seq=1, item=item(7, occupancy=50.0), committed_at=NOW.timestamp()))
    hub.publish(Change(seq=2, item=item(7, occupancy=95.0), committed_at=NOW.timestamp()))
    hub.publish(Change(seq=3, item=item(7, occupancy=96.0), committed_at=NOW.timestamp()))
    hub.publish(Change(seq=4, item=item(8), committed_at=NOW.timestamp(), removed=True))
    await settle()
    assert [(m["type"], m["seq"]) for m in socket.messages()] == [("change", 1), ("leave", 2)]


async def test_a_slow_subscriber_gets_a_snapshot_and_never_delays_the_others() -> None:
    hub = Hub(clock=lambda: NOW)
    stuck = asyncio.Event()
    slow, fast = Socket(blocked=stuck), Socket()
    subscribe(hub, slow)
    subscribe(hub, fast)
    for seq in range(1, QUEUE_SIZE + 50):
        hub.publish(Change(seq=seq, item=item(seq % 10), committed_at=NOW.timestamp()))
        await asyncio.sleep(0)
    assert len(fast.frames) == QUEUE_SIZE + 49
    assert slow.frames == []
    stuck.set()
    await settle()
    # The one frame already in the socket's hands goes out, then the snapshot instead of the backlog.
    assert [m["type"] for m in slow.messages()[:2]] == ["change", "snapshot"]
    assert len(slow.frames) < 60  # the backlog was dropped, not replayed


async def test_a_socket_that_fails_ends_its_subscription_and_nobody_else_s() -> None:
    hub = Hub(clock=lambda: NOW)
    gone, stays = Socket(gone=True), Socket()
    gone_subscription = subscribe(hub, gone)
    stays_subscription = subscribe(hub, stays)
    hub.publish(Change(seq=1, item=item(1), committed_at=NOW.timestamp()))
    await settle()
    assert isinstance(gone_subscription.failure, ConnectionResetError)
    assert gone.closed_with == 1011  # closed, so that the socket's own loop hears it and ends
    hub.publish(Change(seq=2, item=item(1), committed_at=NOW.timestamp()))
    await settle()
    assert [m["seq"] for m in stays.messages()] == [1, 2]
    assert stays_subscription.failure is None
    assert stays.closed_with is None


async def test_a_frame_behind_a_waiting_send_keeps_its_order() -> None:
    hub = Hub(clock=lambda: NOW)
    stuck = asyncio.Event()
    socket = Socket(blocked=stuck)
    subscribe(hub, socket)
    hub.publish(Change(seq=1, item=item(1), committed_at=NOW.timestamp()))
    await settle()
    socket.blocked = None  # the next sends would go at once; they must still wait for the first
    hub.publish(Change(seq=2, item=item(2), committed_at=NOW.timestamp()))
    hub.publish(Change(seq=3, item=item(3), committed_at=NOW.timestamp()))
    await settle()
    assert socket.frames == []
    stuck.set()
    await settle()
    assert [m["seq"] for m in socket.messages()] == [1, 2, 3]


async def test_heartbeats_and_resync_reach_everyone() -> None:
    hub = Hub(clock=lambda: NOW)
    socket = Socket()
    subscribe(hub, socket)
    hub.heartbeat()
    await settle()
    hub.resync_all()
    await settle()
    assert [m["type"] for m in socket.messages()] == ["heartbeat", "snapshot"]
    assert socket.messages()[0]["server_time"] == NOW.isoformat()


async def test_held_changes_are_released_after_the_backfill_without_duplicates() -> None:
    hub = Hub(clock=lambda: NOW)
    socket = Socket()
    subscription = subscribe(hub, socket, of_type(1))
    subscription.held = []
    for seq in (12, 10, 11):
        hub.publish(Change(seq=seq, item=item(seq), committed_at=NOW.timestamp()))
    hub.publish(Change(seq=13, item=item(13, section_type=2), committed_at=NOW.timestamp()))
    subscription.release(after_seq=10, now=NOW)
    await settle()
    assert [(m["type"], m["seq"]) for m in socket.messages()] == [("change", 11), ("change", 12), ("leave", 13)]


async def test_too_many_held_changes_turn_into_a_snapshot() -> None:
    hub = Hub(clock=lambda: NOW)
    socket = Socket()
    subscription = subscribe(hub, socket)
    subscription.held = []
    for seq in range(MAX_HELD + 1):
        hub.publish(Change(seq=seq, item=item(1), committed_at=NOW.timestamp()))
    assert subscription.held is None
    await settle()
    assert [m["type"] for m in socket.messages()] == ["snapshot"]


async def test_sockets_of_ended_sessions_are_closed() -> None:
    hub = Hub(clock=lambda: NOW)
    kept, ended, anonymous = Socket(), Socket(), Socket()
    for socket, session_id in ((kept, 1), (ended, 2), (anonymous, None)):
        subscribe(hub, socket, session_id=session_id)
    assert hub.session_ids() == {1, 2}
    assert await hub.close_sessions_except({1}, code=4001) == 1
    assert ended.closed_with == 4001
    assert kept.closed_with is None
    assert len(hub.subscriptions) == 2


def test_delay_statistics() -> None:
    stats = DelayStats(window=100)
    assert stats.summary()["p50_ms"] is None
    stats.add(0.010)
    assert stats.summary()["p99_ms"] == 10.0
    for millis in range(1, 101):
        stats.add(millis / 1000)
    summary = stats.summary()
    assert summary["deliveries"] == 101
    assert summary["max_ms"] == 100.0
    assert 49 <= float(summary["p50_ms"] or 0) <= 52
    assert float(summary["p99_ms"] or 0) >= 98


async def test_a_snapshot_the_feed_cannot_read_yet_is_asked_again_and_the_socket_stays_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database restarting after a crash: the resync waits for it instead of closing the board (1011)."""
    monkeypatch.setattr(hub_module, "SNAPSHOT_RETRY_SECONDS", 0.01)
    hub, socket = Hub(clock=lambda: NOW), Socket()
    tries = 0

    async def snapshot_after_two_refusals(_subscription: Subscription) -> str:
        nonlocal tries
        tries += 1
        if tries <= 2:
            raise SnapshotUnavailable
        return await snapshot_of(_subscription)

    subscription = Subscription(send=socket.send, snapshot_frame=snapshot_after_two_refusals, stats=hub.stats,
                                close=socket.close)
    hub.add(subscription)
    subscription.resync()
    for _round in range(50):
        await asyncio.sleep(0.01)
        if socket.frames:
            break
    assert [message["type"] for message in socket.messages()] == ["snapshot"]
    assert tries == 3
    assert socket.closed_with is None
    assert subscription.failure is None


async def test_a_resync_reads_its_snapshot_inside_a_task() -> None:
    """After a database restart the snapshot opens a new connection, and asyncpg's connect enters
    asyncio.timeout, which refuses to run outside a task: run eagerly, the resync failed and closed the board."""
    hub, socket = Hub(clock=lambda: NOW), Socket()

    async def snapshot_needing_a_task(subscription: Subscription) -> str:
        async with asyncio.timeout(1):
            return await snapshot_of(subscription)

    subscription = Subscription(send=socket.send, snapshot_frame=snapshot_needing_a_task, stats=hub.stats,
                                close=socket.close)
    hub.add(subscription)
    subscription.resync()
    await settle()
    assert [message["type"] for message in socket.messages()] == ["snapshot"]
    assert subscription.failure is None
    assert socket.closed_with is None
