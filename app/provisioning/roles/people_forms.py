"""What the roles module's people pages share: an employee's id from the path, dates from forms, and the
confirmations shown after a redirect (``?done=...``); times and other ids are the provisioning core's
(``core/request_pages``)."""

from __future__ import annotations

from datetime import date
from typing import Final

from starlette.requests import Request

from app.kit.errors import NotFound, ValidationFailed
from app.kit.forms import positive_id
from app.kit.i18n import _

DONE_MESSAGES: Final = {
    "registered": _("The employee is recorded."),
    "assigned": _("The competence role is given. The employee's login tickets show it at once."),
    "removed": _("The competence role is taken away."),
    "requested": _("IT support is asked for the employee assignment."),
    "ended": _("The assignment has ended."),
    "ended_in_bedboard": _("The assignment has ended. IT support is asked to end it in HSA too; this page shows when "
                           "they have."),
    "taken": _("You took the request: create the assignment, then mark it done."),
    "created": _("The assignment is created and active. The employee's login tickets show it."),
    "rejected": _("Rejected. The manager is told the reason."),
}


def done_message(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


def employee_id(request: Request) -> int:
    found = positive_id(request.path_params["employee_id"])
    if found is None:
        raise NotFound(_("There is no such employee."))
    return found


def form_date(text: str, field: str) -> date | None:
    """A date typed as YYYY-MM-DD (what a date input sends), or None when left empty."""
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed(_("Write the date as YYYY-MM-DD, e.g. 2026-03-14."), details={"field": field}) from error


def required_date(text: str, field: str) -> date:
    found = form_date(text, field)
    if found is None:
        raise ValidationFailed(_("Enter the start date."), details={"field": field})
    return found
