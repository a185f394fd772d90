"""HSA-ids: the forms accepted, and each refusal with the rule it names."""

from __future__ import annotations

import pytest

from app.provisioning.core import hsa_ids
from app.provisioning.core.hsa_ids import InvalidIdentifier, normalise_hsa_id
from app.provisioning.core.refusals import InvalidValue


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
    ("SE2321000198-VÅRD1", hsa_ids.BAD_HSA_CHARACTERS, {"characters": "Å"}),
    ("SE2321000198-bäö", hsa_ids.BAD_HSA_CHARACTERS, {"characters": "ä ö"}),
    ("anna@regiongavleborg.se", hsa_ids.BAD_HSA_CHARACTERS, {"characters": ". @"}),
    ("SE2321000198 -E1", hsa_ids.BAD_HSA_CHARACTERS, {"characters": "U+0020"}),
    ("SE2321000198_E1", hsa_ids.BAD_HSA_CHARACTERS, {"characters": "_"}),
    ("se2321000198-e1", "Write the letters of an HSA-id in capitals: {suggestion}.",
     {"suggestion": "SE2321000198-E1"}),
    ("SE2321000198-e1", "Write the letters of an HSA-id in capitals: {suggestion}.",
     {"suggestion": "SE2321000198-E1"}),
    ("2321000198-E1", "An HSA-id starts with SE, as in {example}.", {"example": hsa_ids.HSA_EXAMPLE}),
    ("NO2321000198-E1", "An HSA-id starts with SE, as in {example}.", {"example": hsa_ids.HSA_EXAMPLE}),
    ("SE232100-0198-E1", hsa_ids.ORGNR_LENGTH, {"count": 6}),  # the organisation number's own hyphen
    ("SE232100019-E1", hsa_ids.ORGNR_LENGTH, {"count": 9}),
    ("SE162321000198-E1", hsa_ids.ORGNR_LENGTH, {"count": 12}),
    ("SE-E1", hsa_ids.ORGNR_LENGTH, {"count": 0}),
    ("SE2321000199-E1", hsa_ids.ORGNR_CHECK_DIGIT, {"number": "2321000199"}),
    ("SE2321000198E1", "A hyphen follows the organisation number, as in {example}.",
     {"example": hsa_ids.HSA_EXAMPLE}),
    ("SE2321000198", "A hyphen follows the organisation number, as in {example}.",
     {"example": hsa_ids.HSA_EXAMPLE}),
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
