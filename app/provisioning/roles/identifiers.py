"""HSA-ids of units and people, and Swedish personal identity numbers: checked as written, refused with the rule.

An HSA-id is "SE", the ten digits of the organisation number that issued it, a hyphen and the issuer's own part
(SE2321000198-E000000000001). It is kept exactly as written, apart from spaces around it, so that what a person
types is what the catalogue and the supplier's login system compare: lower-case letters are refused (with the
capitalised id as the fix) rather than capitalised silently, which also keeps one spelling of each id.

A personal identity number (personnummer) is accepted in the forms people write it and stored as
YYYYMMDD-NNNN. Coordination numbers (samordningsnummer: the day of birth plus 60) are personal identity numbers
for this purpose and accepted. Pure CPU, no database.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.se import orgnr

from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.licenses.collaborators import InvalidValue

HSA_PREFIX = "SE"
HSA_MAX = 31
ORGNR_DIGITS = 10
COORDINATION_OFFSET = 60  # a coordination number's day of birth is the real day plus 60
HSA_EXAMPLE = "SE2321000198-E000000000001"  # with Region Gävleborg's organisation number
BAD_HSA_CHARACTERS = _("An HSA-id has only letters A-Z, digits and hyphens (no å, ä, ö or @); remove {characters}.")
ORGNR_LENGTH = _("After SE come the 10 digits of the organisation number, without a hyphen; there are {count}.")
ORGNR_CHECK_DIGIT = _("The organisation number {number} has a wrong check digit; look for a typing mistake.")
PERSONAL_CHECK_DIGIT = _("The check digit (the last digit) does not match the rest; look for a typing mistake.")
_HSA_CHARACTERS = re.compile(r"[A-Za-z0-9-]")
_PERSONAL_SHAPE = re.compile(r"(\d{6}|\d{8})([-+]?)(\d{4})\Z")
# Word-processor dashes arrive by copy and paste and mean the hyphen.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


class InvalidIdentifier(InvalidValue):
    """An HSA-id or personal identity number refused; ``.reason`` holds the message id and its parameters."""

    def on_field(self, field: str) -> ValidationFailed:
        """The same refusal as a form's validation error on ``field``."""
        refused = ValidationFailed(self.reason.message, details={"field": field})
        refused.params = dict(self.reason.params)
        return refused


def _named(characters: str) -> str:
    """Characters as a message shows them: invisible ones (spaces, controls) by their code point."""
    return " ".join(char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
                    for char in sorted(set(characters)))


# --- HSA-id ------------------------------------------------------------------------------------------


def normalise_hsa_id(text: str) -> str:
    """ " SE2321000198-E000000000001 " is "SE2321000198-E000000000001"; anything else is refused with its rule."""
    hsa_id = text.strip()
    if not hsa_id:
        raise InvalidIdentifier(_("Enter the HSA-id."))
    stray = "".join(char for char in hsa_id if not (char.isascii() and _HSA_CHARACTERS.match(char)))
    if stray:
        raise InvalidIdentifier(BAD_HSA_CHARACTERS, characters=_named(stray))
    # The rules are checked on the capitalised id, so that the capitals the refusal suggests are a valid HSA-id.
    _check_hsa_structure(hsa_id.upper())
    if hsa_id.upper() != hsa_id:
        raise InvalidIdentifier(_("Write the letters of an HSA-id in capitals: {suggestion}."),
                                suggestion=hsa_id.upper())
    return hsa_id


def _check_hsa_structure(hsa_id: str) -> None:
    if not hsa_id.startswith(HSA_PREFIX):
        raise InvalidIdentifier(_("An HSA-id starts with SE, as in {example}."), example=HSA_EXAMPLE)
    digits = re.match(r"\d*", hsa_id[len(HSA_PREFIX):])
    number = digits.group() if digits else ""
    if len(number) != ORGNR_DIGITS:
        raise InvalidIdentifier(ORGNR_LENGTH, count=len(number))
    try:
        orgnr.validate(number)
    except InvalidChecksum:
        raise InvalidIdentifier(ORGNR_CHECK_DIGIT, number=number) from None
    rest = hsa_id[len(HSA_PREFIX) + ORGNR_DIGITS:]
    if not rest.startswith("-"):
        raise InvalidIdentifier(_("A hyphen follows the organisation number, as in {example}."), example=HSA_EXAMPLE)
    suffix = rest[1:]
    if not suffix:
        raise InvalidIdentifier(_("After the hyphen come one or more letters or digits."))
    if "-" in suffix:
        raise InvalidIdentifier(_("An HSA-id has one hyphen, after the organisation number; remove the others."))
    if len(hsa_id) > HSA_MAX:
        raise InvalidIdentifier(_("An HSA-id has at most {max} characters; this one has {length}."),
                                max=HSA_MAX, length=len(hsa_id))


# --- Personal identity number ------------------------------------------------------------------------


def _birth_year(written: str, separator: str, today: date) -> int:
    """The year of birth: written out, or from the short form, where "-" means the person turns at most 99 this
    year and "+" 100 or more (the separator changes at the start of the year they turn 100)."""
    if len(written) == 8:
        return int(written[:4])
    year = today.year - (today.year - int(written[:2])) % 100
    return year - 100 if separator == "+" else year


def normalise_personal_number(text: str, today: date) -> str:
    """YYMMDD-NNNN, YYMMDD+NNNN (aged 100 or more), YYMMDDNNNN, YYYYMMDDNNNN and YYYYMMDD-NNNN are YYYYMMDD-NNNN.

    ``today`` decides the century of the short forms (and that nobody is born in the future).
    """
    compact = "".join(text.translate(_DASHES).split())
    if not compact:
        raise InvalidIdentifier(_("Enter the personal identity number."))
    stray = "".join(char for char in compact if not (char.isascii() and (char.isdigit() or char in "-+")))
    if stray:
        raise InvalidIdentifier(_("A personal identity number has only digits and a hyphen; remove {characters}."),
                                characters=_named(stray))
    shape = _PERSONAL_SHAPE.match(compact)
    if shape is None or (len(shape.group(1)) == 8 and shape.group(2) == "+"):
        raise InvalidIdentifier(_("Write the personal identity number as YYYYMMDD-NNNN or YYMMDD-NNNN."))
    written, separator, serial = shape.groups()
    year, month, day = _birth_year(written, separator, today), int(written[-4:-2]), int(written[-2:])
    try:
        born = date(year, month, day - COORDINATION_OFFSET if day > COORDINATION_OFFSET else day)
    except ValueError:
        raise InvalidIdentifier(_("{date} is not a date: check the date of birth in the number."),
                                date=f"{year:04d}-{month:02d}-{day:02d}") from None
    if born > today:
        raise InvalidIdentifier(_("The date of birth {date} is in the future."), date=born.isoformat())
    try:
        # stdnum.se.personnummer (2.2) checks the date without the coordination offset and refuses coordination
        # numbers, so the date is checked above and only the Luhn check digit is left to stdnum.
        luhn.validate(written[-6:] + serial)
    except ValidationError:
        raise InvalidIdentifier(PERSONAL_CHECK_DIGIT) from None
    return f"{year:04d}{written[-4:]}-{serial}"
