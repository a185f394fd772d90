"""Every marked message has a text in each language whose users read it, and no catalogue holds dead entries.

Which sources a language must translate is the table ``SCOPES``: Romanian is the bed board's language, Spanish
the licence module's and Swedish the roles module's (their staff also see the pages around them, ``SHARED_CHROME``).
The messages are found by Babel's extraction with the project's babel.cfg and keywords, the same that ``make
messages`` runs; the catalogues are the gettext ``.po`` files, one per language and domain (app/locales/domains.txt).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from app.kit.i18n import LANGUAGE_NAMES, LANGUAGES, LOCALES, _n, negotiate, po_files, translate

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "accounts", "realtime")
PROVISIONING = "app/provisioning"
ROLES = "app/provisioning/roles"
ORDERS = "app/provisioning/orders"
# The HSA-id rule the roles and IT-order modules share, in the provisioning core: Swedish users read it, Chilean ones
# never do.
HSA_IDS = "app/provisioning/core/hsa_ids.py"
# The Makefile's keywords: `_` marks a message, `_n` a singular and its plural.
KEYWORDS = {"_": None, "_n": (1, 2)}
PLACEHOLDER = re.compile(r"\{\w+\}")

# Every label of the navigation bar: each domain registers its own entries (each user sees those their roles allow).
NAVIGATION = (
    "accounts/plugin.py",
    "app/beds/plugin.py",
    "app/history/plugin.py",
    "app/notifications/plugin.py",
    "app/provisioning/licenses/plugin.py",
    "app/provisioning/roles/plugin.py",
    "app/provisioning/orders/plugin.py",
)

# What a user of the licence module sees around its screens on every visit: the page frame and navigation bar,
# the start page, error pages, logging in and out, activating an account and changing one's own password and
# profile. User administration, API tokens and everything else of the bed board are not here: they are not
# pages of these users (add a file here when one becomes theirs).
SHARED_CHROME = (
    "app/templates/base.html",  # title, navigation bar, log-out button, password reminder
    "app/templates/home.html",  # the start page after logging in
    "app/templates/error.html",
    "app/kit/error_pages.py",  # the message of every error page and JSON error
    *NAVIGATION,
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
    "accounts/preferences.py",  # the board theme's choices, on the account page
    "accounts/templates/email_address.html",  # one's own e-mail address, linked from the account page
    "accounts/email_routes.py",
    "accounts/email_addresses.py",  # the address rule's message
    # The organisation's time zone, set by its administrator (a health service's, a region's: issue 23 item 9).
    "accounts/zones.py",
    "accounts/zone_routes.py",
    "accounts/templates/organisation_zone.html",
)

# The user pages, which the administrators of a health service, a region, a commune or a care provider use for
# their own tree (issue 23): they read them in Spanish or Swedish.
USER_ADMIN_PAGES = (
    "accounts/templates/admin_users.html",
    "accounts/templates/admin_user_new.html",
    "accounts/templates/admin_user_edit.html",
    "accounts/templates/admin_user_fields.html",
    "accounts/templates/admin_user_delete.html",
    "accounts/templates/admin_link.html",
    "accounts/admin_routes.py",
    "accounts/admin_service.py",
    "accounts/admin_queries.py",
)

# The one API-token page of accounts, whose licence-usage part is the licence officer's and login-system part the
# Swedish regions' IT support's (docs/provisioning.md).
TOKEN_PAGES = (
    "accounts/tokens.py",
    "accounts/templates/api_tokens.html",
    "accounts/templates/api_token_created.html",
    "accounts/templates/api_token_revoke.html",
)

# The history log a health service's or a region's auditor reads for their own tree (issue 23 items 5 and 9): the log,
# its filters, the chain check, the CSV export's header and the action labels. Not the evolution chart or the board as
# it was (evolution_routes.py, past_board.py and their templates): those are the bed board's, refused to tree auditors.
HISTORY_PAGES = (
    "app/history/routes.py",
    "app/history/filters.py",
    "app/history/export.py",
    "app/history/action_labels.py",
    "app/history/templates/history.html",
    "app/history/templates/history_nav.html",
)

# The pages of the provisioning package that bed-board users see too: everyone's own notifications (and the
# header's count), and the administrators' outbox with the periodic jobs.
SHARED_PROVISIONING_PAGES = (
    "app/notifications/inbox_routes.py",
    "app/notifications/templates/notifications.html",
    "app/notifications/outbox_routes.py",
    "app/notifications/templates/outbox.html",
    # the mail given up, which a health service's or a region's administrator sends again (issue 23)
    "app/notifications/dead_letters.py",
    "app/notifications/templates/dead_letters.html",
)

# The provisioning core whose texts every module's users read: request and task states, the notices it sends,
# the working-day calendar.
PROVISIONING_CORE = (
    "app/provisioning/core/workflow.py",
    "app/provisioning/core/service.py",
    "app/provisioning/core/calendar.py",
    "app/provisioning/core/overdue.py",  # the overdue notice and the daily digest
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
    "ro": Scope(needs=SOURCES, except_under=(PROVISIONING,), also_needs=(*SHARED_PROVISIONING_PAGES, *NAVIGATION)),
    # The licence module's users (Chilean health-service staff): the provisioning package but the Swedish modules,
    # and the chrome. Its authors fill app/locales/es/LC_MESSAGES/<domain>.po after `make messages`.
    "es": Scope(needs=(PROVISIONING, *SHARED_CHROME, *TOKEN_PAGES, *USER_ADMIN_PAGES, *HISTORY_PAGES),
                except_under=(ROLES, ORDERS, HSA_IDS),
                may_also=SOURCES),
    # The roles and IT-order modules' users (Swedish regions and municipalities): the modules, the chrome, their
    # notifications and the provisioning core's labels (request and task states, kinds of notice, closure days), and
    # the token page, where a region's IT support makes its login systems' tokens.
    # Their authors fill app/locales/sv/LC_MESSAGES/<domain>.po after `make messages`.
    "sv": Scope(needs=(ROLES, ORDERS, HSA_IDS, *SHARED_CHROME, *SHARED_PROVISIONING_PAGES, *PROVISIONING_CORE,
                       *TOKEN_PAGES, *USER_ADMIN_PAGES, *HISTORY_PAGES),
                may_also=SOURCES),
}
TRANSLATED = tuple(language for language in LANGUAGES if language != "en")


@cache
def extracted() -> dict[str, dict[str, str | None]]:
    """Every marked message of the code base, by file (a path relative to ROOT, with forward slashes): its id and,
    for a message marked with ``_n``, its English plural (None for one marked with ``_``)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: dict[str, dict[str, str | None]] = {}
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in {".py", ".html"}:
                found[path.relative_to(ROOT).as_posix()] = {}
        for filename, _line, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map, options_map, keywords=KEYWORDS):
            singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
            if singular:
                found[f"{package}/{filename}"][singular] = plural
    return found


def messages_by_file() -> dict[str, frozenset[str]]:
    return {file: frozenset(messages) for file, messages in extracted().items()}


def plural_of(message: str) -> str | None:
    """The English plural of a message marked with ``_n`` (None for one marked with ``_``)."""
    plurals = {messages[message] for messages in extracted().values() if message in messages}
    assert len(plurals) == 1, f"{message!r} is marked both with and without a plural, or with two plurals"
    return plurals.pop()


@cache
def domains() -> dict[str, tuple[str, ...]]:
    """app/locales/domains.txt: each gettext domain's sources (folders, files or globs of one folder)."""
    found: dict[str, tuple[str, ...]] = {}
    for line in (LOCALES / "domains.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, *sources = line.split()
            found[name] = tuple(sources)
    return found


def domains_of(file: str) -> list[str]:
    def holds(source: str) -> bool:
        if "*" in source:
            folder, _slash, pattern = source.rpartition("/")
            return Path(file).parent.as_posix() == folder and Path(file).match(pattern)
        return _under(file, (source,))

    return [name for name, sources in domains().items() if any(holds(source) for source in sources)]


@cache
def catalogues(language: str) -> dict[str, Catalog]:
    """A language's ``.po`` files by domain."""
    found: dict[str, Catalog] = {}
    for po in po_files(language):
        with po.open("rb") as source:
            found[po.stem] = read_po(source, locale=language, domain=po.stem)
    return found


def forms(message: Message) -> tuple[str, ...]:
    texts = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return tuple(text or "" for text in texts)


def english(message: Message, form: int) -> str:
    """The English text a form translates: the singular for the first form, the plural for every other."""
    return str(message.id[min(form, 1)] if isinstance(message.id, tuple | list) else message.id)


def singular(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)


def entries(language: str) -> Iterator[tuple[str, Message]]:
    """Every entry of a language's catalogues with a text (fuzzy ones are not shown to readers: left out)."""
    for domain, catalog in catalogues(language).items():
        for message in catalog:
            if message.id and any(forms(message)) and not message.fuzzy:
                yield domain, message


def translated(language: str) -> set[str]:
    return {singular(message) for _domain, message in entries(language) if all(forms(message))}


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
    # Babel finds the messages of templates too, and the plurals marked with _n.
    assert "Confirms that every number on this page is still right, without changing it." in needed("ro")
    assert "{count} minute" in needed("ro")
    assert plural_of("{count} minute") == "{count} minutes"
    assert plural_of("Log in") is None


def test_every_language_has_a_scope_and_a_name() -> None:
    assert set(SCOPES) == set(TRANSLATED)
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


def test_the_shared_chrome_names_existing_sources() -> None:
    # A renamed or moved template would otherwise drop out of the Spanish scope without a sound.
    missing = [place for place in (*SHARED_CHROME, *SHARED_PROVISIONING_PAGES, *PROVISIONING_CORE, *NAVIGATION)
               if place not in messages_by_file()]
    assert not missing, "SHARED_CHROME names files that do not exist or hold no scanned source: " + ", ".join(missing)


def test_no_json_catalogue_is_left() -> None:
    # The JSON catalogues of before gettext are no longer read: `make messages` takes their texts in and deletes them.
    assert not sorted(LOCALES.glob("*/*.json")), "run `make messages` to move these texts into the .po files"


def test_every_source_belongs_to_one_domain() -> None:
    # `make messages` extracts each domain from its sources: a file in none would never reach a catalogue.
    wrong = {file: domains_of(file) for file, messages in messages_by_file().items()
             if messages and len(domains_of(file)) != 1}
    assert not wrong, f"each file needs exactly one domain in app/locales/domains.txt: {wrong}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_needed_message_is_translated(language: str) -> None:
    missing = sorted(needed(language) - translated(language))
    assert not missing, (f"translate these in app/locales/{language}/LC_MESSAGES/<domain>.po (make messages adds "
                         "them):\n" + "\n".join(missing))


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_has_no_dead_entries(language: str) -> None:
    used = needed(language) | marked_messages(SCOPES[language].may_also)
    dead = sorted({singular(message) for _domain, message in entries(language)} - used)
    assert not dead, f"no scanned message uses these entries of app/locales/{language}/:\n" + "\n".join(dead)
    # Each entry belongs to its own domain's sources: `make messages` would drop it from any other.
    for domain, message in entries(language):
        assert singular(message) in marked_messages(domains()[domain]), (
            f"{language}/{domain}.po: {singular(message)!r} is marked in no source of the domain {domain}")
    for domain, catalog in catalogues(language).items():
        assert not catalog.obsolete, f"{language}/{domain}.po keeps obsolete entries: {sorted(catalog.obsolete)}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_every_form_of_the_language(language: str) -> None:
    for domain, catalog in catalogues(language).items():
        # The header is Babel's, from CLDR: Romanian has three forms (1 zi, 2 zile, 20 de zile).
        assert catalog.num_plurals == get_plural(language).num_plurals, (language, domain)
        for message in catalog:
            if not message.id or not any(forms(message)):
                continue
            plural = plural_of(singular(message)) if singular(message) in marked_messages() else None
            if message.pluralizable:
                assert plural == message.id[1], f"{language}/{domain}.po: {singular(message)!r} is no longer _n"
                assert len(forms(message)) == catalog.num_plurals, (language, domain, message.id)
                assert all(forms(message)), f"{language}/{domain}.po: fill every plural form of {singular(message)!r}"
            else:
                assert plural is None, f"{language}/{domain}.po: {singular(message)!r} is now marked with _n"


def test_the_romanian_catalogue_has_three_plural_forms() -> None:
    assert {catalog.num_plurals for catalog in catalogues("ro").values()} == {3}
    days = _n("{count} day", "{count} days", 0)
    assert [translate("ro", _n(days, days.plural, n)) for n in (1, 2, 19, 20, 101, 120)] == [
        "1 zi", "2 zile", "19 zile", "20 de zile", "101 zile", "120 de zile"]
    assert [translate("en", _n(days, days.plural, n)) for n in (1, 2, 1200)] == ["1 day", "2 days", "1,200 days"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    for domain, message in entries(language):
        for form, text in enumerate(forms(message)):
            assert text.strip(), f"{language}/{domain}.po: empty translation of {message.id!r}"
            # A singular form may say its number in words ("un minut"); every other form keeps the placeholders.
            expected = set(PLACEHOLDER.findall(english(message, form)))
            found = set(PLACEHOLDER.findall(text))
            assert found == expected or (form == 0 and found == expected - {"{count}"}), (language, message.id)


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_message_repeated_in_several_domains_is_translated_alike(language: str) -> None:
    # The runtime merges the domains, so the first domain would silently win a disagreement.
    texts: dict[str, tuple[str, tuple[str, ...]]] = {}
    for domain, message in entries(language):
        first = texts.setdefault(singular(message), (domain, forms(message)))
        assert first[1] == forms(message), f"{message.id!r} differs in {first[0]}.po and {domain}.po"


def test_a_fresh_clone_compiles_the_catalogues(tmp_path: Path) -> None:
    """The .mo files are not in git: the first translation of a fresh process compiles them."""
    for mo in LOCALES.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    program = "from app.kit.i18n import translate; print(translate('ro', 'Log in'), translate('sv', 'Log in'))"
    shown = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert shown.strip() == "Autentificare Logga in"
    assert {mo.with_suffix(".po") for mo in LOCALES.glob("*/LC_MESSAGES/*.mo")} >= set(po_files("ro"))


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
