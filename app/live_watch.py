"""Background duties of the live channel: heartbeats, closing silent sockets, and ending sockets whose login
has ended.

One query a second per process (not per socket) checks every open socket's session, so a logout, a
deactivation or a role change closes that user's boards within a second, in every worker.
"""

from __future__ import annotations

import asyncio
import logging
import time

from accounts import permissions
from accounts.sessions import still_valid_for
from app.kit.db import is_database_unavailable
from app.kit.state import AppServices
from realtime.endpoint import SILENT

logger = logging.getLogger("bedboard.realtime")

HEARTBEAT_SECONDS = 5.0
WATCH_SECONDS = 1.0
TOUCH_SECONDS = 60.0
SESSION_ENDED = 4001  # tells the page to go to the login page instead of reconnecting


async def send_heartbeats(services: AppServices, every: float = HEARTBEAT_SECONDS) -> None:
    """A heartbeat to every board, and a close (4408) for each board socket whose page has sent nothing (it pings
    every heartbeat) for ``socket_silence_seconds``: a link that died silently leaves no socket behind on the server
    either, within the silence and one beat."""
    silence = services.settings.socket_silence_seconds
    while True:
        await asyncio.sleep(every)
        services.hub.heartbeat()
        closed = services.hub.close_silent(time.monotonic() - silence, SILENT)
        if closed:
            logger.info("closed %d board socket(s) silent for more than %g s", closed, silence)


async def check_sessions_once(services: AppServices, *, touch: bool) -> int:
    ids = services.hub.session_ids()
    if not ids:
        return 0
    async with services.unit_of_work() as uow:
        valid = await still_valid_for(uow.session, session_ids=ids, action=permissions.BOARD_VIEW,
                                      now=services.clock.now(), touch=touch)
        # A hospital's screen (/ws/dispatch, issue 22) is an operator's, who has no board: its session must still
        # be an operator's. (Each socket's handshake already required the right role for its own channel.)
        if ids - valid:
            valid |= await still_valid_for(uow.session, session_ids=ids - valid,
                                           action=permissions.DISPATCH_RECEIVE, now=services.clock.now(),
                                           touch=touch)
    return await services.hub.close_sessions_except(valid, SESSION_ENDED)


async def watch_sessions(services: AppServices, every: float = WATCH_SECONDS) -> None:
    last_touch = 0.0
    while True:
        await asyncio.sleep(every)
        touch = time.monotonic() - last_touch >= TOUCH_SECONDS
        try:
            await check_sessions_once(services, touch=touch)
        except Exception as error:  # a database hiccup must not stop the watch; the next round tries again
            if is_database_unavailable(error):  # expected while it restarts: a line a second, not a trace
                logger.warning("could not check the sessions of open board sockets: the database is unavailable")
            else:
                logger.exception("could not check the sessions of open board sockets")
            continue
        if touch:
            last_touch = time.monotonic()
