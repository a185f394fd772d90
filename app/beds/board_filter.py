"""The bed board's filter: parsed strictly from the client's JSON and applied as one predicate.

This is the ``Filter`` the board socket's subscribers hold (``realtime.filters``): the hub calls
``matches(item, now)`` on the board's items (a section's JSON, ``SectionView.as_json``) and knows nothing
of their fields (``section_type_id``, ``hospital_id``, ``hospital_type``, ``occupancy_pct``, ``name``,
``reported_at``). The history pages reuse it for the board as it stood at a past moment.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.beds.staleness import is_stale
from realtime.filters import FilterError

MAX_IDS = 500
MAX_QUERY_LENGTH = 100
KNOWN_KEYS = frozenset({"section_types", "hospitals", "hospital_types", "occupancy", "q", "stale_only"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Secţia" (cedilla) and "Secția" (comma below) both become "sectia"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _ids(raw: object, name: str) -> frozenset[int]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or len(raw) > MAX_IDS:
        raise FilterError(f"{name} must be a list of at most {MAX_IDS} ids")
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in raw):
        raise FilterError(f"{name} must hold whole numbers")
    return frozenset(raw)


def _codes(raw: object, name: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or len(raw) > MAX_IDS or not all(isinstance(item, str) for item in raw):
        raise FilterError(f"{name} must be a list of codes")
    return frozenset(raw)


def _percent(raw: object, name: str, default: float) -> float:
    if raw is None:
        return default
    if not isinstance(raw, int | float) or isinstance(raw, bool) or not 0 <= raw <= 100:
        raise FilterError(f"occupancy.{name} must be a number from 0 to 100")
    return float(raw)


@dataclass(frozen=True)
class BoardFilter:
    """What a board subscriber asked to see; an empty set or the whole 0-100 range lets everything through."""

    section_types: frozenset[int] = frozenset()
    hospitals: frozenset[int] = frozenset()
    hospital_types: frozenset[str] = frozenset()
    occupancy_min: float = 0.0
    occupancy_max: float = 100.0
    query: str = ""
    stale_only: bool = False

    @classmethod
    def parse(cls, raw: object) -> BoardFilter:
        """The board socket's ``FilterParser``: the client's ``filters`` value, or FilterError with the reason."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise FilterError("filters must be an object")
        unknown = set(raw) - KNOWN_KEYS
        if unknown:
            raise FilterError(f"unknown filters: {', '.join(sorted(map(str, unknown)))}")
        occupancy = raw.get("occupancy") or {}
        if not isinstance(occupancy, Mapping):
            raise FilterError("occupancy must be an object with min and max")
        query = raw.get("q") or ""
        if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH:
            raise FilterError(f"q must be text of at most {MAX_QUERY_LENGTH} characters")
        stale_only = raw.get("stale_only", False)
        if not isinstance(stale_only, bool):
            raise FilterError("stale_only must be true or false")
        low, high = _percent(occupancy.get("min"), "min", 0.0), _percent(occupancy.get("max"), "max", 100.0)
        if low > high:
            raise FilterError("occupancy.min must not exceed occupancy.max")
        return cls(section_types=_ids(raw.get("section_types"), "section_types"),
                   hospitals=_ids(raw.get("hospitals"), "hospitals"),
                   hospital_types=_codes(raw.get("hospital_types"), "hospital_types"),
                   occupancy_min=low, occupancy_max=high, query=fold(query.strip()), stale_only=stale_only)

    @property
    def filters_occupancy(self) -> bool:
        return self.occupancy_min > 0 or self.occupancy_max < 100

    def matches(self, item: Mapping[str, Any], now: datetime) -> bool:
        if self.section_types and item.get("section_type_id") not in self.section_types:
            return False
        if self.hospitals and item.get("hospital_id") not in self.hospitals:
            return False
        if self.hospital_types and item.get("hospital_type") not in self.hospital_types:
            return False
        if self.filters_occupancy and not self._occupancy_matches(item.get("occupancy_pct")):
            return False
        if self.query and not self._names_match(item):
            return False
        return not self.stale_only or _is_stale(item.get("reported_at"), item.get("update_interval_hours"), now)

    def _names_match(self, item: Mapping[str, Any]) -> bool:
        # A coordinator types a hospital's name as often as a section's ("Floreasca"): either one shows the row.
        return any(self.query in fold(str(item.get(key, ""))) for key in ("name", "hospital_name"))

    def _occupancy_matches(self, percent: object) -> bool:
        # A section without approved beds has no occupancy: it cannot satisfy an occupancy filter.
        if not isinstance(percent, int | float):
            return False
        clamped = min(100.0, max(0.0, float(percent)))
        return self.occupancy_min <= clamped <= self.occupancy_max


def _is_stale(reported_at: object, interval_hours: object, now: datetime) -> bool:
    """The board's rule (``staleness.is_stale``) on an item's text: never reported, or unreadable, is stale;
    past the section type's interval (24 h when the item does not say) too."""
    if not isinstance(reported_at, str):
        return True
    try:
        moment = datetime.fromisoformat(reported_at)
    except ValueError:
        return True
    return is_stale(moment, now, interval_hours if isinstance(interval_hours, int) else None)
