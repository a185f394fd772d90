"""Errors as a person (HTML) or a program (JSON) expects them: never a trace, never a bare 500 for bad input."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.kit.errors import DomainError, PermissionDenied
from app.kit.i18n import _, translate
from app.kit.route_templates import route_template
from app.kit.state import current_actor, request_id, services
from app.kit.templating import language_of, render

logger = logging.getLogger("bedboard.errors")

STATUS_MESSAGES = {
    400: _("The request could not be understood."),
    401: _("Please log in."),
    403: _("You may not do this."),
    404: _("There is no such page."),
    405: _("This address does not accept that kind of request."),
    409: _("Someone changed this in the meantime."),
    413: _("The request is too large."),
    422: _("Some of the input is not valid."),
    429: _("Too many requests. Wait a little and try again."),
    500: _("Something went wrong on our side. The error has been logged."),
    503: _("The service is temporarily unavailable (the database cannot be reached). Try again shortly."),
}
RETRY_AFTER_SECONDS = "5"
STATUS_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                409: "conflict", 413: "too_large", 422: "validation_failed", 429: "too_many_requests",
                500: "internal_error", 503: "unavailable"}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if request.url.path.startswith("/api/") or request.url.path in ("/health", "/ready"):
        return True
    return ("application/json" in accept and "text/html" not in accept)


def error_response(
    request: Request, status: int, message: str, *, code: str | None = None,
    params: Mapping[str, Any] | None = None, details: Mapping[str, Any] | None = None,
) -> Response:
    code = code or STATUS_CODES.get(status, "error")
    if wants_json(request):
        shown = {key: value.isoformat() if isinstance(value, datetime) else value
                 for key, value in (params or {}).items()}
        text = translate(language_of(request), message, **shown)
        body = {"error": {"code": code, "message": text, "details": dict(details or {}),
                          "request_id": request_id(request)}}
        # RFC 9110: a 401 names how to authenticate; programs use a bearer token.
        headers = {"www-authenticate": 'Bearer realm="bedboard"'} if status == 401 else None
        return _retry_later(JSONResponse(body, status_code=status, headers=headers))
    return _retry_later(_html_error(request, status, message, params or {}))


def _retry_later(response: Response) -> Response:
    """A 503 is temporary (the database is restarting or recovering after a crash; tests/test_database_faults.py
    measured the servers ready 0.6 s after PostgreSQL accepted connections again): RFC 9110's Retry-After
    tells programs when to try again."""
    if response.status_code == 503:
        response.headers["retry-after"] = RETRY_AFTER_SECONDS
    return response


def _html_error(request: Request, status: int, message: str, params: Mapping[str, Any]) -> Response:
    return render(request, "error.html", {"status": status, "message": message, "params": params},
                  status_code=status)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, STATUS_MESSAGES.get(exc.status_code, STATUS_MESSAGES[400]))


async def audit_refusal(request: Request, *, needs: str, details: Mapping[str, Any] | None = None) -> None:
    """A refused attempt is audited in a transaction of its own: the refused one was rolled back. Repeats of one
    actor, route and need within a minute are counted and written as one event (app/kit/refusal_ledger.py)."""
    app_services = services(request)
    await app_services.refusals.record(app_services.unit_of_work, clock=app_services.clock,
                                       actor=current_actor(request), method=request.method,
                                       route=route_template(request.scope), path=request.url.path, needs=needs,
                                       details=details or {})


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, PermissionDenied):
        await audit_refusal(request, needs=exc.code, details=exc.details)
    return error_response(request, exc.status, exc.message, code=exc.code, params=exc.params,
                          details=exc.details)
