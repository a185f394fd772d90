"""A typed value refused with its reason: an English message id and its parameters, translated when shown.

The licence module's checks (RUNs, names, usage files) and the HSA-id and personal-number checks of the roles and
IT-order modules refuse values the same way, so that a form, a file report and an API answer can each show the
reason in the reader's language. Pure CPU, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.kit.i18n import translate


@dataclass(frozen=True)
class Reason:
    """Why a value or a file is refused: an English message id and its parameters, translated when shown."""

    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        return translate(language, self.message, **self.params)


class InvalidValue(ValueError):
    def __init__(self, message: str, **params: str | int) -> None:
        self.reason = Reason(message, params)
        super().__init__(self.reason.text())


def named_characters(characters: str) -> str:
    """Characters as a message shows them: invisible ones (spaces, controls) by their code point."""
    return " ".join(char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
                    for char in sorted(set(characters)))
