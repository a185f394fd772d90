"""``GET /metrics``: the app's figures (``app/kit/metrics.py``) for a Prometheus scraper, and who may read them.

Here in the assembly, not in the kit, because the route states its permission through accounts' guard."""

from __future__ import annotations

import hmac
import ipaddress

from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.metrics import Metrics
from app.kit.state import client_address


def _from_loopback(request: Request) -> bool:
    """Only a process on this machine, talking to the server directly: a request relayed by a proxy on the
    same machine comes from loopback too, so any forwarding header disqualifies it."""
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False


def _bearer(request: Request) -> str | None:
    scheme, _space, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@requires(permissions.PUBLIC)
async def metrics_endpoint(request: Request) -> Response:
    """Public as a route (a scraper has no session); its own check: the configured token, or loopback when no
    token is configured. Anything else gets 404, as if there were no such page (403 for a wrong token)."""
    expected: str | None = request.app.state.services.settings.metrics_token
    presented = _bearer(request)
    if expected:
        if presented is None:
            return PlainTextResponse("Not Found", status_code=404)
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            return PlainTextResponse("Forbidden", status_code=403)
    elif not _from_loopback(request):
        return PlainTextResponse("Not Found", status_code=404)
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


route = Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics")
