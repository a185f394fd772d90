"""``bedboard calendars set|close``, ``bedboard licenses pool``, ``bedboard roles unit|catalogue`` and ``bedboard
orders catalogue``: setting up the provisioning modules."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from app.cli import CommandFailed, _add_command, _unit_of_work_factory, complain, domain_message, say
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.kit.settings import Settings
from app.provisioning.core import setup
from app.provisioning.licenses import setup as licenses_setup
from app.provisioning.orders import setup as orders_setup
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from app.provisioning.roles import setup as roles_setup


def _run(settings: Settings, work: Callable[[UnitOfWork], Awaitable[None]]) -> None:
    async def main() -> None:
        async with _unit_of_work_factory(settings) as unit_of_work, unit_of_work() as uow:
            await work(uow)

    asyncio.run(main())


def calendars_set(settings: Settings, args: argparse.Namespace) -> int:
    _run(settings, lambda uow: _set(uow, args))
    say(f"calendar of {args.organisation}: {args.country or 'weekends only'}"
        f"{'-' + args.subdivision if args.subdivision else ''}, {args.timezone}")
    return 0


async def _set(uow: UnitOfWork, args: argparse.Namespace) -> None:
    await setup.set_calendar(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                             country=args.country, subdivision=args.subdivision, timezone=args.timezone)


def calendars_close(settings: Settings, args: argparse.Namespace) -> int:
    async def close(uow: UnitOfWork) -> None:
        await setup.add_closure_day(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                                    day=args.day, reason=args.reason)

    _run(settings, close)
    say(f"{args.day.isoformat()} is a closure day of {args.organisation}")
    return 0


def licenses_pool(settings: Settings, args: argparse.Namespace) -> int:
    async def set_size(uow: UnitOfWork) -> None:
        await licenses_setup.set_pool(uow.session, actor=Actor.system("cli"), service_code=args.service,
                                      size=args.size)

    _run(settings, set_size)
    say(f"licence pool of {args.service}: {args.size}")
    return 0


def roles_unit(settings: Settings, args: argparse.Namespace) -> int:
    async def set_unit(uow: UnitOfWork) -> None:
        await roles_setup.set_unit(uow.session, actor=Actor.system("cli"), organisation_code=args.organisation,
                                   hsa_id=args.hsa_id, manager_username=args.manager)

    _run(settings, set_unit)
    say(f"unit {args.organisation}: {args.hsa_id.strip()}, manager {args.manager or '(none)'}")
    return 0


def roles_catalogue(settings: Settings, args: argparse.Namespace) -> int:
    async def create(uow: UnitOfWork) -> None:
        await roles_setup.create_catalogue(uow.session, actor=Actor.system("cli"), care_area_code=args.care_area,
                                           approver_code=args.approver)

    _run(settings, create)
    say(f"role catalogue of {args.care_area}: empty, changes approved by the head of operations of {args.approver}")
    return 0


def orders_catalogue(settings: Settings, args: argparse.Namespace) -> int:
    """Exit code 2 for a wrong shipped key or a file with mistakes: the input is wrong, not a rule broken."""
    if args.shipped is not None and args.shipped not in loader.SHIPPED:
        raise CommandFailed(f"there is no shipped catalogue {args.shipped!r}; the shipped catalogues are: "
                            f"{', '.join(loader.SHIPPED)}", exit_code=2)
    data = _catalogue_file(args.file) if args.file is not None else b""
    installed: list[orders_setup.InstalledCatalogue] = []

    async def install(uow: UnitOfWork) -> None:
        actor = Actor.system("cli")
        if args.shipped is not None:
            installed.append(await orders_setup.install_shipped(uow, actor=actor, organisation_code=args.organisation,
                                                                key=args.shipped))
        else:
            installed.append(await orders_setup.add_file(uow, actor=actor, organisation_code=args.organisation,
                                                         data=data, file_name=args.file.name))

    try:
        _run(settings, install)
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-08") from error


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calendars = commands.add_parser("calendars", help="working calendars for provisioning deadlines") \
        .add_subparsers(required=True, metavar="ACTION")
    chosen = _add_command(calendars, "set", calendars_set,
                          "set an organisation's country, region and time zone (its children inherit it)")
    chosen.add_argument("--organisation", required=True, metavar="CODE")
    chosen.add_argument("--country", default=None, help="ISO 3166 code such as CL or SE; omit for weekends only")
    chosen.add_argument("--subdivision", default=None, help="region code where holidays differ, e.g. RM")
    chosen.add_argument("--timezone", required=True, help="e.g. America/Santiago")
    closed = _add_command(calendars, "close", calendars_close, "add a local closure day (not a business day)")
    closed.add_argument("--organisation", required=True, metavar="CODE")
    closed.add_argument("--day", required=True, type=_day, metavar="YYYY-MM-DD")
    closed.add_argument("--reason", required=True)
    licences = commands.add_parser("licenses", help="the licence module").add_subparsers(required=True,
                                                                                           metavar="ACTION")
    pool = _add_command(licences, "pool", licenses_pool, "set how many licences a health service has")
    pool.add_argument("--service", required=True, metavar="CODE")
    pool.add_argument("--size", required=True, type=int)
    roles = commands.add_parser("roles", help="the roles module").add_subparsers(required=True, metavar="ACTION")
    unit = _add_command(roles, "unit", roles_unit, "give a unit its HSA-id and name its manager")
    unit.add_argument("--organisation", required=True, metavar="CODE", help="an organisation of kind unit")
    unit.add_argument("--hsa-id", required=True, metavar="HSA-ID", help="e.g. SE2321000198-E1KA")
    unit.add_argument("--manager", default=None, metavar="USERNAME", help="the unit's manager (role manager)")
    created = _add_command(roles, "catalogue", roles_catalogue, "create a care area's empty role catalogue")
    created.add_argument("--care-area", required=True, metavar="CODE")
    created.add_argument("--approver", required=True, metavar="CODE",
                         help="the care area whose head of operations approves changes (often the same)")
    _add_orders(commands)


def _add_orders(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orders = commands.add_parser("orders", help="the IT-order module").add_subparsers(required=True, metavar="ACTION")
    installed = _add_command(orders, "catalogue", orders_catalogue,
                             "install a shipped IT-order catalogue, or a file as the catalogue's next version")
    installed.add_argument("--organisation", required=True, metavar="CODE", help="a region or a municipality")
    source = installed.add_mutually_exclusive_group(required=True)
    source.add_argument("--shipped", metavar="KEY", help=f"one of: {', '.join(loader.SHIPPED)}")
    source.add_argument("--file", type=Path, metavar="PATH", help="a YAML catalogue file like the shipped ones")
