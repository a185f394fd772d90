"""What the nomenclature templates are given: labels, counts and the first items of each list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.beds.nomenclature.models import PENDING
from app.beds.nomenclature.service import CLOSED_MESSAGES, MAX_FILE_BYTES, ImportSummary, Preview
from app.beds.nomenclature.validation import Problem
from app.kit.errors import DomainError
from app.kit.i18n import _

# A 10,000-section file is summarised by its counts; a page listing every line would be unreadable.
LIST_LIMIT = 200

FIELD_LABELS = {
    "name": _("Name"),
    "type": _("Type"),
    "total_beds": _("Total beds"),
    "parent": _("Parent section"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "status": _("Status"),
}
VALUE_LABELS = {"active": _("in use"), "retired": _("retired")}
STATUS_LABELS = {
    "pending": _("Waiting for confirmation"),
    "applied": _("Applied"),
    "cancelled": _("Cancelled"),
    "expired": _("Expired"),
}
PREVIEW_LABELS = {
    "hospitals_added": _("Hospitals to add"),
    "hospitals_changed": _("Hospitals to change"),
    "hospitals_retired": _("Hospitals to retire"),
    "sections_added": _("Sections to add"),
    "sections_changed": _("Sections to change"),
    "sections_retired": _("Sections to retire"),
}
RESULT_LABELS = {
    "hospitals_added": _("Hospitals added"),
    "hospitals_changed": _("Hospitals changed"),
    "hospitals_retired": _("Hospitals retired"),
    "sections_added": _("Sections added"),
    "sections_changed": _("Sections changed"),
    "sections_retired": _("Sections retired"),
}


def _common() -> dict[str, Any]:
    return {"limit": LIST_LIMIT, "max_bytes": MAX_FILE_BYTES, "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "field_labels": FIELD_LABELS, "value_labels": VALUE_LABELS, "status_labels": STATUS_LABELS,
            "preview_labels": PREVIEW_LABELS, "result_labels": RESULT_LABELS}


def upload_context(imports: Sequence[ImportSummary], *, problems: Sequence[Problem] = (),
                   error: DomainError | None = None, notice: str | None = None) -> dict[str, Any]:
    return {**_common(), "imports": imports, "problems": problems, "error": error, "notice": notice}


def import_context(shown: Preview, *, error: DomainError | None = None) -> dict[str, Any]:
    examination = shown.examination
    diff = examination.diff if examination else None
    return {
        **_common(),
        "record": shown.record,
        "status": shown.status,
        "closed_message": None if shown.status == PENDING else CLOSED_MESSAGES[shown.status],
        "problems": examination.problems if examination else (),
        "diff": diff,
        "counts": diff.counts() if diff else (shown.record.counts if shown.record else {}),
        "fingerprint": examination.fingerprint if examination else "",
        "error": error,
    }
