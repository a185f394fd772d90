"""The outermost layer: a request id, security headers on every response, and a plain error page for
anything unexpected (500, or 503 with Retry-After when the database cannot be reached or is still
starting up), with the trace only in the log. Websockets: see ``app.kit.websocket_faults``.
"""

from __future__ import annotations

import logging
import secrets

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.db import is_database_unavailable, unavailability
from app.kit.error_pages import STATUS_MESSAGES, error_response
from app.kit.websocket_faults import guard_websocket

logger = logging.getLogger("bedboard.errors")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def policy_allowing_images(*origins: str) -> str:
    """The policy with images also from these origins (the board map's tile server, issue 22), and ``data:`` for
    the blank tile Leaflet shows in place of one that failed; every other source stays the site's own."""
    return f"{CONTENT_SECURITY_POLICY}; img-src 'self' data: {' '.join(origins)}".rstrip()


BASE_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    def _headers_for(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        present = {key.lower() for key, _value in headers}
        added = [header for header in BASE_HEADERS if header[0] not in present]
        if self.https or scope.get("scheme") == "https":
            added.append(HSTS)
        if b"cache-control" not in present and not scope["path"].startswith("/static/"):
            # Pages show who is logged in and live numbers: never keep them in a shared or back cache.
            added.append((b"cache-control", b"no-store"))
        return [*headers, *added, (b"x-request-id", scope["bedboard.request_id"].encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await guard_websocket(self.app, scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["bedboard.request_id"] = secrets.token_hex(8)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = self._headers_for(scope, list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            if started:
                raise
            status = 503 if is_database_unavailable(error) else 500
            if status == 503:  # expected while the database restarts: one line each, not a trace each
                logger.warning("request %s answered 503: the database is unavailable (%s)",
                               scope["bedboard.request_id"], unavailability(error))
            else:
                logger.exception("request %s failed with %s", scope["bedboard.request_id"], status)
            response = error_response(Request(scope), status, STATUS_MESSAGES[status])
            await response(scope, receive, send_with_headers)
