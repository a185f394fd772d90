"""The bed API's bodies, declared once: the free-beds change it reads (checked by its declaration, with the
rules of app/beds/service.py) and the answers it writes (typed dicts, described from the same declarations in
app/beds/openapi.py's fragment).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from app.beds.models import (
    MAX_ADMISSION_REASON_LENGTH,
    MAX_FREE_BEDS,
    MAX_UPDATE_INTERVAL_HOURS,
    MIN_FREE_BEDS,
    MIN_UPDATE_INTERVAL_HOURS,
)
from app.beds.service import MAX_REASON_LENGTH
from app.kit.api_bodies import MISSING, Body, Problem
from app.kit.api_parsing import invalid
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _

CLOSED = ConfigDict(extra="forbid")


def _one_line(value: object) -> object:
    """As service.check_reason: runs of spaces and line breaks count as one space, blank as no reason."""
    return " ".join(value.split()) or None if isinstance(value, str) else value


class FreeBedsChange(Body):
    free_beds: int = Field(ge=MIN_FREE_BEDS, le=MAX_FREE_BEDS)
    expected_version: int = Field(ge=1, le=MAX_ID, description="The version the writer read; a different current "
                                                                "version gets 409.")
    reason: Annotated[Annotated[str, Field(max_length=MAX_REASON_LENGTH)] | None, BeforeValidator(_one_line)] = (
        Field(default=None, description="Why, e.g. for a negative count; kept in the audit log."))


def _rank(problem: Problem) -> int:
    """The hand parser's order: unknown fields, then missing ones, then each field's value in turn."""
    return 0 if problem.unknown else 1 if problem.kind == MISSING else 2


def _message(problem: Problem) -> ValidationFailed:
    field, kind = problem.field, problem.kind
    if problem.unknown:
        return invalid(_("Unknown field {field}: send free_beds, expected_version and, if needed, reason."),
                       field, field=field)
    if kind == MISSING:
        return invalid(_("The field {field} is required."), field, field=field)
    if field == "free_beds" and kind in ("greater_than_equal", "less_than_equal"):
        return invalid(_("Free beds must be between {min} and {max}."), field, min=MIN_FREE_BEDS, max=MAX_FREE_BEDS)
    if field == "free_beds":
        return invalid(_("Free beds must be a whole number."), field)
    if field == "expected_version" and kind == "less_than_equal":
        return invalid(_("The expected version may be at most {max}."), field, max=MAX_ID)
    if field == "expected_version":
        return invalid(_("The expected version must be a whole number from 1."), field)
    if kind == "string_too_long":
        return invalid(_("The reason may have at most {max} characters."), field, max=MAX_REASON_LENGTH)
    return invalid(_("The reason must be text."), field)


def free_beds_refusal(problems: list[Problem]) -> ValidationFailed:
    """The first problem in the hand parser's order, in its words (the messages and their translations stay)."""
    return _message(sorted(problems, key=_rank)[0])


DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Moment = DateTime | None
AdmissionStatus = Literal["open", "limited", "closed"]


class AdmissionChange(Body):
    status: AdmissionStatus = Field(description="open, limited (takes only some patients: the reason says which) or "
                                                "closed to ambulances.")
    reason_code: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None, description="A code of the nomenclature's reasons (GET /api/v1/admission-reasons); required "
                                  "unless the status is open.")
    reason: Annotated[Annotated[str, Field(max_length=MAX_ADMISSION_REASON_LENGTH)] | None,
                      BeforeValidator(_one_line)] = Field(
        default=None, description="In words: which patients a limited status still takes; required for the reason "
                                  "'other'.")
    until: Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"})] | None = Field(
        default=None, description="When the status goes back to open by itself (with its offset): by default in "
                                  "4 hours, at most 24.")
    expected_version: int = Field(ge=1, le=MAX_ID, description="The status's version the writer read "
                                                               "(admission.version); a different one gets 409.")


def admission_refusal(problems: list[Problem]) -> ValidationFailed:
    problem = sorted(problems, key=_rank)[0]
    field, kind = problem.field, problem.kind
    if problem.unknown:
        return invalid(_("Unknown field {field}: send status, reason_code, reason, until and expected_version."),
                       field, field=field)
    if kind == MISSING:
        return invalid(_("The field {field} is required."), field, field=field)
    if field == "status":
        return invalid(_("The status is one of open, limited or closed."), field)
    if field == "expected_version":
        return invalid(_("The expected version must be a whole number from 1."), field)
    if field == "reason" and kind == "string_too_long":
        return invalid(_("The reason may have at most {max} characters."), field, max=MAX_ADMISSION_REASON_LENGTH)
    if field == "until":
        return invalid(_("{field} must be an ISO 8601 time with its offset, e.g. 2026-03-14T08:30:00+02:00."),
                       field, field=field)
    return invalid(_("The field {field} must be text of at most 40 characters."), field, field=field)


@with_config(CLOSED)
class Admission(TypedDict):
    status: AdmissionStatus
    reason_code: str | None
    reason: str | None
    until: Annotated[Moment, Field(description="When it goes back to open by itself.")]
    set_by: str | None
    set_at: Moment
    version: Annotated[int, Field(ge=1, description="Send it back as expected_version to change the status.")]


@with_config(CLOSED)
class AdmissionState(TypedDict):
    hospital_id: int
    section_id: Annotated[int | None, Field(description="null for the whole hospital.")]
    admission: Admission


@with_config(CLOSED)
class AdmissionReason(TypedDict):
    code: str
    name_en: str
    name_ro: str
    needs_text: Annotated[bool, Field(description="The reason asks for words (reason).")]


@with_config(CLOSED)
class AdmissionReasonList(TypedDict):
    admission_reasons: list[AdmissionReason]


@with_config(CLOSED)
class Section(TypedDict):
    id: int
    hospital_id: int
    hospital_name: str
    hospital_code: Annotated[str, Field(description="The hospital's short code.")]
    hospital_type: Annotated[str, Field(description="Hospital type code, see GET /api/v1/hospitals.")]
    section_type: Annotated[str, Field(description="Section type code, see GET /api/v1/section-types.")]
    section_type_id: int
    code: Annotated[str, Field(description="The section's code in the approved list of its hospital.")]
    name: str
    parent_id: Annotated[int | None, Field(description="The section this one is a sub-section of.")]
    total_beds: Annotated[int, Field(ge=0)]
    free_beds: Annotated[int, Field(ge=MIN_FREE_BEDS, le=MAX_FREE_BEDS, description="May be negative in exceptional "
                                    "cases (more patients than approved beds).")]
    occupancy_pct: Annotated[float | None, Field(description="Percent of approved beds occupied; null without beds.")]
    version: Annotated[int, Field(ge=1, description="Send it back as expected_version to write.")]
    updated_at: Moment
    updated_by: str | None
    confirmed_at: Moment
    confirmed_by: str | None
    reported_at: Annotated[Moment, Field(description="The later of updated_at and confirmed_at.")]
    update_interval_hours: Annotated[int, Field(
        ge=MIN_UPDATE_INTERVAL_HOURS, le=MAX_UPDATE_INTERVAL_HOURS,
        description="The section type's required update interval: past it since reported_at (or never reported) "
                    "the section is overdue.")]
    admission: Annotated[Admission | None, Field(
        description="The section's own admission status; null while it is open (GET /api/v1/sections/{id}/admission "
                    "gives its version, to write).")]
    hospital_admission: Annotated[Admission | None, Field(
        description="Its hospital's admission status; null while the hospital is open.")]
    admission_status: Annotated[AdmissionStatus, Field(
        description="What an ambulance meets: the stricter of the section's and its hospital's status.")]


@with_config(CLOSED)
class SectionList(TypedDict):
    sections: list[Section]
    server_time: DateTime


@with_config(CLOSED)
class Hospital(TypedDict):
    id: int
    code: str
    short_code: str
    name: str
    hospital_type: str
    # WGS 84 degrees from the nomenclature (issue 22); both null when the hospital's location is not known.
    latitude: Annotated[float | None, Field(ge=-90, le=90)]
    longitude: Annotated[float | None, Field(ge=-180, le=180)]
    admission: Admission


@with_config(CLOSED)
class HospitalList(TypedDict):
    hospitals: list[Hospital]


@with_config(CLOSED)
class SectionType(TypedDict):
    id: int
    code: str
    name_en: str
    name_ro: str
    update_interval_hours: Annotated[int, Field(ge=MIN_UPDATE_INTERVAL_HOURS, le=MAX_UPDATE_INTERVAL_HOURS,
                                                description="Hours a section of this type may go unreported.")]


@with_config(CLOSED)
class SectionTypeList(TypedDict):
    section_types: list[SectionType]


@with_config(CLOSED)
class ConflictDetails(TypedDict):
    current: Section | AdmissionState


@with_config(CLOSED)
class ConflictError(TypedDict):
    code: Literal["version_conflict"]
    message: str
    details: ConflictDetails
    request_id: str


@with_config(CLOSED)
class VersionConflict(TypedDict):
    error: ConflictError


ANSWERS = (SectionList, HospitalList, SectionTypeList, VersionConflict, AdmissionState, AdmissionReasonList)
