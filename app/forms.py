"""Reading HTML forms and path ids the same way on every page."""

from __future__ import annotations

from starlette.requests import Request

MAX_ID = 2**31 - 1  # the largest id a PostgreSQL integer column holds


def positive_id(text: str) -> int | None:
    """A database id from a path or a form, or None for anything else ("1e3", "-1", "٣", 2**40)."""
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID else None


async def form_text(request: Request, *names: str) -> dict[str, str]:
    """The named fields as text; a missing field or an uploaded file reads as ""."""
    form = await request.form()
    return {name: value if isinstance(value := form.get(name), str) else "" for name in names}
