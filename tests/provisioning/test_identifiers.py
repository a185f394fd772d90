"""HSA-ids and personal identity numbers: the forms accepted, and each refusal with the rule it names."""

from __future__ import annotations

from datetime import date

import pytest

from app.provisioning.licenses.collaborators import InvalidValue
from app.provisioning.roles import identifiers
from app.provisioning.roles.identifiers import InvalidIdentifier, normalise_hsa_id, normalise_personal_number

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(("written", "stored"), [
    ("SE2321000198-E000000000001", "SE2321000198-E000000000001"),  # Region Gävleborg
    ("  SE2321000198-1003\t", "SE2321000198-1003"),  # spaces around a pasted id are not part of it
    ("SE5560360793-A", "SE5560360793-A"),  # a company's id; one character after the hyphen is enough
    ("SE2321000198-ABCDEFGHIJ12345678", "SE2321000198-ABCDEFGHIJ12345678"),  # 31 characters, the most
])
def test_valid_hsa_ids(written: str, stored: str) -> None:
    assert normalise_hsa_id(written) == stored


@pytest.mark.parametrize(("written", "message", "params"), [
    ("", "Enter the HSA-id.", {}),
    ("   ", "Enter the HSA-id.", {}),
    ("SE2321000198-VÅRD1", identifiers.BAD_HSA_CHARACTERS, {"characters": "Å"}),
    ("SE2321000198-bäö", identifiers.BAD_HSA_CHARACTERS, {"characters": "ä ö"}),
    ("anna@regiongavleborg.se", identifiers.BAD_HSA_CHARACTERS, {"characters": ". @"}),
    ("SE2321000198 -E1", identifiers.BAD_HSA_CHARACTERS, {"characters": "U+0020"}),
    ("SE2321000198_E1", identifiers.BAD_HSA_CHARACTERS, {"characters": "_"}),
    ("se2321000198-e1", "Write the letters of an HSA-id in capitals: {suggestion}.",
     {"suggestion": "SE2321000198-E1"}),
    ("SE2321000198-e1", "Write the letters of an HSA-id in capitals: {suggestion}.",
     {"suggestion": "SE2321000198-E1"}),
    ("2321000198-E1", "An HSA-id starts with SE, as in {example}.", {"example": identifiers.HSA_EXAMPLE}),
    ("NO2321000198-E1", "An HSA-id starts with SE, as in {example}.", {"example": identifiers.HSA_EXAMPLE}),
    ("SE232100-0198-E1", identifiers.ORGNR_LENGTH, {"count": 6}),  # the organisation number's own hyphen
    ("SE232100019-E1", identifiers.ORGNR_LENGTH, {"count": 9}),
    ("SE162321000198-E1", identifiers.ORGNR_LENGTH, {"count": 12}),
    ("SE-E1", identifiers.ORGNR_LENGTH, {"count": 0}),
    ("SE2321000199-E1", identifiers.ORGNR_CHECK_DIGIT, {"number": "2321000199"}),
    ("SE2321000198E1", "A hyphen follows the organisation number, as in {example}.",
     {"example": identifiers.HSA_EXAMPLE}),
    ("SE2321000198", "A hyphen follows the organisation number, as in {example}.",
     {"example": identifiers.HSA_EXAMPLE}),
    ("SE2321000198-", "After the hyphen come one or more letters or digits.", {}),
    ("SE2321000198-E-1", "An HSA-id has one hyphen, after the organisation number; remove the others.", {}),
    ("SE2321000198--E1", "An HSA-id has one hyphen, after the organisation number; remove the others.", {}),
    ("SE2321000198-ABCDEFGHIJ123456789", "An HSA-id has at most {max} characters; this one has {length}.",
     {"max": 31, "length": 32}),
])
def test_invalid_hsa_ids_name_the_rule(written: str, message: str, params: dict[str, str | int]) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_hsa_id(written)
    assert refused.value.reason.message == message
    assert dict(refused.value.reason.params) == params


def test_a_refusal_is_a_value_error_with_an_english_text_and_a_swedish_one() -> None:
    with pytest.raises(ValueError, match="wrong check digit") as refused:
        normalise_hsa_id("SE2321000199-E1")
    assert isinstance(refused.value, InvalidValue)
    assert isinstance(refused.value, InvalidIdentifier)
    assert refused.value.reason.text("sv") == (
        "Organisationsnumret 2321000199 har fel kontrollsiffra; kontrollera om det blivit ett skrivfel.")


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
    ("880320-0018", identifiers.PERSONAL_CHECK_DIGIT, {}),
    ("19880320-0018", identifiers.PERSONAL_CHECK_DIGIT, {}),
    ("701063-2390", identifiers.PERSONAL_CHECK_DIGIT, {}),
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
