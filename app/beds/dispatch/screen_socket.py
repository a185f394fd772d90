"""The hospital's live channel (``/ws/dispatch``): an operator's screen is told of its own hospital's announcements
and nothing else.

Operators have no board socket (DESIGN.md), so this is a socket of its own on the app's one hub, with the same
endpoint, handshake rules and heartbeats as the board's (realtime/endpoint.py): a logged-in operator's session,
the site's own ``Origin``. Its only label is ``hospital:<id>`` of the operator's own hospital, so a notice for
another hospital never matches, and its filter matches no bed change (the operator's screen is not a board). A
snapshot carries the hospital's open announcements; a resume is a fresh snapshot (a handful of rows), so nothing
missed while away is lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from accounts import permissions
from app.beds.board_routes import from_own_site
from app.beds.dispatch.audience import hospital_label
from app.beds.dispatch.queries import open_for_hospitals
from app.kit.state import current_actor
from realtime.endpoint import Backfill, BoardSocket, Viewer
from realtime.filters import Filter
from realtime.hub import Hub


class NoBedChanges:
    """An operator's screen takes no bed change from the hub, only its hospital's notices."""

    def matches(self, item: Mapping[str, Any], now: datetime) -> bool:
        return False


NO_BED_CHANGES = NoBedChanges()


def parse_filters(_raw: object) -> Filter:
    return NO_BED_CHANGES


class NoSections:
    """The endpoint's feed: no items, so every subscribe is a snapshot of the announcements alone."""

    epoch = "dispatch"

    async def snapshot(self, filters: Filter) -> tuple[int, list[dict[str, Any]], str]:
        return 0, [], "[]"

    async def backfill(self, since: int, filters: Filter) -> Backfill | None:
        return None


def hospitals_of(audience: frozenset[str]) -> set[int]:
    prefix = hospital_label(0)[:-1]
    return {int(label[len(prefix):]) for label in audience if label.startswith(prefix) and label[len(prefix):]
            .isdigit()}


class HospitalAnnouncements:
    """The socket's ``NoticeFeed``: the hospital's open announcements, with each snapshot."""

    notices_key = "announcements"

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def current(self, audience: frozenset[str]) -> str:
        async with self._session_factory() as session, session.begin():
            found = await open_for_hospitals(session, hospitals_of(audience))
        return json.dumps(found, separators=(",", ":"), ensure_ascii=False)

    async def since(self, audience: frozenset[str], since: int, until: int) -> list[str]:
        return []  # never asked: a resume is a snapshot (NoSections.backfill)


async def authorise(websocket: WebSocket) -> Viewer | None:
    """Before accept: an operator's live session, from the site's own pages; labelled with their hospital only."""
    if not from_own_site(websocket):
        return None
    actor = current_actor(websocket)
    if (actor.must_change_password or actor.session_id is None or actor.organisation_id is None
            or actor.organisation_kind != "hospital" or not permissions.may(actor, permissions.DISPATCH_RECEIVE)):
        return None
    return Viewer(user_id=actor.user_id, session_id=actor.session_id,
                  audience=frozenset({hospital_label(actor.organisation_id)}))


def make_socket(hub: Hub, session_factory: async_sessionmaker[AsyncSession], now: Any) -> BoardSocket:
    return BoardSocket(hub, NoSections(), authorise, now, parse_filters=parse_filters,
                       notices=HospitalAnnouncements(session_factory))
