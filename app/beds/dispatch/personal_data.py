"""No personal numbers in an announcement: a text that holds something valid as a Chilean RUN (RUT), a Romanian
CNP or a Swedish personnummer is refused, naming the field.

Each check digit is python-stdnum's (``stdnum.cl.rut``, ``stdnum.ro.cnp``, ``stdnum.se.personnummer``), so an ETA,
a bed count or a date in a note does not trip it: a number is refused only when it validates as one of the three.
Tokens are read with the separators those numbers are written with (dots, a dash, a plus), and a RUN's check
letter ``K``; spaces split tokens, so "12 345 678-5" read as one number would be missed, but so is any sentence of
small numbers misread as one.
"""

from __future__ import annotations

import re

from stdnum.cl import rut
from stdnum.ro import cnp
from stdnum.se import personnummer

# Digits with the separators the three numbers are written with, ending in a digit or a RUN's K.
_TOKEN = re.compile(r"[0-9][0-9.\-+]*[0-9kK]|[0-9]")
_CHECKS = (("RUN", rut.is_valid), ("CNP", cnp.is_valid), ("personnummer", personnummer.is_valid))


def personal_number_in(text: str) -> str | None:
    """The kind of personal number the text holds (``"RUN"``, ``"CNP"``, ``"personnummer"``), or None."""
    for token in _TOKEN.findall(text):
        for kind, is_valid in _CHECKS:
            if is_valid(token):
                return kind
    return None
