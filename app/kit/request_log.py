"""One log line and one metrics observation per HTTP request, with the route template as its name.

The route template (``/api/v1/roles/login-tickets/{employee}``), not the path, names a request: it bounds
the metrics' label values to the route table, and keeps ids out of the log. The query string, the headers
and the body are never read here: a search for a personal number (``?q=``), a login form, a bearer token
and the session cookie stay out of the log. uvicorn's access log, which prints the raw path with its query
string, is turned off by ``bedboard serve``.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.logs import FIELDS
from app.kit.metrics import Metrics
from app.kit.route_templates import route_template
from app.kit.state import current_actor, request_id

logger = logging.getLogger("bedboard.requests")
# The method is the client's to choose (any token parses): anything else is one label value, so that a
# scanner sending made-up methods cannot grow the number of series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestLog:
    """Outermost of the app's middleware, so it sees the final status (the 500 or 503 page of
    SecurityMiddleware included) and the request id that SecurityMiddleware put in the scope."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            method = str(scope.get("method", "-"))
            method, route = method if method in METHODS else "OTHER", route_template(scope)
            self.metrics.observe_request(method, route, status, seconds)
            duration_ms = round(seconds * 1000, 1)
            connection = HTTPConnection(scope)
            request, user_id = request_id(connection), current_actor(connection).user_id
            actor = "-" if user_id is None else str(user_id)
            logger.info("%s %s %s %.1fms request=%s actor=%s", method, route, status, duration_ms, request,
                        actor, extra={FIELDS: {"method": method, "route": route, "status": status,
                                               "duration_ms": duration_ms, "request_id": request,
                                               "actor_id": actor}})
