"""Every marked message has a text in each language whose users read it, and no catalogue holds dead entries.

Which sources a language must translate is the table ``SCOPES``: Romanian is the bed board's language, Spanish
the licence module's and Swedish the roles module's (their staff also see the pages around them, ``SHARED_CHROME``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from app.kit.i18n import LANGUAGE_NAMES, LANGUAGES, catalogue, negotiate, translate

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "accounts", "realtime")
PROVISIONING = "app/provisioning"
ROLES = "app/provisioning/roles"
ORDERS = "app/provisioning/orders"
MARKED = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
# A marked message is one literal: implicit concatenation would hide its second half from this test.
SPLIT = re.compile(r'''\b_\(\s*"(?:[^"\\]|\\.)*"\s*\n?\s*"''')
PLACEHOLDER = re.compile(r"\{\w+\}")

# What a user of the licence module sees around its screens on every visit: the page frame and navigation bar,
# the start page, error pages, logging in and out, activating an account and changing one's own password and
# profile. User administration, API tokens and everything else of the bed board are not here: they are not
# pages of these users (add a file here when one becomes theirs).
SHARED_CHROME = (
    "app/templates/base.html",  # title, navigation bar, log-out button, password reminder
    "app/templates/home.html",  # the start page after logging in
    "app/templates/error.html",
    "app/kit/error_pages.py",  # the message of every error page and JSON error
    "app/kit/navigation.py",  # every label of the navigation bar (each user sees those their roles allow)
    "accounts/templates/login.html",
    "accounts/templates/account.html",
    "accounts/templates/password.html",
    "accounts/templates/activate.html",  # a new user's first page: choosing their password
    "accounts/templates/activate_done.html",
    "accounts/routes.py",  # log in, log out, profile and password forms
    "accounts/service.py",
    "accounts/passwords.py",  # the password policy's messages
    "accounts/guard.py",  # log in first, not allowed, expired form, change your password first
    "accounts/activation.py",
    "accounts/permissions.py",  # role labels, shown on the account page
)

# The one API-token page of accounts, whose licence-usage part is the licence officer's (docs/provisioning.md).
TOKEN_PAGES = (
    "accounts/tokens.py",
    "accounts/templates/api_tokens.html",
    "accounts/templates/api_token_created.html",
    "accounts/templates/api_token_revoke.html",
)

# The pages of the provisioning package that bed-board users see too: everyone's own notifications (and the
# header's count), and the administrators' outbox with the periodic jobs.
SHARED_PROVISIONING_PAGES = (
    "app/notifications/inbox_routes.py",
    "app/provisioning/templates/notifications.html",
    "app/notifications/outbox_routes.py",
    "app/provisioning/templates/outbox.html",
)

# The provisioning core whose texts every module's users read: request and task states, the notices it sends,
# the working-day calendar.
PROVISIONING_CORE = (
    "app/provisioning/core/workflow.py",
    "app/provisioning/core/service.py",
    "app/provisioning/core/calendar.py",
    "app/notifications/notify.py",
)


@dataclass(frozen=True)
class Scope:
    """Which sources' messages a language must translate (files or folders below ROOT), and which it may."""

    needs: tuple[str, ...]
    except_under: tuple[str, ...] = ()
    # Needed although under one of ``except_under``.
    also_needs: tuple[str, ...] = ()
    # Messages it may translate besides those it needs; an entry no message in either uses is dead.
    may_also: tuple[str, ...] = ()


SCOPES: Mapping[str, Scope] = {
    # The bed board's users: everything but the provisioning modules, whose users do not read Romanian.
    "ro": Scope(needs=SOURCES, except_under=(PROVISIONING,), also_needs=SHARED_PROVISIONING_PAGES),
    # The licence module's users (Chilean health-service staff): the provisioning package but the Swedish modules,
    # and the chrome. Its authors add app/locales/es/<domain>.json.
    "es": Scope(needs=(PROVISIONING, *SHARED_CHROME, *TOKEN_PAGES), except_under=(ROLES, ORDERS), may_also=SOURCES),
    # The roles and IT-order modules' users (Swedish regions and municipalities): the modules, the chrome, their
    # notifications and the provisioning core's labels (request and task states, kinds of notice, closure days).
    # Their authors add app/locales/sv/<domain>.json.
    "sv": Scope(needs=(ROLES, ORDERS, *SHARED_CHROME, *SHARED_PROVISIONING_PAGES, *PROVISIONING_CORE),
                may_also=SOURCES),
}
TRANSLATED = tuple(language for language in LANGUAGES if language != "en")


@cache
def messages_by_file() -> dict[str, frozenset[str]]:
    """Every marked message of the code base, by file (a path relative to ROOT, with forward slashes)."""
    found: dict[str, frozenset[str]] = {}
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in {".py", ".html"}:
                continue
            text = path.read_text(encoding="utf-8")
            assert not SPLIT.search(text), f"{path}: a marked message is split over several literals"
            messages = set()
            for match in MARKED.finditer(text):
                literal = match.group(1) if match.group(1) is not None else match.group(2)
                messages.add(literal.encode().decode("unicode_escape") if "\\" in literal else literal)
            found[path.relative_to(ROOT).as_posix()] = frozenset(message for message in messages if message)
    return found


def _under(file: str, places: Iterable[str]) -> bool:
    return any(file == place or file.startswith(place.rstrip("/") + "/") for place in places)


def marked_messages(places: Iterable[str] = SOURCES, except_under: Iterable[str] = ()) -> set[str]:
    places, except_under = tuple(places), tuple(except_under)
    return {message for file, messages in messages_by_file().items()
            if _under(file, places) and not _under(file, except_under) for message in messages}


def needed(language: str) -> set[str]:
    scope = SCOPES[language]
    return marked_messages(scope.needs, scope.except_under) | marked_messages(scope.also_needs)


def test_messages_are_found() -> None:
    assert {"Log in", "Wrong username or password.", "There is no such page."} <= marked_messages()
    assert {"Log in", "Log out", "Change password", "Account", "Please log in."} <= needed("es")
    assert "Free beds" not in needed("es")
    assert {"Log in", "Notifications", "Waiting for the requester"} <= needed("sv")
    assert "Free beds" not in needed("sv")


def test_every_language_has_a_scope_and_a_name() -> None:
    assert set(SCOPES) == set(TRANSLATED)
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


def test_the_shared_chrome_names_existing_sources() -> None:
    # A renamed or moved template would otherwise drop out of the Spanish scope without a sound.
    missing = [place for place in (*SHARED_CHROME, *SHARED_PROVISIONING_PAGES, *PROVISIONING_CORE)
               if place not in messages_by_file()]
    assert not missing, "SHARED_CHROME names files that do not exist or hold no scanned source: " + ", ".join(missing)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_needed_message_is_translated(language: str) -> None:
    missing = sorted(needed(language) - set(catalogue(language)))
    assert not missing, f"add these to a file under app/locales/{language}/:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_has_no_dead_entries(language: str) -> None:
    used = needed(language) | marked_messages(SCOPES[language].may_also)
    dead = sorted(set(catalogue(language)) - used)
    assert not dead, f"no scanned message uses these entries of app/locales/{language}/:\n" + "\n".join(dead)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message, text in catalogue(language).items():
        assert text.strip(), f"{language}: empty translation of {message!r}"
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(text)), (language, message)


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_message_repeated_in_several_files_is_translated_alike(language: str) -> None:
    # catalogue() merges the domain files, so the last file would silently win a disagreement.
    texts: dict[str, tuple[str, str]] = {}
    for part in sorted((ROOT / "app" / "locales" / language).glob("*.json")):
        entries: dict[str, str] = json.loads(part.read_text(encoding="utf-8"))
        for message, text in entries.items():
            first = texts.setdefault(message, (part.name, text))
            assert first[1] == text, f"{message!r} differs in {first[0]} and {part.name}"


@pytest.mark.parametrize(("header", "expected"), [
    ("ro-RO,ro;q=0.9,en;q=0.8", "ro"),
    ("en-GB,en;q=0.9,ro;q=0.8", "en"),
    ("de-DE,ro;q=0.5", "ro"),
    ("fr-FR", "en"),
    ("", "en"),
    ("ro;q=0, en;q=0.1", "en"),
    ("ro;q=bad", "en"),
    ("es-CL,es;q=0.9", "es"),
    ("es-419,es;q=0.9,en;q=0.8", "es"),
    ("en-US,es-CL;q=0.7", "en"),
    ("sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "sv"),
    ("sv-SE", "sv"),
    ("nb-NO,sv;q=0.5", "sv"),
])
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_translate_fills_placeholders() -> None:
    assert translate("ro", "The password must have at least {min} characters.", min=12) == (
        "Parola trebuie să aibă cel puțin 12 caractere.")
    assert translate("es", "The password must have at least {min} characters.", min=12) == (
        "La contraseña debe tener al menos 12 caracteres.")
    assert translate("sv", "The password must have at least {min} characters.", min=12) == (
        "Lösenordet måste ha minst 12 tecken.")
