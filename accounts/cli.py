"""``bedboard users create`` and ``bedboard organisations create``: the first authority and administrator of a new
installation, and any account after them, from a terminal (audited as cli)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from accounts.permissions import ROLE_ACTIONS
from accounts.service import ORGANISATION_KINDS, AccountsContext, accounts_context, create_organisation, create_user
from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, CommandFailed, say
from app.kit.settings import Settings


@asynccontextmanager
async def open_accounts(settings: Settings) -> AsyncIterator[AccountsContext]:
    """The accounts context of one command; its hashing threads are released on the way out."""
    context = accounts_context(settings)
    try:
        yield context
    finally:
        context.hasher.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise CommandFailed("no password on standard input: give it as one line.")
        return line.rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        raise CommandFailed("the two passwords differ; nothing was created.")
    return password


async def _create_user(context: CommandContext, args: argparse.Namespace, password: str) -> None:
    async with context.databases() as unit_of_work, open_accounts(context.settings) as accounts:
        async with unit_of_work() as uow:
            await create_user(uow.session, context=accounts, actor=Actor.system("cli"),
                              organisation_code=args.organisation, role=args.role, username=args.username,
                              display_name=args.display_name or args.username, password=password)


def users_create(context: CommandContext, args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    asyncio.run(_create_user(context, args, password))
    say(f"created user {args.username} ({args.role} of {args.organisation})")
    return 0


async def _create_organisation(context: CommandContext, args: argparse.Namespace) -> None:
    async with context.databases() as unit_of_work, unit_of_work() as uow:
        await create_organisation(uow.session, actor=Actor.system("cli"), code=args.code, name=args.name,
                                  kind=args.kind, parent_code=args.parent)


def organisations_create(context: CommandContext, args: argparse.Namespace) -> int:
    asyncio.run(_create_organisation(context, args))
    say(f"created {args.kind} {args.code}")
    return 0


def _user_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", required=True, metavar="CODE", help="organisation code, e.g. SAMB")
    # Every role of the permission table, so that the help never falls behind a module that adds one.
    parser.add_argument("--role", required=True, metavar="ROLE",
                        help="one of: " + ", ".join(ROLE_ACTIONS) + " (each belongs to its kinds of organisation)")
    parser.add_argument("--username", required=True)
    parser.add_argument("--display-name", default="", metavar="TEXT", help="full name (default: username)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input instead of prompting")


def _organisation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--code", required=True, help="short code, e.g. SAMB")
    parser.add_argument("--name", required=True, help="full name")
    parser.add_argument("--kind", default="authority", choices=ORGANISATION_KINDS)
    parser.add_argument("--parent", default=None, metavar="CODE", help="code of the parent organisation")


COMMANDS = (
    Command("organisations", "manage organisations", position=40, actions=[
        Command("create", "create an authority (or a hospital) on a new installation (audited as cli)",
                organisations_create, configure=_organisation_arguments),
    ]),
    Command("users", "manage user accounts", position=50, actions=[
        Command("create", "create a user with a password (audited as cli)", users_create,
                configure=_user_arguments),
    ]),
)
