"""CSRF tokens bound to the login session (or, before login, to a random pre-session cookie).

The token is an HMAC of that binding under the secret key: nothing to store, it changes at login,
and a page of one session is useless to another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ANONYMOUS_COOKIE = "bedboard_presession"
HEADER = "x-csrf-token"
FORM_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_binding() -> str:
    return secrets.token_urlsafe(24)


def token_for(secret_key: str, binding: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def is_valid(secret_key: str, binding: str | None, presented: str | None) -> bool:
    if not binding or not presented:
        return False
    return hmac.compare_digest(token_for(secret_key, binding), presented)
