"""The bed board's filter: strict parsing of the client's JSON, and the predicate the hub applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.beds import staleness
from app.beds.board_filter import BoardFilter, fold
from realtime.filters import FilterError

NOW = datetime(2026, 3, 14, 12, tzinfo=UTC)


def section(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": 1, "hospital_id": 10, "section_type_id": 3, "hospital_type": "emergency",
                            "occupancy_pct": 75.0, "name": "Secţia Chirurgie Generală",
                            "reported_at": (NOW - timedelta(hours=1)).isoformat()}
    return {**item, **changes}


def test_no_filters_match_everything() -> None:
    assert BoardFilter.parse(None).matches(section(), NOW)
    assert BoardFilter.parse({}).matches(section(occupancy_pct=None, reported_at=None), NOW)


@pytest.mark.parametrize("query", ["chirurgie", "CHIRURGIE", "secția", "secţia", "generala", "Generală"])
def test_name_search_ignores_case_and_diacritics_in_both_spellings(query: str) -> None:
    assert BoardFilter.parse({"q": query}).matches(section(), NOW)


@pytest.mark.parametrize("query", ["floreasca", "FLOREASCĂ", "urgenta", "Urgenţă"])
def test_name_search_finds_a_hospital_by_its_name_as_well(query: str) -> None:
    item = section(hospital_name="Spitalul Clinic de Urgență Floreasca")
    assert BoardFilter.parse({"q": query}).matches(item, NOW)
    assert not BoardFilter.parse({"q": query}).matches(section(hospital_name="Spitalul Colentina"), NOW)


def test_cedilla_and_comma_below_fold_alike() -> None:
    assert fold("ş ţ Ş Ţ") == fold("ș ț Ș Ț") == "s t s t"


@pytest.mark.parametrize(("filters", "item", "expected"), [
    ({"section_types": [3, 4]}, {}, True),
    ({"section_types": [4]}, {}, False),
    ({"hospitals": [10]}, {}, True),
    ({"hospitals": [11]}, {}, False),
    ({"hospital_types": ["clinical"]}, {}, False),
    ({"hospital_types": ["emergency"]}, {}, True),
    ({"occupancy": {"max": 80}}, {}, True),
    ({"occupancy": {"max": 70}}, {}, False),
    ({"occupancy": {"min": 0, "max": 80}}, {"occupancy_pct": 104.0}, False),  # a negative count is over 100%
    ({"occupancy": {"min": 10}}, {"occupancy_pct": -20.0}, False),
    ({"occupancy": {"max": 80}}, {"occupancy_pct": None}, False),
    ({"stale_only": True}, {}, False),
    ({"stale_only": True}, {"reported_at": (NOW - timedelta(hours=25)).isoformat()}, True),
    ({"stale_only": True}, {"reported_at": None}, True),
    ({"stale_only": True}, {"reported_at": "garbage"}, True),
    ({"q": "ortopedie"}, {}, False),
])
def test_each_filter(filters: dict[str, Any], item: dict[str, Any], expected: bool) -> None:
    assert BoardFilter.parse(filters).matches(section(**item), NOW) is expected


@pytest.mark.parametrize(("filters", "message"), [
    ("chirurgie", "must be an object"),
    ({"colour": "red"}, "unknown filters: colour"),
    ({"section_types": "3"}, "section_types must be a list"),
    ({"section_types": [1.5]}, "whole numbers"),
    ({"hospitals": [True]}, "whole numbers"),
    ({"hospital_types": [1]}, "list of codes"),
    ({"occupancy": [0, 80]}, "occupancy must be an object"),
    ({"occupancy": {"max": 120}}, "from 0 to 100"),
    ({"occupancy": {"min": "a"}}, "from 0 to 100"),
    ({"occupancy": {"min": 90, "max": 10}}, "must not exceed"),
    ({"q": "x" * 101}, "at most 100"),
    ({"q": 5}, "q must be text"),
    ({"stale_only": "yes"}, "true or false"),
    ({"section_types": list(range(501))}, "at most 500"),
])
def test_bad_filters_are_refused_with_a_reason(filters: object, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        BoardFilter.parse(filters)


def test_stale_only_follows_the_one_staleness_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's stale filter and the screens' stale warning are one rule (``staleness.STALE_AFTER``): a
    change of the rule reaches the filter."""
    stale_only = BoardFilter.parse({"stale_only": True})
    day_and_a_minute = section(reported_at=(NOW - staleness.STALE_AFTER - timedelta(minutes=1)).isoformat())
    assert stale_only.matches(day_and_a_minute, NOW) is staleness.is_stale(NOW - timedelta(hours=24, minutes=1), NOW)
    assert stale_only.matches(day_and_a_minute, NOW)
    monkeypatch.setattr(staleness, "STALE_AFTER", timedelta(hours=48))
    assert not stale_only.matches(day_and_a_minute, NOW)
