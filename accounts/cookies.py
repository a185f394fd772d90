"""Set-Cookie headers for the session and pre-session cookies, with the same flags everywhere."""

from __future__ import annotations

from starlette.responses import Response

from accounts.csrf import ANONYMOUS_COOKIE
from app.kit.settings import Settings


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


def _cookie_name(set_cookie_value: bytes) -> bytes:
    return set_cookie_value.split(b"=", 1)[0].strip()


def without_overridden(extra_headers: list[tuple[bytes, bytes]],
                       response_headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The middleware's Set-Cookie headers less those for a cookie the response sets itself.

    The response knows better: a login answered to a browser that still sent an ended session's cookie sets the
    new session's cookie, and the middleware's "forget the stale cookie" header, coming after it, would clear it
    again and leave the user logged out.
    """
    own = {_cookie_name(value) for key, value in response_headers if key.lower() == b"set-cookie"}
    return [(key, value) for key, value in extra_headers
            if key.lower() != b"set-cookie" or _cookie_name(value) not in own]
