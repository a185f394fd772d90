"""What any JSON API request sends, checked before anything is read or written: every refusal is a 422 (or a 413
for a body too large) that names the field and says what to send instead, never a 500.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from starlette.requests import Request

from app.kit.errors import DomainError, ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _

MAX_BODY_BYTES = 4096


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


def invalid(message: str, field: str, /, **params: object) -> ValidationFailed:
    return ValidationFailed(message, details={"field": field}, **params)


def parse_id(text: str, *, field: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise invalid(_("{field} must be a whole number from 1 to {max}."), field, field=field, max=MAX_ID)
    return int(text)


def _check_content_type(header: str | None) -> None:
    media_type = (header or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise invalid(_("Send JSON with Content-Type: application/json."), "Content-Type")


async def _read_body(request: Request, max_bytes: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:  # stop reading: a client may not make us buffer without limit
            raise BodyTooLarge(_("The body may have at most {max} bytes."), max=max_bytes,
                               details={"field": "body"})
    return bytes(body)


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    for key in keys:
        if keys.count(key) > 1:  # json would keep the last silently; a client that sends two means neither
            raise invalid(_("The field {field} is given more than once."), key, field=key)
    return dict(pairs)


def _no_constants(name: str) -> NoReturn:
    raise invalid(_("{value} is not a number JSON allows."), "body", value=name)


def _decoded(body: bytes) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid(_("The body is not valid UTF-8 text."), "body") from None
    try:
        return json.loads(text, object_pairs_hook=_object_without_repeats, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise ValidationFailed(_("The body is not valid JSON (line {line}, column {column})."), line=error.lineno,
                               column=error.colno, details={"field": "body", "problem": error.msg}) from None
    except (ValueError, RecursionError):  # too deeply nested, or an integer too long to read
        raise invalid(_("The body is not valid JSON."), "body") from None


async def json_object(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object; ``max_bytes`` for an endpoint that takes batches (the licence-usage feed)."""
    _check_content_type(request.headers.get("content-type"))
    value = _decoded(await _read_body(request, max_bytes))
    if not isinstance(value, dict):
        raise invalid(_("The body must be a JSON object."), "body")
    return value
