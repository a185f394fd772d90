"""The alerts API's bodies, declared once: the rule it reads (checked by its declaration, then by the rule service's
own rules) and the answers it writes (typed dicts, described in app/beds/alerts/openapi.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from app.beds.alerts.models import MAX_HYSTERESIS, MAX_RULE_HOSPITALS, MAX_THRESHOLD
from app.kit.api_bodies import MISSING, Body, Problem
from app.kit.api_parsing import invalid
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _

CLOSED = ConfigDict(extra="forbid")
Kind = Literal["below", "admission", "negative", "overdue"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class RuleChange(Body):
    kind: Kind = Field(description="below: free beds of a section type fall under threshold; admission: a hospital "
                                   "or section closes or reopens; negative: a section's count goes negative; "
                                   "overdue: a section passes its update interval.")
    section_type_id: Id | None = Field(default=None, description="Required for below; narrows the other kinds.")
    hospital_ids: list[Id] = Field(default_factory=list, max_length=MAX_RULE_HOSPITALS,
                                   description="The hospitals watched; empty for all.")
    threshold: Annotated[int, Field(ge=1, le=MAX_THRESHOLD)] | None = Field(
        default=None, description="For below: fires when the counted free beds go under it.")
    hysteresis: int = Field(default=1, ge=0, le=MAX_HYSTERESIS,
                            description="For below: fires again only after the count was back at threshold + "
                                        "hysteresis.")
    email: bool = Field(default=False, description="Also send each alert by e-mail through the outbox.")


MESSAGES = {
    "kind": _("The kind must be one of: below, admission, negative, overdue."),
    "section_type_id": _("{field} must be a whole number from 1 to {max}."),
    "hospital_ids": _("hospital_ids is a list of at most {count} hospital ids."),
    "threshold": _("The threshold must be a whole number from 1 to {max}."),
    "hysteresis": _("The hysteresis must be a whole number from 0 to {max}."),
    "email": _("email is true or false."),
}


def rule_refusal(problems: list[Problem]) -> ValidationFailed:
    """The first problem, in words naming the field: unknown fields first, then missing ones, then values."""
    problem = sorted(problems, key=lambda found: 0 if found.unknown else 1 if found.kind == MISSING else 2)[0]
    field = str(problem.place[0]) if problem.place else "body"
    if problem.unknown:
        return invalid(_("Unknown field {field}: send kind, section_type_id, hospital_ids, threshold, hysteresis "
                         "and email."), field, field=field)
    if problem.kind == MISSING:
        return invalid(_("The field {field} is required."), field, field=field)
    limits = {"threshold": MAX_THRESHOLD, "hysteresis": MAX_HYSTERESIS, "section_type_id": MAX_ID}
    return invalid(MESSAGES.get(field, MESSAGES["kind"]), field, field=field, max=limits.get(field, MAX_ID),
                   count=MAX_RULE_HOSPITALS)


DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


@with_config(CLOSED)
class AlertRuleAnswer(TypedDict):
    id: int
    scope: Annotated[Literal["user", "authority"], Field(description="A coordinator's own rule, or the authority's "
                                                                      "(kept by its administrators).")]
    kind: Kind
    section_type_id: int | None
    hospital_ids: list[int]
    threshold: int | None
    hysteresis: int
    email: bool
    armed: Annotated[bool, Field(description="For below: false after firing, until the count is back at "
                                             "threshold + hysteresis.")]
    created_at: DateTime
    created_by: str


@with_config(CLOSED)
class AlertRuleList(TypedDict):
    rules: list[AlertRuleAnswer]


@with_config(CLOSED)
class AlertAnswer(TypedDict):
    id: int
    rule_id: int
    kind: Kind
    scope: Literal["user", "authority"]
    details: Annotated[dict[str, Any], Field(description="What the board shows of it: names, counts, the public "
                                                         "reason; never a private note.")]
    fired_at: DateTime
    seq: Annotated[int, Field(description="The audit sequence number it fired at.")]
    acknowledged_at: DateTime | None
    acknowledged_by: str | None


@with_config(CLOSED)
class AlertList(TypedDict):
    alerts: list[AlertAnswer]


ANSWERS = (AlertRuleAnswer, AlertRuleList, AlertAnswer, AlertList)
