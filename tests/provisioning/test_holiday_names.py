"""Issue 23 items 6 and 9: a closed day's reason reads in the reader's language, not in English ("Midsommarafton"
on a Swedish page, "Día de la Independencia" on a Chilean one), while business-day counting is unchanged."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from app.kit.i18n import translate
from app.provisioning.core.calendar import calendar_for, holiday_name
from app.provisioning.orders.effective_dates import CLOSED

SWEDEN = calendar_for("SE", None, (), ZoneInfo("Europe/Stockholm"))
CHILE = calendar_for("CL", None, (), ZoneInfo("America/Santiago"))
MIDSUMMER_EVE, INDEPENDENCE_DAY = date(2026, 6, 19), date(2026, 9, 18)


@pytest.mark.parametrize(("language", "shown"), [
    ("sv", "Midsommarafton"),
    ("en", "Midsummer Eve"),
    ("ro", "Midsommarafton"),  # holidays has no Romanian names for Sweden: the country's own language
    ("es", "Midsommarafton"),
])
def test_a_swedish_holiday_is_named_in_the_readers_language_else_in_swedish(language: str, shown: str) -> None:
    why = SWEDEN.why_closed(MIDSUMMER_EVE)
    assert why == "Midsummer Eve"  # what code compares and logs stays English
    assert translate(language, "{why}", why=why) == shown


def test_a_chilean_holiday_reads_in_spanish() -> None:
    assert translate("es", "{why}", why=CHILE.why_closed(INDEPENDENCE_DAY)) == "Día de la Independencia"
    assert holiday_name("CL", None, INDEPENDENCE_DAY, "sv") == "Día de la Independencia"
    assert holiday_name("CL", None, date(2026, 9, 21), "es") == ""


def test_a_swedish_order_warning_names_midsummer_eve_in_swedish() -> None:
    text = translate("sv", CLOSED, planned="2026-06-19", why=SWEDEN.why_closed(MIDSUMMER_EVE), last_day="2026-06-18")
    assert text.startswith("2026-06-19 är ingen arbetsdag (Midsommarafton): kontrollera datumet.")


def test_a_local_closure_is_translated_too() -> None:
    closed = calendar_for("CL", None, (date(2026, 9, 29),), ZoneInfo("America/Santiago"))
    assert translate("es", "{why}", why=closed.why_closed(date(2026, 9, 29))) == "Cierre local"
    assert translate("sv", "{why}", why=closed.why_closed(date(2026, 9, 29))) == "Lokal stängningsdag"
    assert not closed.is_business_day(date(2026, 9, 29))
    assert not CHILE.is_business_day(INDEPENDENCE_DAY)
    assert not CHILE.is_business_day(date(2026, 9, 20))
    assert CHILE.is_business_day(date(2026, 9, 21))
