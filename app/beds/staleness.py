"""How old a number is, said the way the seed says it: "2 days, 3 hours, 10 minutes".

Counted from the server's clock. Past its type's update interval (24 hours unless the nomenclature says
otherwise, e.g. 8 for intensive care) a section is stale, "overdue", and the screens warn about it. ``is_stale``
is the one rule: the board's script (static/js/board.js ``isStale``) applies it to the same
``update_interval_hours`` each section's JSON carries.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.beds.models import DEFAULT_UPDATE_INTERVAL_HOURS
from app.kit.i18n import Plural, _, _n, plural_forms, translate

# The seed's rule, and the interval of every section type nobody set otherwise.
STALE_AFTER = timedelta(hours=DEFAULT_UPDATE_INTERVAL_HOURS)

LESS_THAN_A_MINUTE = _("less than a minute")


def units(days: int, hours: int, minutes: int) -> tuple[Plural, Plural, Plural]:
    """The three units, each in the form its number takes (the catalogue's plural rule: 1 zi, 2 zile, 20 de zile)."""
    return (_n("{count} day", "{count} days", days), _n("{count} hour", "{count} hours", hours),
            _n("{count} minute", "{count} minutes", minutes))


def script_units(language: str) -> list[dict[str, str]]:
    """The units' forms by CLDR plural category, for the board's script (which counts the age up by itself)."""
    return [plural_forms(language, unit) for unit in units(0, 0, 0)]


def stale_after(interval_hours: int | None) -> timedelta:
    """A section type's interval as a duration; unknown (a payload without it) is the seed's 24 hours."""
    return STALE_AFTER if interval_hours is None else timedelta(hours=interval_hours)


def is_stale(reported_at: datetime | None, now: datetime, interval_hours: int | None = None) -> bool:
    """Never reported, or reported longer ago than the section type's interval allows."""
    return reported_at is None or now - reported_at > stale_after(interval_hours)


def describe_age(age: timedelta, language: str = "en") -> str:
    """Days, hours and minutes, leaving out the units that are zero."""
    minutes_total = max(0, int(age.total_seconds() // 60))
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [translate(language, unit) for unit in units(days, hours, minutes) if unit.n]
    return ", ".join(parts) if parts else translate(language, LESS_THAN_A_MINUTE)
