"""Notices (the alerts' frames) go only to the subscribers of their audience, and a resuming subscriber holds them
like changes: released once, in order, when the backfill did not already cover them."""

from __future__ import annotations

import asyncio
import json

from realtime.hub import Change, Hub, Notice, Subscription
from realtime.stats import DelayStats
from tests.realtime.test_hub import NOW, Socket, item, snapshot_of


def subscriber(hub: Hub, audience: frozenset[str]) -> tuple[Subscription, Socket]:
    socket = Socket()
    subscription = Subscription(send=socket.send, snapshot_frame=snapshot_of, stats=DelayStats(), audience=audience)
    hub.add(subscription)
    return subscription, socket


def notice(seq: int, *labels: str) -> Notice:
    return Notice(seq=seq, audience=frozenset(labels), frame=json.dumps({"type": "alert", "seq": seq}))


async def test_a_notice_reaches_its_audience_only() -> None:
    hub = Hub(clock=lambda: NOW)
    _own, own_socket = subscriber(hub, frozenset({"user:5", "org:2"}))
    _colleague, colleague_socket = subscriber(hub, frozenset({"user:6", "org:2"}))
    _other, other_socket = subscriber(hub, frozenset({"user:7", "org:3"}))
    _auditor, auditor_socket = subscriber(hub, frozenset())
    hub.notify(notice(10, "user:5"))
    hub.notify(notice(11, "org:2"))
    await asyncio.sleep(0)
    assert [m["seq"] for m in own_socket.messages()] == [10, 11]
    assert [m["seq"] for m in colleague_socket.messages()] == [11]
    assert other_socket.frames == auditor_socket.frames == []


async def test_a_resuming_subscriber_gets_held_notices_after_its_backfill() -> None:
    hub = Hub(clock=lambda: NOW)
    subscription, socket = subscriber(hub, frozenset({"org:2"}))
    subscription.held = []
    hub.notify(notice(4, "org:2"))  # already in the backfill up to 5
    hub.publish(Change(seq=7, item=item(1), committed_at=0.0))
    hub.notify(notice(6, "org:2"))
    subscription.release(5, NOW)
    await asyncio.sleep(0)
    assert [(m["type"], m["seq"]) for m in socket.messages()] == [("alert", 6), ("change", 7)]
