"""What an auditor asks of the log: parsed strictly from the query string, with a clear message when wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.kit.errors import ValidationFailed
from app.kit.forms import check_day_in_range
from app.kit.i18n import _

BED_ACTIONS = ("beds.free_beds_set", "beds.confirmed")
# A hospital's or a section's admission status (issue 21): a bed change too for its reader (the "Bed changes" kind
# and the hospital and section filters show it), but no free-beds number (the chart's series reads BED_ACTIONS).
ADMISSION_ACTIONS = ("beds.hospital_admission_set", "beds.hospital_admission_expired",
                     "beds.section_admission_set", "beds.section_admission_expired")
KINDS = ("beds", "admin", "all")
# A tree auditor's (a health service's, a region's: issue 23 item 5) tree has no bed changes, hospitals or sections:
# "Bed changes" would open their log on "No event matches", and the section filters would list Romanian hospitals.
TREE_KINDS = ("all",)
MOMENT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
MAX_USER_LENGTH = 120


def parse_moment(text: str, zone: ZoneInfo, field: str) -> datetime:
    """A moment as people type it, in the organisation's time zone ("2026-03-14 03:12"), within the years
    ``app.kit.forms`` accepts (every history view and the export parse their moments here)."""
    for pattern in MOMENT_FORMATS:
        try:
            moment = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        check_day_in_range(moment.date(), field)
        return moment.replace(tzinfo=zone)
    raise ValidationFailed(_("{field} must be a date and time like 2026-03-14 03:12."), field=field,
                           details={"field": field})


def parse_id(text: str, field: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 12:
        raise ValidationFailed(_("{field} must be a whole number."), field=field, details={"field": field})
    return int(text)


def _optional_id(params: Mapping[str, str], field: str) -> int | None:
    value = params.get(field, "")
    return parse_id(value, field) if value.strip() else None


def _optional_moment(params: Mapping[str, str], field: str, zone: ZoneInfo) -> datetime | None:
    value = params.get(field, "")
    return parse_moment(value, zone, field) if value.strip() else None


@dataclass(frozen=True)
class HistoryFilter:
    kind: str = "beds"
    hospital_id: int | None = None
    section_id: int | None = None
    section_type_id: int | None = None
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str], zone: ZoneInfo, *, bed_board: bool = True) -> HistoryFilter:
        """``bed_board``: whether the reader is one of the bed board's (``scope.reads_bed_board``); any other reader
        gets the kinds of their tree, every event by default, and no hospital or section filters."""
        kinds = KINDS if bed_board else TREE_KINDS
        kind = params.get("kind", "") or kinds[0]
        if kind not in kinds:
            raise ValidationFailed(_("{field} must be one of: {choices}."), field="kind", choices=", ".join(kinds),
                                   details={"field": "kind"})
        user = params.get("user", "").strip().lower() or None
        if user is not None and len(user) > MAX_USER_LENGTH:
            raise ValidationFailed(_("{field} may have at most {max} characters."), field="user",
                                   max=MAX_USER_LENGTH, details={"field": "user"})
        since, until = _optional_moment(params, "from", zone), _optional_moment(params, "to", zone)
        if since is not None and until is not None and since > until:
            raise ValidationFailed(_("The start of the range must not be after its end."), details={"field": "from"})
        if not bed_board:
            return cls(kind=kind, user=user, since=since, until=until)
        return cls(kind=kind, hospital_id=_optional_id(params, "hospital"), section_id=_optional_id(params, "section"),
                   section_type_id=_optional_id(params, "section_type"), user=user, since=since, until=until)

    def query_params(self, zone: ZoneInfo) -> dict[str, str]:
        """The filter as it travels in links (next page, CSV export)."""
        def shown(moment: datetime | None) -> str:
            return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

        values = {"kind": self.kind, "hospital": self.hospital_id, "section": self.section_id,
                  "section_type": self.section_type_id, "user": self.user,
                  "from": shown(self.since), "to": shown(self.until)}
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    @property
    def narrows_sections(self) -> bool:
        return any(value is not None for value in (self.hospital_id, self.section_id, self.section_type_id))
