"""``bedboard licenses pool``: how many licences a health service has."""

from __future__ import annotations

import argparse

from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, say
from app.kit.db import UnitOfWork
from app.provisioning.licenses import setup


def licenses_pool(context: CommandContext, args: argparse.Namespace) -> int:
    async def set_size(uow: UnitOfWork) -> None:
        await setup.set_pool(uow.session, actor=Actor.system("cli"), service_code=args.service, size=args.size)

    context.run(set_size)
    say(f"licence pool of {args.service}: {args.size}")
    return 0


def _pool_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--service", required=True, metavar="CODE")
    parser.add_argument("--size", required=True, type=int)


COMMAND = Command("licenses", "the licence module", position=100, actions=[
    Command("pool", "set how many licences a health service has", licenses_pool, configure=_pool_arguments),
])
