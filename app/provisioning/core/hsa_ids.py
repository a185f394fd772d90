"""HSA-ids of units and people: checked as written, refused with the rule.

An HSA-id is "SE", the ten digits of the organisation number that issued it, a hyphen and the issuer's own part
(SE2321000198-E000000000001). It is kept exactly as written, apart from spaces around it, so that what a person
types is what the catalogue and the supplier's login system compare: lower-case letters are refused (with the
capitalised id as the fix) rather than capitalised silently, which also keeps one spelling of each id.

Shared by the roles module (units, people, the role catalogue) and the IT-order module (the people orders are
for); a refusal is an ``InvalidIdentifier``, the same for the roles module's personal identity numbers. Pure CPU,
no database.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum
from stdnum.se import orgnr

from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.refusals import InvalidValue, named_characters

HSA_PREFIX = "SE"
HSA_MAX = 31
ORGNR_DIGITS = 10
HSA_EXAMPLE = "SE2321000198-E000000000001"  # with Region Gävleborg's organisation number
BAD_HSA_CHARACTERS = _("An HSA-id has only letters A-Z, digits and hyphens (no å, ä, ö or @); remove {characters}.")
ORGNR_LENGTH = _("After SE come the 10 digits of the organisation number, without a hyphen; there are {count}.")
ORGNR_CHECK_DIGIT = _("The organisation number {number} has a wrong check digit; look for a typing mistake.")
_HSA_CHARACTERS = re.compile(r"[A-Za-z0-9-]")


class InvalidIdentifier(InvalidValue):
    """An HSA-id or personal identity number refused; ``.reason`` holds the message id and its parameters."""

    def on_field(self, field: str) -> ValidationFailed:
        """The same refusal as a form's validation error on ``field``."""
        refused = ValidationFailed(self.reason.message, details={"field": field})
        refused.params = dict(self.reason.params)
        return refused


def normalise_hsa_id(text: str) -> str:
    """ " SE2321000198-E000000000001 " is "SE2321000198-E000000000001"; anything else is refused with its rule."""
    hsa_id = text.strip()
    if not hsa_id:
        raise InvalidIdentifier(_("Enter the HSA-id."))
    stray = "".join(char for char in hsa_id if not (char.isascii() and _HSA_CHARACTERS.match(char)))
    if stray:
        raise InvalidIdentifier(BAD_HSA_CHARACTERS, characters=named_characters(stray))
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
