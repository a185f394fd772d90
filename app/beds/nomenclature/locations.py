"""A hospital's location in the nomenclature's file (issue 22): optional latitude and longitude, WGS 84 degrees.

Given as numbers (JSON) or text (CSV, where a Romanian spreadsheet may write a decimal comma: ``44,4527``). Both or
neither: a hospital with one alone is refused, since a marker needs both. When the file gives them (the CSV's two
columns, a JSON hospital's two keys) they are the truth, empty meaning "no location"; a file without them leaves
every hospital's location as it is, so that older files keep working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.kit.i18n import _

LATITUDE = _("The latitude must be a number of degrees from -90 to 90, e.g. 44.4527.")
LONGITUDE = _("The longitude must be a number of degrees from -180 to 180, e.g. 26.1010.")
BOTH = _("Give both the latitude and the longitude, or neither.")
Location = tuple[float, float]


@dataclass(frozen=True)
class LocationProblem:
    which: str  # "latitude" or "longitude"
    message: str


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _degrees(value: object, limit: float) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and len(value) <= 32:
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def read_location(latitude: object, longitude: object) -> tuple[Location | None, list[LocationProblem]]:
    """The location, or None for none; problems name which of the two is wrong."""
    if _empty(latitude) and _empty(longitude):
        return None, []
    if _empty(latitude) or _empty(longitude):
        return None, [LocationProblem("latitude" if _empty(latitude) else "longitude", BOTH)]
    lat, lon = _degrees(latitude, 90), _degrees(longitude, 180)
    problems = ([] if lat is not None else [LocationProblem("latitude", LATITUDE)]) + \
               ([] if lon is not None else [LocationProblem("longitude", LONGITUDE)])
    if lat is None or lon is None:
        return None, problems
    return (lat, lon), []
