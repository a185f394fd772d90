"""Set-Cookie headers for the session and pre-session cookies, with the same flags everywhere."""

from __future__ import annotations

from starlette.responses import Response

from accounts.csrf import ANONYMOUS_COOKIE
from app.settings import Settings


def set_cookie_header(settings: Settings, name: str, value: str, *, clear: bool = False) -> tuple[bytes, bytes]:
    carrier = Response()
    if clear:
        carrier.delete_cookie(name, path="/", secure=settings.uses_https, httponly=True, samesite="lax")
    else:
        carrier.set_cookie(name, value, path="/", secure=settings.uses_https, httponly=True, samesite="lax")
    return next((key, raw) for key, raw in carrier.raw_headers if key == b"set-cookie")


def presession_cookie_name(settings: Settings) -> str:
    return f"__Host-{ANONYMOUS_COOKIE}" if settings.uses_https else ANONYMOUS_COOKIE


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.raw_headers.append(set_cookie_header(settings, settings.session_cookie_name, token))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.raw_headers.append(set_cookie_header(settings, settings.session_cookie_name, "", clear=True))
