"""The live board socket (``/ws/beds``): handshake checks, subscribe with filters, snapshot or resume.

The protocol is DESIGN.md's "Realtime protocol". What a snapshot or a backfill contains comes from a
``Feed`` the application provides, and what the client's filters mean from its ``FilterParser``, so this
module knows nothing of beds.
"""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect

from realtime.filters import MAX_FRAME_DEPTH, Filter, FilterError, FilterParser, frame_problem
from realtime.hub import Hub, Subscription, dumps

MAX_FRAME_BYTES = 64 * 1024
MAX_MESSAGES_PER_MINUTE = 100
# Pings are counted apart: a page pings every heartbeat but at most once a second (60 a minute), and a ping
# costs the server a timestamp, so the 100 a minute stay for the messages that make it read the database.
MAX_PINGS_PER_MINUTE = 120
POLICY_VIOLATION = 1008
TOO_BIG = 1009
# Closes a socket the server has heard nothing from past the page's watchdog (like HTTP's 408 timeout).
SILENT = 4408


@dataclass(frozen=True)
class _SharedFrame:
    """The last snapshot frame built, given as it is to the next sockets with the same sections and notices (the
    feed hands out one text per state and filters): 5,000 boards reconnecting would each copy a 700 KB frame
    otherwise, a quarter of the server's CPU in the storm (py-spy, bench/reconnect.py). Its ``server_time``
    is at most SHARED_FRAME_SECONDS old: the page reads it for its clock offset, ages shown in minutes."""

    sections: str
    notices: str | None
    resync: bool
    built_at: float
    frame: str


SHARED_FRAME_SECONDS = 0.25
KEPT_SELECTIONS = 8


@dataclass(frozen=True)
class Backfill:
    frames: list[str]
    last_seq: int


class Feed(Protocol):
    """Where the board's items come from. A snapshot is the sequence number it is as of, the matching items,
    and the same items as one JSON array (a feed may keep it ready: it is most of a large snapshot's time)."""

    epoch: str

    async def snapshot(self, filters: Filter) -> tuple[int, list[dict[str, Any]], str]: ...

    async def backfill(self, since: int, filters: Filter) -> Backfill | None: ...


class NoticeFeed(Protocol):
    """Where a viewer's notices come from (the alerts): those open now, as one JSON array that a snapshot carries
    under ``notices_key``, and the frames numbered after ``since`` up to ``until`` for a resume. Audiences are
    the domain's labels (``Viewer.audience``)."""

    notices_key: str

    async def current(self, audience: frozenset[str]) -> str: ...

    async def since(self, audience: frozenset[str], since: int, until: int) -> list[str]: ...


@dataclass(frozen=True)
class Viewer:
    """Who holds the socket, decided by the application before the socket is accepted; ``audience`` says which
    notices reach it (empty: none)."""

    user_id: int | None
    session_id: int | None
    audience: frozenset[str] = frozenset()


Authorise = Callable[[WebSocket], Awaitable[Viewer | None]]


class BoardSocket:
    def __init__(self, hub: Hub, feed: Feed, authorise: Authorise, now: Callable[[], datetime], *,
                 parse_filters: FilterParser, notices: NoticeFeed | None = None) -> None:
        self.hub, self.feed, self.authorise, self.now = hub, feed, authorise, now
        # What the client's filters mean is the feed's domain's to say; the hub only calls their predicate.
        self.parse_filters = parse_filters
        self.notices = notices
        self._audience_of: Callable[[WebSocket], frozenset[str]] | None = None
        # The last list of items given to the hub: 5,000 boards reconnecting with one filter remember it once.
        # Lists and frames of the last few selections: boards subscribe with a few filters in turn.
        self._remembered: list[list[dict[str, Any]]] = []
        self._frames: list[_SharedFrame] = []

    def carry_notices(self, notices: NoticeFeed, audience_of: Callable[[WebSocket], frozenset[str]]) -> None:
        """Another domain's notices ride on this socket (the alerts on the bed board's): ``audience_of`` names, at
        the handshake, the labels of who holds it, beside those its ``authorise`` gave."""
        self.notices, self._audience_of = notices, audience_of

    async def snapshot(self, filters: Filter, *, resync: bool,
                       audience: frozenset[str] = frozenset()) -> tuple[int, str]:
        seq, sections, sections_json = await self.feed.snapshot(filters)
        if not any(sections is kept for kept in self._remembered):  # a feed shares a list among equal filters
            self.hub.remember(sections)
            self._remembered = [*self._remembered[-(KEPT_SELECTIONS - 1):], sections]
        # Read after the sections: a notice numbered after ``seq`` may come again live; the page keys them by id.
        notices = await self.notices.current(audience) if self.notices is not None and audience else None
        fresh_since = time.monotonic() - SHARED_FRAME_SECONDS
        for kept in self._frames:
            if (kept.sections is sections_json and kept.notices is notices and kept.resync == resync
                    and kept.built_at > fresh_since):
                return seq, kept.frame
        head = dumps({"type": "snapshot", "seq": seq, "epoch": self.feed.epoch, "resync": resync,
                      "server_time": self.now().isoformat()})
        if notices is not None and self.notices is not None:
            head = f'{head[:-1]},"{self.notices.notices_key}":{notices}}}'
        frame = f'{head[:-1]},"sections":{sections_json}}}'
        self._frames = [*(kept for kept in self._frames[-(KEPT_SELECTIONS - 1):] if kept.built_at > fresh_since),
                        _SharedFrame(sections_json, notices, resync, time.monotonic(), frame)]
        return seq, frame

    async def resync_frame(self, subscription: Subscription) -> str:
        return (await self.snapshot(subscription.filters, resync=True, audience=subscription.audience))[1]

    async def __call__(self, websocket: WebSocket) -> None:
        viewer = await self.authorise(websocket)
        if viewer is None:
            await websocket.close(code=POLICY_VIOLATION)  # before accept: the handshake is refused
            return
        await websocket.accept()
        audience = viewer.audience | (self._audience_of(websocket) if self._audience_of else frozenset())
        subscription = Subscription(send=websocket.send_text, stats=self.hub.stats,
                                    snapshot_frame=self.resync_frame,
                                    user_id=viewer.user_id, session_id=viewer.session_id, audience=audience,
                                    close=lambda code: websocket.close(code=code))
        subscription.held = []  # nothing is delivered before the first subscribe
        self.hub.add(subscription)
        try:
            await self._receive(websocket, subscription)
        finally:
            self.hub.remove(subscription)
            subscription.stop()

    async def _receive(self, websocket: WebSocket, subscription: Subscription) -> None:
        # Only the socket is awaited, no sender task beside it: when delivery fails the subscription closes
        # the socket, and this loop hears that as a disconnect (an idle socket costs no task of its own).
        recent: list[float] = []
        pings: list[float] = []
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            subscription.heard_at = time.monotonic()  # any message shows the client and its link are alive
            text = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            if len(text.encode()) > MAX_FRAME_BYTES:
                await websocket.close(code=TOO_BIG)
                return
            if _is_ping(text):
                if _too_chatty(pings, MAX_PINGS_PER_MINUTE):
                    await websocket.close(code=POLICY_VIOLATION, reason="more than 120 pings a minute")
                    return
                continue  # nothing to answer: the heartbeats already tell the client the server is there
            if _too_chatty(recent, MAX_MESSAGES_PER_MINUTE):
                await websocket.close(code=POLICY_VIOLATION, reason="more than 100 messages a minute")
                return
            await self._handle(websocket, subscription, text)

    async def _handle(self, websocket: WebSocket, subscription: Subscription, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            await _error(websocket, "invalid_json", "Messages are JSON objects.")
            return
        except RecursionError:  # a 64 KiB frame holds 32,000 brackets: the parser's recursion limit
            await _error(websocket, "too_deep", f"Messages nest at most {MAX_FRAME_DEPTH} levels deep.")
            return
        problem = frame_problem(message)
        if problem is not None:
            await _error(websocket, *problem)
            return
        if not isinstance(message, dict) or message.get("type") != "subscribe":
            await _error(websocket, "unknown_message",
                         "The messages are {\"type\": \"subscribe\", ...} and {\"type\": \"ping\"}.")
            return
        try:
            filters = self.parse_filters(message.get("filters"))
        except FilterError as error:
            await _error(websocket, "invalid_filters", str(error))
            return
        since = message.get("since")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            await _error(websocket, "invalid_since", "since is a sequence number or null.")
            return
        await self._subscribe(subscription, filters, since, message.get("epoch"))

    async def _subscribe(self, subscription: Subscription, filters: Filter, since: int | None,
                         epoch: object) -> None:
        """Hold live changes, backfill (or snapshot), then release what the backfill did not cover."""
        subscription.held = subscription.held if subscription.held is not None else []
        subscription.filters = filters
        backfill = None
        if since is not None and epoch == self.feed.epoch:
            backfill = await self.feed.backfill(since, filters)
        if backfill is None:
            seq, frame = await self.snapshot(filters, resync=since is not None, audience=subscription.audience)
            subscription.offer((frame, None))
            subscription.release(seq, self.now())
            return
        for frame in backfill.frames:
            subscription.offer((frame, None))
        if self.notices is not None and subscription.audience and since is not None:
            for frame in await self.notices.since(subscription.audience, since, backfill.last_seq):
                subscription.offer((frame, None))
        # Says that the backfill is complete (it may have been empty): the page shows "Live" again only now.
        subscription.offer((dumps({"type": "resumed", "seq": backfill.last_seq, "epoch": self.feed.epoch,
                                   "server_time": self.now().isoformat()}), None))
        subscription.release(backfill.last_seq, self.now())


def _too_chatty(recent: list[float], limit: int) -> bool:
    """The times of the last minute's messages, oldest first (a list: an empty deque alone holds 0.6 KiB,
    and every socket keeps one)."""
    now = time.monotonic()
    recent.append(now)
    del recent[:bisect.bisect_left(recent, now - 60)]
    return len(recent) > limit


def _is_ping(text: str) -> bool:
    """``{"type":"ping"}``, however spaced; only a short frame is parsed for it."""
    if len(text) > 40:
        return False
    try:
        return bool(json.loads(text) == {"type": "ping"})
    except ValueError:
        return False


async def _error(websocket: WebSocket, code: str, message: str) -> None:
    try:
        await websocket.send_text(dumps({"type": "error", "code": code, "message": message}))
    except (WebSocketDisconnect, RuntimeError):
        return
