"""What the admission-status pages read from their forms, and the expiry choices they offer.

The form is the API's body in form fields: status, reason_code, reason, expected_version, and the expiry as a number
of hours (1 to 24, 4 by default) or a time of day in the reader's zone ("until 18:30": today if still ahead, else
tomorrow). ``app/beds/admission.py`` then holds it to the same rules as an API write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.beds.admission import AdmissionRequest
from app.beds.models import DEFAULT_ADMISSION_HOURS, MAX_ADMISSION_HOURS
from app.kit.errors import ValidationFailed
from app.kit.i18n import _

HOURS_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
STATUS_LABELS = {"open": _("Open to ambulances"), "limited": _("Limited"), "closed": _("Closed to ambulances")}
# Under this much time left a status says "expires in N min": the reminder job tells the operators at the same moment.
SOON = timedelta(minutes=15)


@dataclass(frozen=True)
class ExpiryChoice:
    hours: int
    until: datetime


def expiry_choices(now: datetime) -> list[ExpiryChoice]:
    """Each whole number of hours a status may last, with the moment it would end if set now."""
    return [ExpiryChoice(hours, now + timedelta(hours=hours)) for hours in range(1, MAX_ADMISSION_HOURS + 1)]


def _hours(text: str) -> int:
    stripped = text.strip()
    if not stripped:
        return DEFAULT_ADMISSION_HOURS
    if not stripped.isdigit() or not 1 <= int(stripped) <= MAX_ADMISSION_HOURS:
        raise ValidationFailed(_("Choose from 1 to {max} hours."), max=MAX_ADMISSION_HOURS, details={"field": "until"})
    return int(stripped)


def _at(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A time of day in the reader's zone: its next occurrence after now (a night shift's 07:00 is tomorrow's)."""
    found = HOURS_OF_DAY.match(text.strip())
    if found is None:
        raise ValidationFailed(_("Write the time as hours and minutes, for example 18:30."), details={"field": "until"})
    local_now = now.astimezone(zone)
    moment = datetime.combine(local_now.date(), time(int(found.group(1)), int(found.group(2))), tzinfo=zone)
    if moment <= local_now:
        moment = datetime.combine(local_now.date() + timedelta(days=1), moment.time(), tzinfo=zone)
    return moment


def _version(text: str) -> int | str:
    # A version that is not a number goes to the service as typed: it refuses it with its own message.
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() and len(stripped) < 10 else stripped


def admission_request(form: dict[str, str], now: datetime, zone: ZoneInfo) -> AdmissionRequest:
    """The write the form asks for. A time of day, when typed, wins over the number of hours."""
    status = form.get("status", "")
    until = None
    if status != "open":
        typed_time = form.get("until_time", "").strip()
        until = _at(typed_time, now, zone) if typed_time else now + timedelta(hours=_hours(form.get("hours", "")))
    return AdmissionRequest(status=status, reason_code=form.get("reason_code") or None,
                            reason=form.get("reason") or None, until=until,
                            expected_version=_version(form.get("expected_version", "")))


def minutes_left(until: datetime | None, now: datetime) -> int | None:
    """Whole minutes until the expiry when it is near (under a quarter of an hour), else None."""
    if until is None or until - now >= SOON:
        return None
    return max(0, int((until - now).total_seconds() // 60))
