"""What the admission-status templates are given: the operator's screen and an administrator's hospital page show
the same part (admission_macros.html), one hospital's status and its sections', each with its form and its notes.

A refused form comes back with the message next to the field it names (``details["field"]``) and what was typed;
a 409 says who changed the status, and the page shows the status as it now is (with its new version in the form, so
that sending again means "mine over theirs", as on the free-beds form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from app.beds import status_queries
from app.beds.admission_forms import STATUS_LABELS, expiry_choices
from app.beds.models import DEFAULT_ADMISSION_HOURS, MAX_ADMISSION_NOTE_LENGTH, MAX_ADMISSION_REASON_LENGTH
from app.kit.errors import DomainError
from app.kit.state import current_actor, services
from app.kit.templating import language_of

# The fields a form shows its own message beside; any other refusal is said at the top of the form.
FIELDS = ("reason_code", "reason", "until")


@dataclass(frozen=True)
class Refusal:
    """A form sent back: which one (``key``: "hospital" or a section id), why, and what was typed."""

    key: str
    error: DomainError
    typed: dict[str, str] = field(default_factory=dict)
    note: bool = False  # the refused form was a note's, not a status's

    @property
    def field(self) -> str | None:
        named = self.error.details.get("field")
        return named if isinstance(named, str) and named in FIELDS else None


async def status_context(request: Request, hospital_id: int, *, refusal: Refusal | None = None,
                         note_action: str) -> dict[str, Any]:
    app_services = services(request)
    now = app_services.clock.now()
    async with app_services.unit_of_work() as uow:
        statuses = await status_queries.hospital_statuses(uow, actor=current_actor(request), hospital_id=hospital_id,
                                                          language=language_of(request), now=now)
    return {
        "statuses": statuses, "refusal": refusal, "status_labels": STATUS_LABELS,
        "expiry_choices": expiry_choices(now), "default_hours": DEFAULT_ADMISSION_HOURS,
        "max_reason": MAX_ADMISSION_REASON_LENGTH, "max_note": MAX_ADMISSION_NOTE_LENGTH,
        "admission_saved": request.query_params.get("admission_saved", "")[:12],
        "note_saved": request.query_params.get("noted", "")[:12], "note_action": note_action,
    }
