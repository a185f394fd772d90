"""Reading HTML forms and path ids the same way on every page."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

MAX_ID = 2**31 - 1  # the largest id a PostgreSQL integer column holds


def positive_id(text: str) -> int | None:
    """A database id from a path or a form, or None for anything else ("1e3", "-1", "٣", 2**40)."""
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID else None


async def form_text(request: Request, *names: str) -> dict[str, str]:
    """The named fields as text; a missing field or an uploaded file reads as ""."""
    form = await request.form()
    return {name: value if isinstance(value := form.get(name), str) else "" for name in names}


def carry_file(data: bytes) -> str:
    """An uploaded file as text for a hidden field, so that a preview's confirmation sends it back unchanged."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def carried_file(text: str) -> bytes:
    """The file a preview put in the form; empty when it did not come back whole (the caller checks it again)."""
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b""
