"""The bed API's own input: a free-beds change (declared in app/beds/api_bodies.py) and the section filters,
refused with a 422 naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.beds.api_bodies import FreeBedsChange, free_beds_refusal
from app.beds.queries import SectionFilters
from app.kit.api_bodies import read_body
from app.kit.api_parsing import invalid, parse_id
from app.kit.forms import check_day_in_range
from app.kit.i18n import _

MAX_FILTER_VALUES = 100
FILTERS = ("hospital", "section_type", "hospital_type", "updated_before", "updated_after")
CODE = re.compile(r"[a-z0-9_-]{1,40}")


async def free_beds_change(request: Request) -> FreeBedsChange:
    """The body as its declaration (app/beds/api_bodies.py), refused with today's messages."""
    return await read_body(request, FreeBedsChange, free_beds_refusal)


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
