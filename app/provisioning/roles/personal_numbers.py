"""Swedish personal identity numbers of employees: accepted in the forms people write them, refused with the rule.

A personal identity number (personnummer) is accepted in the forms people write it and stored as
YYYYMMDD-NNNN. Coordination numbers (samordningsnummer: the day of birth plus 60) are personal identity numbers
for this purpose and accepted. A refusal is the provisioning core's ``InvalidIdentifier``, as for an HSA-id, so
that a form shows either the same way. Pure CPU, no database.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum import luhn
from stdnum.exceptions import ValidationError

from app.kit.i18n import _
from app.provisioning.core.hsa_ids import InvalidIdentifier
from app.provisioning.core.refusals import named_characters

COORDINATION_OFFSET = 60  # a coordination number's day of birth is the real day plus 60
PERSONAL_CHECK_DIGIT = _("The check digit (the last digit) does not match the rest; look for a typing mistake.")
_PERSONAL_SHAPE = re.compile(r"(\d{6}|\d{8})([-+]?)(\d{4})\Z")
# Word-processor dashes arrive by copy and paste and mean the hyphen.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


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
                                characters=named_characters(stray))
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
