"""A websocket whose database is away: refused at the handshake with a 503, or closed with 1013 later.

The session lookup and the board's snapshot read the database. Without this, an error there reached
uvicorn, which logged a trace and answered the handshake with a 500 (or closed an open socket with
1011). A database that cannot be reached, or is starting up after a crash, is not our bug: the browser
is told to try again later, and the board page's reconnect loop does.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.db import is_database_unavailable, unavailability
from app.kit.error_pages import RETRY_AFTER_SECONDS

logger = logging.getLogger("bedboard.errors")

TRY_AGAIN_LATER = 1013  # RFC 6455 registry: "Try Again Later"
DENIAL_EXTENSION = "websocket.http.response"


async def guard_websocket(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    state = {"accepted": False, "closed": False}

    async def tracking_send(message: Message) -> None:
        if message["type"] == "websocket.accept":
            state["accepted"] = True
        elif message["type"] in ("websocket.close", "websocket.http.response.start"):
            state["closed"] = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except Exception as error:
        if not is_database_unavailable(error) or state["closed"]:
            raise
        logger.warning("websocket %s: the database is unavailable (%s)", scope["path"], unavailability(error))
        if state["accepted"]:
            await _close_quietly(send)
        else:
            await _deny(scope, send)


async def _deny(scope: Scope, send: Send) -> None:
    """Before accept: a plain 503 with Retry-After where the server can send one (uvicorn can), else a
    close before accept, which the server turns into a 403."""
    if DENIAL_EXTENSION not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        return
    body = b"The database is unavailable. Try again shortly.\n"
    await send({"type": "websocket.http.response.start", "status": 503,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", RETRY_AFTER_SECONDS.encode())]})
    await send({"type": "websocket.http.response.body", "body": body})


async def _close_quietly(send: Send) -> None:
    try:
        await send({"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": "database unavailable"})
    except Exception:  # the client is already gone: nothing left to tell it
        return
