"""``bedboard import nomenclature FILE [--yes]``: the admin page's preview and apply, from a terminal.

The preview is printed, then (unless ``--yes``) the operator is asked to confirm; the confirmation
applies exactly the previewed diff, as on the page. Exit codes: 0 applied or nothing to change,
1 problems in the file or not confirmed, 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from app.beds.nomenclature import service
from app.beds.nomenclature.diff import Change, Diff, HospitalItem, SectionItem
from app.beds.nomenclature.models import NomenclatureImport
from app.beds.nomenclature.pages import LIST_LIMIT, PREVIEW_LABELS, RESULT_LABELS
from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, complain, say
from app.kit.db import UnitOfWork

Databases = Callable[[], AbstractAsyncContextManager[Callable[[], UnitOfWork]]]
Write = Callable[[str], None]
ACTOR = Actor.system("cli")


def _value(value: str | int | float | None) -> str:
    return "-" if value is None else str(value)


def _changes(changes: tuple[Change, ...]) -> str:
    return "; ".join(f"{change.field} {_value(change.old)} -> {_value(change.new)}" for change in changes)


def _line(item: HospitalItem | SectionItem) -> str:
    where = item.code if isinstance(item, HospitalItem) else f"{item.hospital_code}/{item.code}"
    text = f"  {where}  {item.name}"
    return f"{text}: {_changes(item.changes)}" if item.changes else text


def describe(diff: Diff) -> Iterator[str]:
    """The preview as text lines: each count, then the first items of each list."""
    for name, count in diff.counts().items():
        yield f"{PREVIEW_LABELS[name]}: {count}"
        items: tuple[HospitalItem | SectionItem, ...] = getattr(diff, name)
        yield from (_line(item) for item in items[:LIST_LIMIT])
        if count > LIST_LIMIT:
            yield f"  ... and {count - LIST_LIMIT} more"


async def _preview(databases: Databases, name: str, content: bytes) -> service.Preview:
    async with databases() as unit_of_work, unit_of_work() as uow:
        return await service.preview(uow, actor=ACTOR, file_name=name, content=content)


async def _apply(databases: Databases, import_id: int, fingerprint: str) -> NomenclatureImport:
    async with databases() as unit_of_work, unit_of_work() as uow:
        return await service.apply(uow, actor=ACTOR, import_id=import_id, fingerprint=fingerprint)


async def _cancel(databases: Databases, import_id: int) -> None:
    async with databases() as unit_of_work, unit_of_work() as uow:
        await service.cancel(uow, actor=ACTOR, import_id=import_id)


def _confirmed(ask: Callable[[str], str]) -> bool:
    try:
        return ask("Apply these changes? [y/N] ").strip().lower() in {"y", "yes", "d", "da"}
    except EOFError:  # no terminal to answer: not confirmed
        return False


def run(path: Path, *, assume_yes: bool, databases: Databases, say: Write, complain: Write,
        ask: Callable[[str], str] = input) -> int:
    try:
        content = path.read_bytes()
    except OSError as error:
        complain(f"cannot read {path}: {error.strerror or error}")
        return 2
    shown = asyncio.run(_preview(databases, path.name, content))
    examination, record = shown.examination, shown.record
    if record is None or examination is None or examination.diff is None:
        problems = examination.problems if examination else ()
        for problem in problems:
            say(f"{problem.where}, {problem.field}: {problem.text()}")
        complain(f"{len(problems)} problem(s) in {path}; nothing was changed.")
        return 1
    for line in describe(examination.diff):
        say(line)
    if examination.diff.is_empty:
        asyncio.run(_cancel(databases, record.id))
        say("Nothing to change: the database already matches this file.")
        return 0
    if not assume_yes and not _confirmed(ask):
        asyncio.run(_cancel(databases, record.id))
        complain("not confirmed; nothing was changed.")
        return 1
    applied = asyncio.run(_apply(databases, record.id, examination.fingerprint))
    say(", ".join(f"{RESULT_LABELS[name]}: {count}" for name, count in applied.counts.items()))
    say(f"applied {path.name} (sha256 {applied.sha256}), import {applied.id}")
    return 0


def import_nomenclature(context: CommandContext, args: argparse.Namespace) -> int:
    return run(args.file, assume_yes=args.yes, databases=context.databases, say=say, complain=complain)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the complete list; see docs/nomenclature.md")
    parser.add_argument("--yes", action="store_true", help="apply without asking for confirmation")


COMMAND = Command("import", "import reference data", metavar="WHAT", position=80, actions=[
    Command("nomenclature", "preview the ministry's list of hospitals and sections (CSV or JSON), then apply it",
            import_nomenclature, configure=_arguments),
])
