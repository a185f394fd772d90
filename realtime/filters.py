"""A subscriber's filters, parsed strictly from the client's JSON and applied as one predicate.

Filters look at item fields only (``section_type_id``, ``hospital_id``, ``hospital_type``,
``occupancy_pct``, ``name``, ``reported_at``); the hub that applies them knows nothing else of beds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

STALE_AFTER = timedelta(hours=24)
MAX_IDS = 500
MAX_QUERY_LENGTH = 100
KNOWN_KEYS = frozenset({"section_types", "hospitals", "hospital_types", "occupancy", "q", "stale_only"})


MAX_FRAME_DEPTH = 4  # a subscribe frame is {"filters": {"occupancy": {...}}}: three levels
# NUL and lone surrogates: the hub could not encode a frame naming such a key (UnicodeEncodeError), and the
# database refuses NUL in a query. The application's own rules (app.input_rules) say the same: realtime/
# imports nothing of app/.
FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")


class FilterError(ValueError):
    """The client sent filters we cannot apply; the message says which one and why."""


def frame_problem(message: object) -> tuple[str, str] | None:
    """Why a client's parsed frame is refused before its filters are read (an error code and message), or
    None. Walked without recursion: the depth is what is being checked."""
    pending = [(message, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str) and FORBIDDEN_TEXT.search(value):
            return "invalid_text", "Text may not contain NUL characters or lone surrogates."
        if isinstance(value, dict | list):
            if depth > MAX_FRAME_DEPTH:
                return "too_deep", f"Messages nest at most {MAX_FRAME_DEPTH} levels deep."
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return None


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
    section_types: frozenset[int] = frozenset()
    hospitals: frozenset[int] = frozenset()
    hospital_types: frozenset[str] = frozenset()
    occupancy_min: float = 0.0
    occupancy_max: float = 100.0
    query: str = ""
    stale_only: bool = False

    @classmethod
    def parse(cls, raw: object) -> BoardFilter:
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
        if self.query and self.query not in fold(str(item.get("name", ""))):
            return False
        return not self.stale_only or _is_stale(item.get("reported_at"), now)

    def _occupancy_matches(self, percent: object) -> bool:
        # A section without approved beds has no occupancy: it cannot satisfy an occupancy filter.
        if not isinstance(percent, int | float):
            return False
        clamped = min(100.0, max(0.0, float(percent)))
        return self.occupancy_min <= clamped <= self.occupancy_max


def _is_stale(reported_at: object, now: datetime) -> bool:
    if not isinstance(reported_at, str):
        return True
    try:
        moment = datetime.fromisoformat(reported_at)
    except ValueError:
        return True
    return now - moment > STALE_AFTER
