"""What realtime knows of a subscriber's filters: a predicate over items, supplied by the domain.

A channel's domain gives the endpoint a ``FilterParser`` that turns the client's JSON ``filters`` value into
a ``Filter`` (or refuses it with a ``FilterError`` saying why); the hub applies it as one predicate,
``matches(item, now)``, to each change. So the hub never reads an item's fields: the bed board's filter lives
in ``app/beds/board_filter.py``, and the status, alert and announcement channels can bring their own.
What realtime checks itself is the frame around the filters: its depth and its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

MAX_FRAME_DEPTH = 4  # a subscribe frame is {"filters": {"occupancy": {...}}}: three levels
# NUL and lone surrogates: the hub could not encode a frame naming such a key (UnicodeEncodeError), and the
# database refuses NUL in a query. The application's own rules (app.kit.input_rules) say the same: realtime/
# imports nothing of app/.
FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")


class FilterError(ValueError):
    """The client sent filters we cannot apply; the message says which one and why."""


class Filter(Protocol):
    """A subscriber's predicate: does this item belong on its screen at ``now``? (``now`` for rules of
    age, such as the board's "stale only".) Called once per change per subscriber: it must not wait."""

    def matches(self, item: Mapping[str, Any], now: datetime) -> bool: ...


# The client's JSON ``filters`` value (None when it sent none) to a Filter; raises FilterError with the reason.
FilterParser = Callable[[object], Filter]


class MatchAll:
    """The filter of a subscription that has not subscribed yet: every item."""

    def matches(self, item: Mapping[str, Any], now: datetime) -> bool:
        return True


MATCH_ALL = MatchAll()


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
