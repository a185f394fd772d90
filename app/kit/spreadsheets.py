"""CSV cells that a spreadsheet opens as text, never as a formula (CWE-1236).

A name or reason typed by a user may start with ``=``, ``+``, ``-`` or ``@``; Excel and LibreOffice would
run it. Such a text cell gets a leading apostrophe; numbers are left as they are, so -1 stays a number.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_row(cells: Iterable[object]) -> list[object]:
    """Every text cell of a line made safe, in one pass: an export of many lines calls this once a line."""
    return ["'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell for cell in cells]
