"""``bedboard roles unit|catalogue``: a unit's HSA-id and manager, a care area's empty role catalogue."""

from __future__ import annotations

import argparse

from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, say
from app.kit.db import UnitOfWork
from app.provisioning.roles import setup


def roles_unit(context: CommandContext, args: argparse.Namespace) -> int:
    async def set_unit(uow: UnitOfWork) -> None:
        await setup.set_unit(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                             hsa_id=args.hsa_id, manager_username=args.manager)

    context.run(set_unit)
    say(f"unit {args.organisation}: {args.hsa_id.strip()}, manager {args.manager or '(none)'}")
    return 0


def roles_catalogue(context: CommandContext, args: argparse.Namespace) -> int:
    async def create(uow: UnitOfWork) -> None:
        await setup.create_catalogue(uow.session, actor=Actor.system("cli"), care_area_code=args.care_area,
                                     approver_code=args.approver)

    context.run(create)
    say(f"role catalogue of {args.care_area}: empty, changes approved by the head of operations of {args.approver}")
    return 0


def _unit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", required=True, metavar="CODE", help="an organisation of kind unit")
    parser.add_argument("--hsa-id", required=True, metavar="HSA-ID", help="e.g. SE2321000198-E1KA")
    parser.add_argument("--manager", default=None, metavar="USERNAME", help="the unit's manager (role manager)")


def _catalogue_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--care-area", required=True, metavar="CODE")
    parser.add_argument("--approver", required=True, metavar="CODE",
                        help="the care area whose head of operations approves changes (often the same)")


COMMAND = Command("roles", "the roles module", position=110, actions=[
    Command("unit", "give a unit its HSA-id and name its manager", roles_unit, configure=_unit_arguments),
    Command("catalogue", "create a care area's empty role catalogue", roles_catalogue,
            configure=_catalogue_arguments),
])
