"""``bedboard orders catalogue``: install a shipped IT-order catalogue, or a file as a catalogue's next version."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, CommandFailed, complain, domain_message, say
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.provisioning.orders import setup
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.catalogue.problems import CatalogueInvalid


def orders_catalogue(context: CommandContext, args: argparse.Namespace) -> int:
    """Exit code 2 for a wrong shipped key or a file with mistakes: the input is wrong, not a rule broken."""
    if args.shipped is not None and args.shipped not in loader.SHIPPED:
        raise CommandFailed(f"there is no shipped catalogue {args.shipped!r}; the shipped catalogues are: "
                            f"{', '.join(loader.SHIPPED)}", exit_code=2)
    data = _catalogue_file(args.file) if args.file is not None else b""
    installed: list[setup.InstalledCatalogue] = []

    async def install(uow: UnitOfWork) -> None:
        actor = Actor.system("cli")
        if args.shipped is not None:
            installed.append(await setup.install_shipped(uow, actor=actor, organisation_code=args.organisation,
                                                         key=args.shipped))
        else:
            installed.append(await setup.add_file(uow, actor=actor, organisation_code=args.organisation,
                                                  data=data, file_name=args.file.name))

    try:
        context.run(install)
    except CatalogueInvalid as error:
        for problem in error.problems:
            say(problem.text())
        complain(f"{len(error.problems)} problem(s) in {args.file}; nothing was changed.")
        return 2
    except ValidationFailed as error:
        if error.details.get("field") != "file":
            raise
        complain(f"{args.file}: {domain_message(error)} Nothing was changed.")
        return 2
    catalogue = installed[0]
    if catalogue.added:
        say(f"catalogue {catalogue.key} ({catalogue.name}) of {args.organisation}: version {catalogue.version}")
    else:
        say(f"catalogue {catalogue.key} of {args.organisation} is installed already (version {catalogue.version}); "
            "nothing was changed")
    return 0


def _catalogue_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandFailed(f"cannot read {path}: {error.strerror or error}", exit_code=2) from error


def _catalogue_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--organisation", required=True, metavar="CODE", help="a region or a municipality")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--shipped", metavar="KEY", help=f"one of: {', '.join(loader.SHIPPED)}")
    source.add_argument("--file", type=Path, metavar="PATH", help="a YAML catalogue file like the shipped ones")


COMMAND = Command("orders", "the IT-order module", position=120, actions=[
    Command("catalogue", "install a shipped IT-order catalogue, or a file as the catalogue's next version",
            orders_catalogue, configure=_catalogue_arguments),
])
