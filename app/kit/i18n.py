"""One translation function for every user-visible string: English message ids, catalogues for the other languages.

Code marks a message by calling ``_`` on a string literal (which returns it unchanged) so that a test can find every
message and check that the catalogues have it; the text is translated when it is rendered, in the language of
whoever reads it. Romanian covers the bed board; Spanish covers the licence module and Swedish the roles module, each
with the pages around it (tests/test_i18n.py holds which sources each language must translate).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("en", "ro", "es", "sv")
LANGUAGE_NAMES = {"en": "English", "ro": "Română", "es": "Español", "sv": "Svenska"}


def _(message_id: str) -> str:
    """Marks a message for translation; returns it unchanged."""
    return message_id


@cache
def catalogue(language: str) -> dict[str, str]:
    """All of a language's files merged: one file per domain (``app/locales/ro/beds.json`` ...)."""
    if language == "en":
        return {}
    entries: dict[str, str] = {}
    folder = resources.files("app").joinpath(f"locales/{language}")
    for part in sorted(folder.iterdir(), key=lambda item: item.name):
        if part.name.endswith(".json"):
            loaded: dict[str, str] = json.loads(part.read_text(encoding="utf-8"))
            entries.update(loaded)
    return entries


def translate(language: str, message_id: str, **params: object) -> str:
    text = catalogue(language if language in LANGUAGES else "en").get(message_id, message_id)
    return text.format(**params) if params else text


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The best of our languages for an Accept-Language header (quality values respected)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else default
