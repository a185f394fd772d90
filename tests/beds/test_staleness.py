from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.beds.staleness import describe_age, is_stale


@pytest.mark.parametrize(("age", "english", "romanian"), [
    (timedelta(days=2, hours=3, minutes=10), "2 days, 3 hours, 10 minutes", "2 zile, 3 ore, 10 minute"),
    (timedelta(days=1, minutes=1), "1 day, 1 minute", "1 zi, 1 minut"),
    (timedelta(hours=1), "1 hour", "1 oră"),
    (timedelta(days=21, hours=20, minutes=45), "21 days, 20 hours, 45 minutes", "21 de zile, 20 de ore, 45 de minute"),
    (timedelta(days=101, minutes=19), "101 days, 19 minutes", "101 zile, 19 minute"),
    (timedelta(days=120), "120 days", "120 de zile"),
    (timedelta(days=1200), "1,200 days", "1.200 de zile"),  # the number as each language writes it (Babel)
    (timedelta(seconds=59), "less than a minute", "mai puțin de un minut"),
])
def test_ages_read_as_the_seed_says_them(age: timedelta, english: str, romanian: str) -> None:
    assert describe_age(age, "en") == english
    assert describe_age(age, "ro") == romanian


def test_stale_strictly_after_24_hours() -> None:
    now = datetime(2026, 3, 14, 12, tzinfo=UTC)
    assert not is_stale(now - timedelta(hours=24), now)
    assert is_stale(now - timedelta(hours=24, seconds=1), now)
    assert is_stale(None, now)


def test_the_section_types_interval_replaces_the_24_hours() -> None:
    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    nine_hours_ago = now - timedelta(hours=9)
    assert is_stale(nine_hours_ago, now, 8)
    assert not is_stale(nine_hours_ago, now, 24)
    assert not is_stale(nine_hours_ago, now)  # a payload without an interval: the seed's 24 hours
    assert not is_stale(now - timedelta(hours=8), now, 8)  # exactly the interval is still on time
    assert is_stale(None, now, 168)
