"""One translation function for every user-visible string: English message ids, gettext catalogues for the others.

Code marks a message by calling ``_`` on a string literal (which returns it unchanged), or ``_n`` on a singular and
a plural literal with the number that chooses between them, so that Babel extracts every message (``make
messages``) and a test can check that the catalogues have it; the text is translated when it is rendered, in the
language of whoever reads it. Romanian covers the bed board; Spanish covers the licence module and Swedish the roles
module, each with the pages around it (tests/test_i18n.py holds which sources each language must translate).

The catalogues are ``app/locales/<language>/LC_MESSAGES/<domain>.po``, one domain per package
(``app/locales/domains.txt``). The compiled ``.mo`` files are not kept in git: the first translation of a language
compiles each ``.po`` whose ``.mo`` is missing or older, next to it. Compiling at start rather than at install is
the one way that also covers a fresh clone (``make run``, ``make test``), an edited ``.po`` and a ``git pull``
without a step anyone can forget; compiling a language's nine domains took 25-60 ms (loading the .mo files 2-10
ms), once per process and only when a .po changed. Where the package folder is read-only (an installed wheel), the
catalogue is compiled in memory instead.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "ro", "es", "sv")
LANGUAGE_NAMES = {"en": "English", "ro": "Română", "es": "Español", "sv": "Svenska"}
LOCALES = Path(__file__).resolve().parents[1] / "locales"
# The placeholder a plural message's count fills unless the caller names it otherwise ("{count} days").
COUNT = "count"
LOG = logging.getLogger("bedboard.i18n")


def _(message_id: str) -> str:
    """Marks a message for translation; returns it unchanged."""
    return message_id


class Plural(str):
    """A message with a plural: the English singular (the message id), the English plural, and the number.

    A ``str`` so that it travels wherever a message id does (refusals, error pages); ``translate`` picks the form
    the reader's language uses for ``n`` by the catalogue's CLDR plural rule (Romanian has three: 1 zi, 2 zile,
    20 de zile).
    """

    plural: str
    n: int

    def __new__(cls, singular: str, plural: str, n: int) -> Plural:
        message = super().__new__(cls, singular)
        message.plural, message.n = plural, n
        return message


def _n(singular: str, plural: str, n: int) -> Plural:
    """Marks a message with a plural (Babel extracts both literals); ``translate`` chooses the form for ``n``."""
    return Plural(singular, plural, n)


class Localised(str):
    """A placeholder's value that is no message id yet reads differently per language (a public holiday's name).

    A ``str`` holding the English text, so that code may compare and log it; ``translate`` fills the placeholder
    with ``in_language(reader's language)`` instead, so a notice built before anyone reads it (an order's warning
    naming "Midsummer Eve") is shown in each reader's language ("Midsommarafton").
    """

    in_language: Callable[[str], str]

    def __new__(cls, english: str, in_language: Callable[[str], str]) -> Localised:
        text = super().__new__(cls, english)
        text.in_language = in_language
        return text


def po_files(language: str) -> Iterator[Path]:
    """A language's catalogues, one per domain, in a stable order."""
    yield from sorted((LOCALES / language / "LC_MESSAGES").glob("*.po"))


def _compile(po: Path) -> bytes:
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=po.stem)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # untranslated and fuzzy entries are left out: the English id is shown instead
    return buffer.getvalue()


def _compiled(po: Path) -> GNUTranslations:
    """The ``.mo`` beside ``po``, compiled first if it is missing or older than the ``.po``."""
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as compiled:
                return GNUTranslations(compiled)
    except FileNotFoundError:
        pass
    data = _compile(po)
    try:
        # Two test workers or server processes may compile at once: each writes its own file and renames it.
        handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=f".{po.stem}.", suffix=".mo")
        with os.fdopen(handle, "wb") as target:
            target.write(data)
        os.replace(temporary, mo)
    except OSError as error:  # a read-only install: the compiled catalogue lives in memory only
        LOG.info("cannot write %s (%r); compiled in memory", mo, error)
    return GNUTranslations(BytesIO(data))


@cache
def translations(language: str) -> NullTranslations:
    """A language's domains as one catalogue (they hold disjoint sources; a shared message is translated alike)."""
    if language not in LANGUAGES or language == "en":
        return NullTranslations()
    merged: NullTranslations | None = None
    for po in po_files(language):
        loaded = _compiled(po)
        if merged is None:
            merged = loaded
        else:
            merged.add_fallback(loaded)
    return merged or NullTranslations()


def translate(language: str, message_id: str, **params: object) -> str:
    language = language if language in LANGUAGES else "en"
    catalogue = translations(language)
    params = {key: value.in_language(language) if isinstance(value, Localised) else value
              for key, value in params.items()}
    if isinstance(message_id, Plural):
        text = catalogue.ngettext(message_id, message_id.plural, message_id.n)
        params.setdefault(COUNT, format_number(message_id.n, language))
    else:
        text = catalogue.gettext(message_id)
    return text.format(**params) if params else text


def plural_forms(language: str, message: Plural) -> dict[str, str]:
    """A plural message's forms by CLDR plural category ("one", "few", "other" ...), its ``{count}`` unfilled.

    For a page's script, which picks the category with the browser's ``Intl.PluralRules`` (the same CLDR rules the
    catalogue's Plural-Forms header was made from), so that no script keeps plural rules of its own.
    """
    language = language if language in LANGUAGES else "en"
    rule = _locale(language).plural_form
    forms: dict[str, str] = {}
    for n in range(1000):  # every category of our languages has an integer below 1000 but Spanish "many" (10^6)
        forms.setdefault(rule(n), translations(language).ngettext(message, message.plural, n))
    return forms


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language if language in LANGUAGES else "en")


def format_moment(moment: datetime, zone: ZoneInfo, language: str, *, seconds: bool = False) -> str:
    """A moment for people to read: in the organisation's zone, the date in the reader's language, a 24-hour time.

    The date is CLDR's medium date (month by name, full year: "Mar 14, 2026", "14 mar. 2026", "14 mars 2026"), so
    that day and month cannot be swapped between readers of English and of Romanian; the time is always "HH:mm",
    because coordinators and auditors read 24-hour times and CLDR's English time is on a 12-hour clock; the two are
    joined by the language's own medium date-time pattern ("Mar 14, 2026, 05:12", "14 mars 2026 05:12").
    Machine formats (CSV, the API, the audit log) stay ISO 8601 and do not come here.
    """
    locale, local = _locale(language), moment.astimezone(zone)
    date = format_date(local, "medium", locale=locale)
    time = format_time(local, "HH:mm:ss" if seconds else "HH:mm", locale=locale)
    return str(get_datetime_format("medium", locale=locale)).replace("'", "").replace("{0}", time).replace("{1}", date)


def format_number(number: int | float, language: str) -> str:
    """A number the way the reader's language writes it (1,234.5 in English, 1.234,5 in Romanian and Spanish)."""
    return format_decimal(number, locale=_locale(language))


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
