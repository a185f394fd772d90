"""The last step of ``make messages``: a language's translations follow a message from one domain to another.

``pybabel update`` merges each domain on its own: a message moved from one package's sources to another's would
leave its translation behind as an obsolete entry of the old domain and arrive empty in the new one. This step
fills every empty (or fuzzy) entry of a language from the texts the language already has in any of its domains,
obsolete entries included, then drops the obsolete entries. It also takes in the JSON catalogues of branches
started before the move to gettext (``app/locales/<language>/*.json``) and deletes them.

Run: ``python -m app.kit.i18n_compendium`` (after ``pybabel update``, which keeps obsolete entries).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from app.kit.i18n import LANGUAGES, LOCALES, po_files

Text = str | tuple[str, ...]


def _key(message: Message) -> str | tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else str(message.id)


def _text(message: Message) -> Text | None:
    """A complete, reviewed text; None for an empty, partly filled or fuzzy one."""
    if isinstance(message.string, tuple | list):
        forms = tuple(text or "" for text in message.string)
        return forms if all(forms) and not message.fuzzy else None
    return str(message.string) if message.string and not message.fuzzy else None


def _known(catalogs: Iterable[Catalog], leftovers: dict[str, str]) -> dict[str | tuple[str, ...], Text]:
    known: dict[str | tuple[str, ...], Text] = {}
    for catalog in catalogs:
        for message in (*catalog, *catalog.obsolete.values()):
            text = _text(message) if message.id else None
            if text is not None:
                known.setdefault(_key(message), text)
    for message_id, text in leftovers.items():
        known.setdefault(message_id, text)
    return known


def merge(language: str) -> list[str]:
    """Fills and tidies a language's ``.po`` files; returns what it did, one line per change."""
    paths = list(po_files(language))
    catalogs = []
    for path in paths:
        with path.open("rb") as source:
            catalogs.append(read_po(source, locale=language, domain=path.stem))
    leftover_files = sorted((LOCALES / language).glob("*.json"))
    leftovers: dict[str, str] = {}
    for part in leftover_files:
        leftovers.update(json.loads(part.read_text(encoding="utf-8")))
    known = _known(catalogs, leftovers)
    said: list[str] = []
    for path, catalog in zip(paths, catalogs, strict=True):
        filled = 0
        for message in catalog:
            if message.id and _text(message) is None and _key(message) in known:
                message.string, filled = known[_key(message)], filled + 1
                message.flags.discard("fuzzy")
        dropped = len(catalog.obsolete)
        catalog.obsolete.clear()
        if filled or dropped:
            with path.open("wb") as target:
                write_po(target, catalog)
            said.append(f"{path.relative_to(LOCALES)}: {filled} filled from other domains, {dropped} obsolete dropped")
    used = {_key(message) for catalog in catalogs for message in catalog}
    for part in leftover_files:
        unused = sorted(set(json.loads(part.read_text(encoding="utf-8"))) - used)
        part.unlink()
        said.append(f"{part.relative_to(LOCALES)}: taken in and deleted; no message uses {unused}")
    return said


def main() -> None:
    for language in (language for language in LANGUAGES if language != "en"):
        for line in merge(language):
            sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
