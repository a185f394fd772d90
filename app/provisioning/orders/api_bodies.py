"""The bodies the IT orders API reads, declared once: a new order and a task step. The declarations check them
(api_routes.py) and describe them (openapi.py); the refusals keep the hand parser's words and order.

What the services check after trimming (a note's or a reason's length, which actions exist, the answers to the
event's questions) stays in the services, where the pages' forms meet the same rules; the declarations only
document those limits, so that a body is not refused here with other words than a form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, JsonValue, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.kit.api_bodies import MISSING, Body, Problem
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.provisioning.orders import people, placing, working

MAX_KEY = 60  # catalogue, event and task keys, action names
ORDER_FIELDS = ("catalogue", "event", "answers", "planned_date", "person_id", "new_person", "subject_organisation_id",
                "note")
NEW_PERSON_FIELDS = ("full_name", "hsa_id")
TASK_FIELDS = ("action", "external_reference", "reason")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_LENGTH = 10
NOT_A_DATE = "date_format"
ANSWER_SCHEMA = {"type": ["boolean", "string", "integer", "array"], "items": {"type": "string"}}
# Checked by the event's questions (answers.py), which name each wrong answer; here only documented.
Answer = Annotated[Any, WithJsonSchema(ANSWER_SCHEMA)]
Key = Annotated[str, Field(max_length=MAX_KEY)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _iso_date(value: object) -> object:
    """YYYY-MM-DD only: fromisoformat would also take 20260401 and 2026-W14-3."""
    if not isinstance(value, str):
        return value  # null is no date (the service says why an order needs one); the rest is not text
    if len(value) > DATE_LENGTH:
        raise PydanticCustomError("string_too_long", "too long", {"max_length": DATE_LENGTH})
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(NOT_A_DATE, "not a date") from None


class NewPersonBody(Body):
    full_name: str = Field(max_length=people.MAX_NAME)
    hsa_id: Key | None = None


# The fields in the order the hand parser checked them: the first problem found is the one named.
class NewOrder(Body):
    answers: dict[str, Answer] = Field(default_factory=dict, description=(
        "Each question the event asks, by key: yes/no as booleans, lists as lists of text, dates as YYYY-MM-DD."))
    person_id: Id | None = Field(default=None, description="For a person order: someone already listed.")
    new_person: NewPersonBody | None = None
    catalogue: Key = Field(examples=["skane_audiology"])
    event: Key = Field(examples=["new_user"])
    planned_date: Annotated[date | None, BeforeValidator(_iso_date)] = Field(
        default=None, description="The day the change takes effect.")
    subject_organisation_id: Id | None = Field(
        default=None, description="For a subcontractor's order, placed by its main contractor.")
    note: str | None = Field(default=None, json_schema_extra={"maxLength": placing.MAX_NOTE})


class TaskStep(Body):
    action: Key = Field(json_schema_extra={"enum": list[JsonValue](sorted(working.TASK_ACTIONS))})
    external_reference: str | None = Field(default=None, description="Required by await_external: the ticket "
                                                                     "number.")
    reason: str | None = Field(default=None, description="Required by skip and fail.",
                               json_schema_extra={"maxLength": working.MAX_REASON})


def _message(problem: Problem, known: tuple[str, ...]) -> ValidationFailed:
    field, kind = problem.field, problem.kind
    details = {"field": field}
    if problem.unknown:
        return ValidationFailed(_("Unknown field {key}; the fields here are: {known}."), details=details,
                                key=problem.place[-1], known=", ".join(known))
    if field == "answers":
        return ValidationFailed(_("The answers must be an object: each question's key and its answer."),
                                details=details)
    if field in ("person_id", "subject_organisation_id"):
        return ValidationFailed(_("{field} must be a whole number from 1 to {max}."), details=details, field=field,
                                max=MAX_ID)
    if field == "new_person":
        return ValidationFailed(_("new_person must be an object with full_name and, if known, hsa_id."),
                                details=details)
    if kind == NOT_A_DATE:
        return ValidationFailed(_("Give a date as YYYY-MM-DD."), details=details)
    if kind == MISSING or problem.value is None:  # a required text sent as null counts as missing
        return ValidationFailed(_("The field {key} is missing."), details=details, key=field)
    if kind == "string_too_long":
        return ValidationFailed(_("{field} must be a text of at most {limit} characters."), details=details,
                                field=field, limit=problem.limits["max_length"])
    return ValidationFailed(_("{field} must be text."), details=details, field=field)


def _known(problem: Problem, top: tuple[str, ...]) -> tuple[str, ...]:
    return NEW_PERSON_FIELDS if problem.place[0] == "new_person" else top


def _first(problems: list[Problem]) -> Problem:
    """The body's unknown fields first (a new person's are checked with the person), then field by field."""
    return sorted(problems, key=lambda problem: not (problem.unknown and len(problem.place) == 1))[0]


def names_both(body: Mapping[str, object]) -> bool:
    return body.get("person_id") is not None and body.get("new_person") is not None


BOTH = _("Name the person either by person_id or as new_person, not both.")


def order_refusal(body: Mapping[str, object], problems: list[Problem]) -> ValidationFailed:
    first = _first(problems)
    checked_before_both = first.unknown and len(first.place) == 1 or first.place[0] in (
        "answers", "person_id", "new_person")
    if names_both(body) and not checked_before_both:
        return ValidationFailed(BOTH, details={"field": "person_id"})
    return _message(first, _known(first, ORDER_FIELDS))


def task_refusal(problems: list[Problem]) -> ValidationFailed:
    first = _first(problems)
    return _message(first, TASK_FIELDS)
