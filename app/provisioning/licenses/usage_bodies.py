"""The licence-usage feed's bodies, declared once: the batch it reads (each RUN normalised and each time read as
it is checked) and the answers it writes; app/provisioning/licenses/openapi.py describes them from here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal, NotRequired

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, with_config
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

from app.kit.api_bodies import Body
from app.kit.forms import DAY_OUT_OF_RANGE, DAY_RANGE, day_in_range
from app.kit.i18n import _
from app.provisioning.core.refusals import InvalidValue, Reason
from app.provisioning.licenses.collaborators import normalise_run

MAX_USES = 5000
# A sender with a broken feed gets the first errors, enough to see the pattern, not a megabyte of them.
MAX_LISTED_ERRORS = 100
REFUSED = "invalid_value"  # the kind of a problem whose reason (ctx "reason") is already in our words
# RFC 3339: a full date, "T" (or a space), a full time and an offset; fromisoformat alone takes more (week dates,
# basic format, no offset).
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
TIME_FORMAT = _("Give last_used_at as an RFC 3339 time with its offset, e.g. 2026-10-01T12:00:00Z.")


def parse_moment(text: str) -> datetime:
    if not RFC_3339.fullmatch(text):
        raise InvalidValue(TIME_FORMAT)
    digits = re.sub(r"\.(\d{6})\d+", r".\1", text.upper())  # Python keeps microseconds; more digits are noise
    try:
        moment = datetime.fromisoformat(digits).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidValue(_("{value} is not a real date and time."), value=text) from None
    if not day_in_range(moment.date()):  # year 1 would be stored, then overflow when shown
        raise InvalidValue(DAY_OUT_OF_RANGE, field="last_used_at", **DAY_RANGE)
    return moment


def _refused(reason: Reason) -> PydanticCustomError:
    return PydanticCustomError(REFUSED, "{text}", {"text": reason.text(), "reason": reason})


def _run(text: str) -> str:
    try:
        return normalise_run(text)
    except InvalidValue as refused:
        raise _refused(refused.reason) from None


def _moment(value: object) -> object:
    """Text becomes the time it names (or a refusal in our words); anything else is left to the type check."""
    if not isinstance(value, str):
        return value
    try:
        return parse_moment(value)
    except InvalidValue as refused:
        raise _refused(refused.reason) from None


class UsageItem(Body):
    run: Annotated[str, AfterValidator(_run)] = Field(
        examples=["12345678-5"], description="The RUN; dots, spaces and a lower-case k are accepted and normalised.")
    last_used_at: Annotated[datetime, BeforeValidator(_moment)] = Field(
        description="RFC 3339 with its offset, e.g. 2026-10-01T12:00:00Z. A later time than the server's counts as "
                    "now; an older one than recorded changes nothing.")


class UsageBatch(Body):
    uses: list[UsageItem] = Field(min_length=1, max_length=MAX_USES, description=(
        "All or nothing: one invalid item refuses the batch (422) and nothing is recorded."))


CLOSED = ConfigDict(extra="forbid")


@with_config(CLOSED)
class UsageResult(TypedDict):
    updated: Annotated[int, Field(ge=0, description="Licences whose last use moved later.")]
    unchanged: Annotated[int, Field(ge=0, description="Licences that already had this use or a later one.")]
    unknown_runs: Annotated[list[str], Field(description="RUNs (normalised) without an active licence in the "
                                                         "token's health service.")]


@with_config(CLOSED)
class UsageItemError(TypedDict):
    index: Annotated[int, Field(ge=0, description="The item's position in uses, from 0.")]
    field: Annotated[str, Field(description="run, last_used_at, item (not an object) or an unknown field's name.")]
    message: str


class UsageRefusalDetails(TypedDict):
    field: str
    error_count: NotRequired[int]
    errors: NotRequired[Annotated[list[UsageItemError], Field(max_length=MAX_LISTED_ERRORS)]]


@with_config(CLOSED)
class UsageRefusalError(TypedDict):
    code: Literal["validation_failed"]
    message: str
    details: UsageRefusalDetails
    request_id: str


@with_config(CLOSED)
class UsageRefusal(TypedDict):
    error: UsageRefusalError
