"""What API requests send, checked before anything is read or written: every refusal is a 422 (or a 413
for a body too large) that names the field and says what to send instead, never a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.beds import service
from app.beds.queries import SectionFilters
from app.errors import DomainError, ValidationFailed
from app.forms import MAX_ID, check_day_in_range
from app.i18n import _

MAX_BODY_BYTES = 4096
MAX_FILTER_VALUES = 100
FREE_BEDS_FIELDS = ("free_beds", "expected_version", "reason")
REQUIRED_FIELDS = ("free_beds", "expected_version")
FILTERS = ("hospital", "section_type", "hospital_type", "updated_before", "updated_after")
CODE = re.compile(r"[a-z0-9_-]{1,40}")


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


@dataclass(frozen=True)
class FreeBedsChange:
    free_beds: int
    expected_version: int
    reason: str | None


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


async def free_beds_change(request: Request) -> FreeBedsChange:
    body = await json_object(request)
    for field in body:
        if field not in FREE_BEDS_FIELDS:
            raise invalid(_("Unknown field {field}: send free_beds, expected_version and, if needed, reason."),
                          field, field=field)
    for field in REQUIRED_FIELDS:
        if field not in body:
            raise invalid(_("The field {field} is required."), field, field=field)
    free_beds = service.check_free_beds(body["free_beds"])
    expected_version = service.check_version(body["expected_version"])
    if expected_version > MAX_ID:
        raise invalid(_("The expected version may be at most {max}."), "expected_version", max=MAX_ID)
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise invalid(_("The reason must be text."), "reason")
    return FreeBedsChange(free_beds, expected_version, service.check_reason(reason))


def _values(params: QueryParams, name: str) -> list[str]:
    # Both hospital=1&hospital=2 and hospital=1,2 are accepted.
    values = [part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip()]
    if len(values) > MAX_FILTER_VALUES:
        raise invalid(_("A filter may have at most {max} values."), name, max=MAX_FILTER_VALUES)
    return values


def _codes(values: Iterable[str], name: str) -> tuple[str, ...]:
    for value in values:
        if not CODE.fullmatch(value):
            raise invalid(_("{value} is not a code (lower-case letters, digits, - and _)."), name, value=value)
    return tuple(values)


def _moment(params: QueryParams, name: str) -> datetime | None:
    text = params.get(name)
    if text is None:
        return None
    if "T" in text:  # an unencoded "+" of an offset arrives as a space
        text = text.replace(" ", "+")
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid(_("{field} must be an ISO 8601 time with its offset, e.g. 2026-03-14T08:30:00+02:00."),
                      name, field=name) from None
    check_day_in_range(moment.date(), name)
    return moment


def section_filters(params: QueryParams) -> SectionFilters:
    for name in params:
        if name not in FILTERS:
            raise invalid(_("Unknown filter {field}."), name, field=name)
    section_types = _values(params, "section_type")
    return SectionFilters(
        hospital_ids=tuple(parse_id(value, field="hospital") for value in _values(params, "hospital")),
        section_type_ids=tuple(parse_id(value, field="section_type") for value in section_types if value.isdigit()),
        section_type_codes=_codes([value for value in section_types if not value.isdigit()], "section_type"),
        hospital_type_codes=_codes(_values(params, "hospital_type"), "hospital_type"),
        updated_before=_moment(params, "updated_before"),
        updated_after=_moment(params, "updated_after"),
    )
