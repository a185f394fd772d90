"""Every route states its permission through ``@requires(action)``; the guard enforces it.

In one place, before the endpoint runs: CSRF on unsafe methods, login, the must-change-password
rule, and the permission table. Refusals of logged-in users are audited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import csrf, permissions
from accounts.bearer import is_bearer_request
from app.kit.error_pages import audit_refusal, error_response, wants_json
from app.kit.i18n import _
from app.kit.state import current_actor, services

Endpoint = Callable[[Request], Awaitable[Response]]
PERMISSION_ATTRIBUTE = "bedboard_permission"
MUST_CHANGE_PASSWORD = _("Choose a new password first (on the account page).")
CSRF_FAILED = _("The form has expired or came from another site. Reload the page and try again.")


async def _presented_csrf_token(request: Request) -> str | None:
    header = request.headers.get(csrf.HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(csrf.FORM_FIELD)
        return value if isinstance(value, str) else None
    return None


def _origin_allowed(request: Request) -> bool:
    """A browser sends Origin on unsafe requests; one from another site is refused outright."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin in services(request).settings.allowed_origins


async def csrf_passes(request: Request) -> bool:
    if request.method not in csrf.UNSAFE_METHODS or is_bearer_request(request):
        return True  # a bearer token is never attached by a browser on its own: there is nothing to forge
    if not _origin_allowed(request):
        return False
    secret = services(request).settings.secret_key
    return csrf.is_valid(secret, request.scope.get("bedboard.csrf_binding"), await _presented_csrf_token(request))


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target if not urlsplit(target).netloc else "/"


def requires(action: str, *, while_password_must_change: bool = False) -> Callable[[Endpoint], Endpoint]:
    if action not in permissions.KNOWN_ACTIONS:
        raise ValueError(f"unknown action {action!r}: add it to accounts/permissions.py")

    def decorate(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                return await _checked(request)
            finally:
                # An uploaded part is spooled to a temporary file; a route that never reads the form (or is
                # refused before it does) would otherwise leave the file for the garbage collector.
                await request.close()

        async def _checked(request: Request) -> Response:
            if not await csrf_passes(request):
                return error_response(request, 403, CSRF_FAILED, code="csrf_failed")
            actor = current_actor(request)
            if action != permissions.PUBLIC and not actor.is_authenticated:
                if wants_json(request):
                    return error_response(request, 401, _("Please log in."))
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            if actor.must_change_password and not while_password_must_change and action != permissions.PUBLIC:
                if wants_json(request):
                    return error_response(request, 403, MUST_CHANGE_PASSWORD, code="password_change_required")
                return RedirectResponse("/account/password", status_code=303)
            if not permissions.may(actor, action):
                await audit_refusal(request, needs=action)
                return error_response(request, 403, _("You may not do this."))
            return await endpoint(request)

        setattr(guarded, PERMISSION_ATTRIBUTE, action)
        return guarded

    return decorate
