"""How old a number is, said the way the seed says it: "2 days, 3 hours, 10 minutes".

Counted from the server's clock. Past 24 hours a section is stale and the screens warn about it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

STALE_AFTER = timedelta(hours=24)

# (singular, plural) per unit; Romanian adds "de" before the plural from 20 on ("20 de minute").
UNITS = {
    "en": (("day", "days"), ("hour", "hours"), ("minute", "minutes")),
    "ro": (("zi", "zile"), ("oră", "ore"), ("minut", "minute")),
}
LESS_THAN_A_MINUTE = {"en": "less than a minute", "ro": "mai puțin de un minut"}


def is_stale(reported_at: datetime | None, now: datetime) -> bool:
    return reported_at is None or now - reported_at > STALE_AFTER


def _count(number: int, forms: tuple[str, str], language: str) -> str:
    singular, plural = forms
    if number == 1:
        return f"1 {singular}"
    if language == "ro" and (number % 100 == 0 or number % 100 >= 20):
        return f"{number} de {plural}"
    return f"{number} {plural}"


def describe_age(age: timedelta, language: str = "en") -> str:
    """Days, hours and minutes, leaving out the units that are zero."""
    units = UNITS.get(language, UNITS["en"])
    minutes_total = max(0, int(age.total_seconds() // 60))
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_count(amount, forms, language) for amount, forms in zip((days, hours, minutes), units, strict=True)
             if amount]
    return ", ".join(parts) if parts else LESS_THAN_A_MINUTE.get(language, LESS_THAN_A_MINUTE["en"])
