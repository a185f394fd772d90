"""The words the dispatch's scripts show (the operator's panel, the board's counts and notices), translated once
per page for its reader, so that no text of a live frame is English-only."""

from __future__ import annotations

from typing import Any

from app.kit.i18n import _, _n, plural_forms, translate

URGENCY_NAMES = {"immediate": _("Immediate"), "urgent": _("Urgent"), "normal": _("Normal")}
FLAG_NAMES = {"ventilated": _("ventilated"), "cpr": _("CPR in progress"), "infectious": _("infectious"),
              "pregnant": _("pregnant"), "bariatric": _("bariatric")}
SCRIPT_MESSAGES = {
    "acknowledge": _("Acknowledge"),
    "arrived": _("Arrived"),
    "arrives_in": _("arrives in {minutes} min"),
    "due_now": _("due now"),
    "late": _("{minutes} min past the ETA"),
    "acknowledged_by": _("acknowledged by {who}"),
    "waiting": _("not acknowledged yet"),
    "held_until": _("1 bed held until {time}"),
    "age": _("age {band}"),
    "enable_sound": _("Enable sound"),
    "disable_sound": _("Disable sound"),
    "live": _("Live"),
    "offline": _("Not connected: reconnecting…"),
    "unacknowledged": _("{hospital} has not acknowledged the {category} patient (ETA {time})."),
    "acknowledged_at": _("{hospital} acknowledged the {category} patient (ETA {time})."),
    "dismiss": _("Dismiss"),
}


def script_messages(language: str) -> dict[str, Any]:
    return {**{key: translate(language, message) for key, message in SCRIPT_MESSAGES.items()},
            "urgency": {key: translate(language, name) for key, name in URGENCY_NAMES.items()},
            "flags": {key: translate(language, name) for key, name in FLAG_NAMES.items()},
            # The same words as the map's markers (app/beds/map_routes.py), forms by CLDR plural category.
            "announced": plural_forms(language, _n("{count} announced", "{count} announced", 1)),
            "held": plural_forms(language, _n("{count} held", "{count} held", 1))}
