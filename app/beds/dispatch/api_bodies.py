"""The announcements API's bodies, declared once: what it reads (checked by the declaration, then by the service's
own rules, which also refuse personal numbers) and what it answers (typed dicts, described in openapi.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from app.beds.dispatch.models import MAX_ETA_MINUTES, MAX_NOTE_LENGTH, MAX_REASON_LENGTH, MIN_ETA_MINUTES
from app.kit.api_bodies import MISSING, Body, Problem
from app.kit.api_parsing import invalid
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _

CLOSED = ConfigDict(extra="forbid")
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Urgency = Literal["immediate", "urgent", "normal"]
AgeBand = Literal["0-1", "1-17", "18-64", "65+"]
Flag = Literal["ventilated", "cpr", "infectious", "pregnant", "bariatric"]
State = Literal["announced", "acknowledged", "arrived", "cancelled", "expired"]
DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class AnnouncementBody(Body):
    hospital_id: Id = Field(description="The hospital (its organisation id, as on the board).")
    section_type_id: Id = Field(description="The section type the patient needs.")
    category: str = Field(max_length=40, description="A category code of GET /api/v1/announcements/categories.")
    urgency: Urgency
    age_band: AgeBand
    flags: list[Flag] = Field(default_factory=list, max_length=5)
    eta_minutes: int = Field(ge=MIN_ETA_MINUTES, le=MAX_ETA_MINUTES, description="Minutes until arrival.")
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH,
                             description="Short, clinical, without names or personal numbers (refused: 422).")
    hold: bool = Field(default=False, description="Hold one bed of the section type until the ETA plus the "
                                                  "hold time (409 when every free bed is held).")


class CancelBody(Body):
    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)


MESSAGES = {
    "hospital_id": _("{field} must be a whole number from 1 to {max}."),
    "section_type_id": _("{field} must be a whole number from 1 to {max}."),
    "category": _("Choose a category from the list."),
    "urgency": _("The urgency is immediate, urgent or normal."),
    "age_band": _("The age band is one of 0-1, 1-17, 18-64, 65+."),
    "flags": _("The flags are among: ventilated, cpr, infectious, pregnant, bariatric (each once)."),
    "eta_minutes": _("The ETA is a whole number of minutes from {min} to {max}."),
    "note": _("The note is at most {max} characters."),
    "hold": _("hold is true or false."),
    "reason": _("Say why it is cancelled, in at most {max} characters."),
}
LIMITS = {"hospital_id": MAX_ID, "section_type_id": MAX_ID, "eta_minutes": MAX_ETA_MINUTES, "note": MAX_NOTE_LENGTH,
          "reason": MAX_REASON_LENGTH}


def refusal(problems: list[Problem]) -> ValidationFailed:
    """The first problem, in words naming the field: unknown fields first, then missing ones, then values."""
    problem = sorted(problems, key=lambda found: 0 if found.unknown else 1 if found.kind == MISSING else 2)[0]
    field = str(problem.place[0]) if problem.place else "body"
    if problem.unknown:
        return invalid(_("Unknown field {field}. Announcements carry no names or personal numbers; send only the "
                         "documented fields."), field, field=field)
    if problem.kind == MISSING:
        return invalid(_("The field {field} is required."), field, field=field)
    return invalid(MESSAGES.get(field, _("The field {field} is not valid.")), field, field=field,
                   max=LIMITS.get(field, MAX_ID), min=MIN_ETA_MINUTES)


@with_config(CLOSED)
class HoldAnswer(TypedDict):
    expires_at: DateTime
    released_at: DateTime | None
    released_how: Literal["arrived", "cancelled", "expired"] | None


@with_config(CLOSED)
class AnnouncementAnswer(TypedDict):
    id: int
    hospital_id: int
    hospital_name: str
    section_type_id: int
    section_type_name_en: str
    section_type_name_ro: str
    category: str
    urgency: Urgency
    age_band: AgeBand
    flags: list[Flag]
    eta_minutes: int
    eta_at: DateTime
    note: str | None
    state: State
    version: int
    created_at: DateTime
    created_by: str
    seq: Annotated[int, Field(description="The audit sequence number it was announced at.")]
    acknowledged_at: DateTime | None
    acknowledged_by: str | None
    ended_at: DateTime | None
    ended_by: str | None
    cancel_reason: str | None
    hold: HoldAnswer | None


@with_config(CLOSED)
class AnnouncementList(TypedDict):
    announcements: list[AnnouncementAnswer]


@with_config(CLOSED)
class Category(TypedDict):
    code: str
    name_en: str
    name_ro: str


@with_config(CLOSED)
class CategoryList(TypedDict):
    categories: list[Category]


ANSWERS = (HoldAnswer, AnnouncementAnswer, AnnouncementList, Category, CategoryList)
