"""What a domain adds to the ``bedboard`` command, and what every command shares.

A domain describes its commands as ``Command`` values in its plugin (``licenses pool``, ``import nomenclature``
...); ``app/cli.py`` adds the registered ones to its parser beside its own (serve, migrate, demo ...), ordered by
``position`` so that ``bedboard --help`` reads the same whatever order the plugins register in. A command is a
plain function from a ``CommandContext`` and the parsed arguments to an exit code: 0 done, 1 refused by a rule or
a failed check, 2 wrong usage or settings. Its database work runs in one ``asyncio.run`` that disposes the engine
on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from app.kit.db import BeforeCommit, UnitOfWork, make_engine, make_session_factory
from app.kit.errors import DomainError
from app.kit.settings import Settings

UnitOfWorkFactory = Callable[[], UnitOfWork]


class CommandFailed(Exception):
    """A refusal found by the command itself (not by a domain rule); the message says what to do."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def complain(text: str) -> None:
    sys.stderr.write(f"bedboard: {text}\n")


def domain_message(error: DomainError) -> str:
    try:
        return error.message.format(**error.params)
    except (KeyError, IndexError, ValueError):
        return error.message


@asynccontextmanager
async def units_of_work(settings: Settings, *, before_commit: BeforeCommit | None = None,
                        snapshot: bool = False) -> AsyncIterator[UnitOfWorkFactory]:
    """A command's own engine, disposed on the way out, and the units of work it opens."""
    options: dict[str, str] = {}
    if snapshot and not settings.is_sqlite:
        # Under READ COMMITTED a write committed while the chain is walked would make the head read
        # at the end disagree with the rows read before it. (SQLite's BEGIN IMMEDIATE is a snapshot.)
        options["isolation_level"] = "REPEATABLE READ"
    engine = make_engine(settings.database_url, **options)
    try:
        session_factory = make_session_factory(engine, settings.zone)
        yield lambda: UnitOfWork(session_factory, before_commit=before_commit)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class CommandContext:
    """What a command runs with: the settings, and what every transaction it commits carries besides its rows
    (the live feeds' part, e.g. the bed board's NOTIFY, so that the running servers hear an import)."""

    settings: Settings
    before_commit: BeforeCommit | None = None

    def databases(self, *, snapshot: bool = False) -> AbstractAsyncContextManager[UnitOfWorkFactory]:
        return units_of_work(self.settings, before_commit=self.before_commit, snapshot=snapshot)

    def run(self, work: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """``work`` in one unit of work, committed when it returns."""

        async def main() -> None:
            async with self.databases() as unit_of_work, unit_of_work() as uow:
                await work(uow)

        asyncio.run(main())


Run = Callable[[CommandContext, argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """``bedboard NAME``: either it runs (``run``, its arguments added by ``configure``), or it is a group of
    ``actions`` (``bedboard roles unit``), chosen by a word shown as ``metavar`` in the usage line.

    ``position`` orders the top-level commands across the plugins and the assembly, as a ``NavItem``'s orders the
    navigation bar; actions keep the order they are given in."""

    name: str
    help: str
    run: Run | None = None
    configure: Callable[[argparse.ArgumentParser], None] | None = None
    actions: Sequence[Command] = ()
    metavar: str = "ACTION"
    position: int = 0

    def __post_init__(self) -> None:
        if (self.run is None) == (not self.actions):
            raise ValueError(f"the command {self.name} must either run or hold actions, not both or neither")

    def add_to(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        """Adds this command (and its actions) to a parser's sub-commands."""
        if self.run is None:
            parser = commands.add_parser(self.name, help=self.help)
            actions = parser.add_subparsers(required=True, metavar=self.metavar)
            for action in self.actions:
                action.add_to(actions)
        else:
            # The help line of the list above is also the command's own description (``bedboard NAME --help``).
            parser = commands.add_parser(self.name, help=self.help, description=self.help)
            parser.set_defaults(run=self.run)
        if self.configure is not None:
            self.configure(parser)
        return parser
