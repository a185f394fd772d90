"""An alert in words, one set of messages for the e-mail, the rules page and the board's script (which fills the
same translated templates itself, static/js/board_alerts.js)."""

from __future__ import annotations

from typing import Any

from app.kit.i18n import _, translate

MESSAGES = {
    "below": _("{type}: {free} free in {where}, below {threshold}"),
    "closed": _("{place} closed to ambulances: {reason}"),
    "limited": _("{place} takes only some patients: {reason}"),
    "reopened": _("{place} open to ambulances again"),
    "negative": _("{place}: {free} free (more patients than beds)"),
    "overdue": _("{place} is overdue for its update"),
    "all_hospitals": _("all hospitals"),
    "no_reason": _("no reason given"),
}
# The board's panel and buttons.
PANEL_MESSAGES = {
    "title": _("Alerts"),
    "acknowledge": _("Acknowledge"),
    "none": _("No open alert."),
    "enable_sound": _("Enable sound"),
    "disable_sound": _("Sound on (turn off)"),
    "fired": _("at {time}"),
}


def _place(details: dict[str, Any]) -> str:
    section, hospital = details.get("section_name"), details.get("hospital_name") or ""
    return f"{section} ({hospital})" if section else hospital


def message_of(kind: str, details: dict[str, Any]) -> str:
    if kind != "admission":
        return kind
    after = str(details.get("after") or "closed")
    return "reopened" if after == "open" else after


def describe(kind: str, details: dict[str, Any], language: str) -> str:
    """The alert as one sentence in ``language``."""
    message = message_of(kind, details)
    if message == "below":
        names = details.get("hospital_names") or []
        where = ", ".join(names) if names else translate(language, MESSAGES["all_hospitals"])
        type_name = details.get("section_type_name_ro" if language == "ro" else "section_type_name_en", "")
        return translate(language, MESSAGES["below"], type=type_name, free=details.get("free_beds"), where=where,
                         threshold=details.get("threshold"))
    reason = details.get("reason") or details.get("reason_code") or translate(language, MESSAGES["no_reason"])
    return translate(language, MESSAGES[message], place=_place(details), free=details.get("free_beds"),
                     reason=reason)


def script_messages(language: str) -> dict[str, str]:
    """The templates for the board's script, translated and unfilled."""
    return {key: translate(language, text) for key, text in {**MESSAGES, **PANEL_MESSAGES}.items()}
