"""What every licence page shares: the collaborator table as a form and the confirmations shown after a
redirect (``?done=...``); times and ids from the path are the provisioning core's (``core/request_pages``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from starlette.datastructures import FormData
from starlette.requests import Request

from app.kit.forms import positive_id
from app.kit.i18n import _
from app.provisioning.core.refusals import Reason
from app.provisioning.licenses.collaborators import MAX_ROWS, Batch
from app.provisioning.licenses.requesting import Entry

FIRST_ROWS: Final = 3  # an empty form offers this many rows; "Add a row" adds one more
MAX_CSV_BYTES: Final = 1024 * 1024

DONE_MESSAGES: Final = {
    "submitted": _("The request is sent. The digital-health unit creates the licences within 2 business days."),
    "resubmitted": _("The corrected request is sent again."),
    "cancelled": _("The request is cancelled."),
    "answered": _("Your answer is sent; the request goes on."),
    "task": _("The step is saved."),
    "accepted": _("Accepted. The requester is told."),
    "rejected": _("Rejected. The requester is told the reason."),
    "asked": _("Your question is sent. The request's clock pauses until the requester answers."),
    "taken": _("You took the ticket. The referent is told."),
    "resolved": _("The ticket is resolved. The referent is told."),
    "licence_asked": _("Your request about the licence is sent."),
}


def done_message(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@dataclass
class TableRow:
    """One row of the collaborator table as typed, with the reason for each refused field."""

    full_name: str = ""
    run: str = ""
    gender: str = ""
    errors: Mapping[str, Reason] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not (self.full_name.strip() or self.run.strip() or self.gender.strip())


def blank_rows(count: int = FIRST_ROWS) -> list[TableRow]:
    return [TableRow() for _row in range(count)]


def rows_from_form(form: FormData) -> list[TableRow]:
    """Rows 1..rows as typed; the count comes from the form, so a page without JavaScript can add rows."""
    count = positive_id(text_of(form, "rows")) or FIRST_ROWS
    return [TableRow(text_of(form, f"full_name-{line}"), text_of(form, f"run-{line}"), text_of(form, f"gender-{line}"))
            for line in range(1, min(count, MAX_ROWS) + 1)]


def entries_of(rows: Sequence[TableRow]) -> list[Entry]:
    """The filled rows as (line, name, RUN, gender): the line is the row number, so errors find their row."""
    return [(line, row.full_name, row.run, row.gender) for line, row in enumerate(rows, start=1) if not row.blank]


def with_errors(rows: Sequence[TableRow], batch: Batch) -> list[TableRow]:
    by_line: dict[int, dict[str, Reason]] = {
        line_errors.line: {str(name): reason for name, reason in line_errors.errors.items()}
        for line_errors in batch.line_errors}
    return [TableRow(row.full_name, row.run, row.gender, by_line.get(line, {}))
            for line, row in enumerate(rows, start=1)]


def rows_from_batch(batch: Batch) -> list[TableRow]:
    """The valid rows of a file, normalised, for the table to show (refused lines are listed apart)."""
    return [TableRow(numbered.row.full_name, numbered.row.run, numbered.row.gender) for numbered in batch.rows]


def with_spare_row(rows: list[TableRow]) -> list[TableRow]:
    return rows + [TableRow()] if len(rows) < MAX_ROWS else rows
