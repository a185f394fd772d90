"""Every message marked for translation has a Romanian text, and the catalogue holds no dead entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n import catalogue, negotiate, translate

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "accounts", "realtime")
MARKED = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
# A marked message is one literal: implicit concatenation would hide its second half from this test.
SPLIT = re.compile(r'''\b_\(\s*"(?:[^"\\]|\\.)*"\s*\n?\s*"''')


def marked_messages() -> set[str]:
    messages: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix not in {".py", ".html"}:
                continue
            text = path.read_text(encoding="utf-8")
            assert not SPLIT.search(text), f"{path}: a marked message is split over several literals"
            for match in MARKED.finditer(text):
                literal = match.group(1) if match.group(1) is not None else match.group(2)
                messages.add(literal.encode().decode("unicode_escape") if "\\" in literal else literal)
    return {message for message in messages if message}


def test_messages_are_found() -> None:
    assert {"Log in", "Wrong username or password.", "There is no such page."} <= marked_messages()


def test_every_message_has_a_romanian_translation() -> None:
    missing = sorted(marked_messages() - set(catalogue("ro")))
    assert not missing, "add these to a file under app/locales/ro/:\n" + "\n".join(missing)


def test_the_romanian_catalogue_has_no_dead_entries() -> None:
    assert not sorted(set(catalogue("ro")) - marked_messages())


def test_translations_keep_their_placeholders() -> None:
    for message, romanian in catalogue("ro").items():
        assert set(re.findall(r"\{\w+\}", message)) == set(re.findall(r"\{\w+\}", romanian)), message


@pytest.mark.parametrize(("header", "expected"), [
    ("ro-RO,ro;q=0.9,en;q=0.8", "ro"),
    ("en-GB,en;q=0.9,ro;q=0.8", "en"),
    ("de-DE,ro;q=0.5", "ro"),
    ("fr-FR", "en"),
    ("", "en"),
    ("ro;q=0, en;q=0.1", "en"),
    ("ro;q=bad", "en"),
])
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_translate_fills_placeholders() -> None:
    assert translate("ro", "The password must have at least {min} characters.", min=12) == (
        "Parola trebuie să aibă cel puțin 12 caractere.")
