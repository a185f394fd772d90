"""Personal identity numbers: the forms accepted, and each refusal with the rule it names."""

from __future__ import annotations

from datetime import date

import pytest

from app.provisioning.core.hsa_ids import InvalidIdentifier
from app.provisioning.roles import personal_numbers
from app.provisioning.roles.personal_numbers import normalise_personal_number

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(("written", "stored"), [
    ("19880320-0016", "19880320-0016"),
    ("198803200016", "19880320-0016"),
    ("880320-0016", "19880320-0016"),
    ("8803200016", "19880320-0016"),  # no separator: the short form of someone under 100
    (" 880320 - 0016 ", "19880320-0016"),
    ("880320\u20130016", "19880320-0016"),  # an en dash pasted from a document
    ("121212-1212", "20121212-1212"),  # "-": the latest year ending in 12 that is not after this one
    ("121212+1212", "19121212-1212"),  # "+": a hundred years or more before that
    ("250101-0009", "20250101-0009"),  # born this year, before today
    ("250616+0007", "19250616-0007"),  # turns 100 this year: "+" from the first of January
    ("20000229-0005", "20000229-0005"),  # a leap day
    ("701063-2391", "19701063-2391"),  # a coordination number: day 63 is the 3rd plus 60; it keeps its 63
    ("19701063-2391", "19701063-2391"),
])
def test_valid_personal_numbers(written: str, stored: str) -> None:
    assert normalise_personal_number(written, TODAY) == stored


@pytest.mark.parametrize(("written", "message", "params"), [
    ("", "Enter the personal identity number.", {}),
    ("880320-001A", "A personal identity number has only digits and a hyphen; remove {characters}.",
     {"characters": "A"}),
    ("ÅÄ880320-0016", "A personal identity number has only digits and a hyphen; remove {characters}.",
     {"characters": "Ä Å"}),
    ("880320/0016", "A personal identity number has only digits and a hyphen; remove {characters}.",
     {"characters": "/"}),
    ("88032-0016", "Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.", {}),
    ("1988-03-20-0016", "Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.", {}),
    ("19880320+0016", "Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.", {}),
    ("880320-00166", "Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN.", {}),
    ("881320-0016", "{date} is not a date: check the date of birth in the number.", {"date": "1988-13-20"}),
    ("19890229-0016", "{date} is not a date: check the date of birth in the number.", {"date": "1989-02-29"}),
    ("880345-0016", "{date} is not a date: check the date of birth in the number.", {"date": "1988-03-45"}),
    ("880392-0016", "{date} is not a date: check the date of birth in the number.", {"date": "1988-03-92"}),
    ("20251224-0016", "The date of birth {date} is in the future.", {"date": "2025-12-24"}),
    ("251224-0016", "The date of birth {date} is in the future.", {"date": "2025-12-24"}),
    ("880320-0018", personal_numbers.PERSONAL_CHECK_DIGIT, {}),
    ("19880320-0018", personal_numbers.PERSONAL_CHECK_DIGIT, {}),
    ("701063-2390", personal_numbers.PERSONAL_CHECK_DIGIT, {}),
])
def test_invalid_personal_numbers_name_the_rule(written: str, message: str, params: dict[str, str | int]) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_personal_number(written, TODAY)
    assert refused.value.reason.message == message
    assert dict(refused.value.reason.params) == params


def test_the_century_of_a_short_form_follows_today() -> None:
    assert normalise_personal_number("000101-0008", date(2025, 1, 1)) == "20000101-0008"
    assert normalise_personal_number("000101-0008", date(2099, 12, 31)) == "20000101-0008"
    assert normalise_personal_number("000101-0008", date(2100, 1, 1)) == "21000101-0008"  # born today
    assert normalise_personal_number("000101+0008", date(2100, 1, 1)) == "20000101-0008"
    assert normalise_personal_number("000101+0008", date(2025, 6, 15)) == "19000101-0008"
