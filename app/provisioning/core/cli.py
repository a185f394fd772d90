"""``bedboard calendars set|close``: an organisation's working calendar, which the provisioning deadlines count in."""

from __future__ import annotations

import argparse
from datetime import date

from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, say
from app.kit.db import UnitOfWork
from app.provisioning.core import setup


def calendars_set(context: CommandContext, args: argparse.Namespace) -> int:
    context.run(lambda uow: _set(uow, args))
    say(f"calendar of {args.organisation}: {args.country or 'weekends only'}"
        f"{'-' + args.subdivision if args.subdivision else ''}, {args.timezone}")
    return 0


async def _set(uow: UnitOfWork, args: argparse.Namespace) -> None:
    await setup.set_calendar(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                             country=args.country, subdivision=args.subdivision, timezone=args.timezone)


def calendars_close(context: CommandContext, args: argparse.Namespace) -> int:
    async def close(uow: UnitOfWork) -> None:
        await setup.add_closure_day(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                                    day=args.day, reason=args.reason)

    context.run(close)
    say(f"{args.day.isoformat()} is a closure day of {args.organisation}")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-08") from error


def _set_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", required=True, metavar="CODE")
    parser.add_argument("--country", default=None, help="ISO 3166 code such as CL or SE; omit for weekends only")
    parser.add_argument("--subdivision", default=None, help="region code where holidays differ, e.g. RM")
    parser.add_argument("--timezone", required=True, help="e.g. America/Santiago")


def _close_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", required=True, metavar="CODE")
    parser.add_argument("--day", required=True, type=_day, metavar="YYYY-MM-DD")
    parser.add_argument("--reason", required=True)


COMMAND = Command("calendars", "working calendars for provisioning deadlines", position=90, actions=[
    Command("set", "set an organisation's country, region and time zone (its children inherit it)", calendars_set,
            configure=_set_arguments),
    Command("close", "add a local closure day (not a business day)", calendars_close, configure=_close_arguments),
])
