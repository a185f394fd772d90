"""Reading HTML forms and path ids the same way on every page."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from starlette.requests import Request

from app.kit.errors import ValidationFailed
from app.kit.i18n import _

MAX_ID = 2**31 - 1  # the largest id a PostgreSQL integer column holds
# The days any date field accepts. The first and last days Python knows (0001-01-01, 9999-12-31) overflow
# as soon as a time zone is applied to them (a 500 in the audit filters, the chart, the board as it was and
# the licence reports); nothing this product records lies outside these years.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
DAY_OUT_OF_RANGE = _("{field} must be a date from {earliest} to {latest}.")
DAY_RANGE = {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()}  # DAY_OUT_OF_RANGE's


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day_in_range(day: date, field: str) -> None:
    """A 422 naming ``field`` for a day outside EARLIEST_DAY..LATEST_DAY."""
    if not day_in_range(day):
        raise ValidationFailed(DAY_OUT_OF_RANGE, field=field, **DAY_RANGE, details={"field": field})


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
