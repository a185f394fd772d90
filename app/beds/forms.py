"""What an operator types, read strictly: a whole number, nothing else, with a message a person understands."""

from __future__ import annotations

import re

from app.beds.service import check_free_beds
from app.kit.errors import ValidationFailed
from app.kit.i18n import _

WHOLE_NUMBER = re.compile(r"[+-]?\d{1,7}")


def parse_free_beds(text: str) -> int:
    cleaned = text.strip().replace("\u2212", "-")  # a typographic minus pasted from a document
    if not cleaned:
        raise ValidationFailed(_("Enter the number of free beds."), details={"field": "free_beds"})
    if not WHOLE_NUMBER.fullmatch(cleaned):
        raise ValidationFailed(_("Enter a whole number, for example 12 (or -1 in an exceptional case)."),
                               details={"field": "free_beds"})
    return check_free_beds(int(cleaned))


def parse_version(text: str) -> int:
    if not text.strip().isdigit():
        raise ValidationFailed(_("The page is out of date; reload it."), details={"field": "expected_version"})
    return int(text)
