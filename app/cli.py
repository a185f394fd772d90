"""The ``bedboard`` command: the assembly's own (serve, migrate, backup, demo, audit verify/head, jobs list/run,
check --deploy) and those the registered plugins bring (users and organisations create, import nomenclature,
calendars, licenses, roles, orders: see each domain's ``cli.py``).

Each command is a plain function from a ``CommandContext`` and the parsed arguments to an exit code
(app/kit/commands.py); its database work runs in one ``asyncio.run`` that disposes the engine and closes the
password hasher on the way out. Exit codes: 0 done, 1 refused by a rule or a failed check, 2 wrong usage or
settings.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from accounts.cli import open_accounts
from app import deploy_checks
from app.backup import BackupRefused, backup_sqlite
from app.demo import CREDENTIALS_FILE, UNKNOWN_PASSWORD, DemoLogin, load_demo, logins_table
from app.jobs import cli as jobs_cli
from app.kit import audit
from app.kit.commands import Command, CommandContext, CommandFailed, Run, complain, domain_message, say
from app.kit.errors import DomainError
from app.kit.logs import configure_logging
from app.kit.plugins import Registry
from app.kit.settings import Settings, SettingsError, load_settings
from app.main import plugins
from app.migrations import upgrade_to_head

APP_FACTORY = "app.main:app_from_environment"
# uvicorn's loggers go to our handler (text or JSON lines); its access log is off because it prints the raw
# path with its query string (a search for a personal number): app/kit/request_log.py logs each request by its
# route template instead. tests/test_log_hygiene.py runs uvicorn with these.
UVICORN_LOGGING: dict[str, Any] = {"log_level": "info", "log_config": None, "access_log": False}


def database_message(settings: Settings, error: Exception) -> str:
    cause = error.orig if isinstance(error, DBAPIError) else error
    lines = str(cause).strip().splitlines()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    return (f"the database at {where} failed: {lines[0] if lines else type(cause).__name__}. Check "
            "BEDBOARD_DATABASE_URL, and run 'bedboard migrate' if the schema is missing.")


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(context: CommandContext, args: argparse.Namespace) -> int:
    settings = context.settings
    # Refused before migrating: nothing should change when the command cannot run as asked.
    problems = deploy_checks.process_problems(settings, args.workers)
    if problems:
        raise CommandFailed(problems[0], exit_code=2)
    upgrade_to_head(settings.database_url)
    say(f"bedboard serving at {_url(args.host, args.port)} (public address {settings.base_url})")
    # The factory reads BEDBOARD_* from the process environment: with several workers each process
    # builds its own app, so no settings object can be handed over from here.
    configure_logging(settings.log_format)
    uvicorn.run(APP_FACTORY, factory=True, host=args.host, port=args.port, workers=args.workers,
                ws="websockets-sansio", ws_max_size=65536, ws_per_message_deflate=settings.websocket_deflate,
                proxy_headers=True, **UVICORN_LOGGING)
    return 0


def backup(context: CommandContext, args: argparse.Namespace) -> int:
    try:
        result = backup_sqlite(context.settings.database_url, args.path)
    except BackupRefused as refusal:
        raise CommandFailed(str(refusal)) from refusal
    say(f"backed up to {result.path} ({result.size_bytes:,} bytes); audit head {result.audit_head}")
    return 0


def migrate(context: CommandContext, args: argparse.Namespace) -> int:
    upgrade_to_head(context.settings.database_url)
    say("database at head")
    return 0


def demo(context: CommandContext, args: argparse.Namespace) -> int:
    settings = context.settings
    if settings.is_production:
        raise CommandFailed("demo data (with printed passwords) is refused when BEDBOARD_ENV=production.")
    upgrade_to_head(settings.database_url)

    async def load() -> list[DemoLogin]:
        async with context.databases() as unit_of_work, open_accounts(settings) as accounts:
            return await load_demo(unit_of_work, accounts, settings.var_dir)

    logins = asyncio.run(load())
    say(f"Demo logins (passwords kept in {settings.var_dir / CREDENTIALS_FILE}):")
    say(logins_table(logins))
    if any(login.password is None for login in logins):
        say(f"{UNKNOWN_PASSWORD}: this user existed before and its password was not kept in that file "
            "(or was changed since); the demo never resets a password.")
    return 0


async def _chain_check(context: CommandContext, kept: audit.ChainHead | None) -> audit.Verification:
    async with context.databases(snapshot=True) as unit_of_work, unit_of_work() as uow:
        return await audit.verify(uow.session, kept)


def audit_verify(context: CommandContext, args: argparse.Namespace) -> int:
    result = asyncio.run(_chain_check(context, args.head))
    if result.ok:
        say(f"OK: {result.count} events, chain intact")
        return 0
    say(f"BROKEN at event {result.broken_seq}: {result.reason}")
    return 1


async def _chain_head(context: CommandContext) -> audit.ChainHead:
    async with context.databases() as unit_of_work, unit_of_work() as uow:
        return await audit.head(uow.session)


def audit_head(context: CommandContext, args: argparse.Namespace) -> int:
    say(str(asyncio.run(_chain_head(context))))
    return 0


def check(context: CommandContext, args: argparse.Namespace) -> int:
    problems = asyncio.run(deploy_checks.deploy_problems(context.settings, args.workers, deploy=args.deploy))
    for problem in problems:
        say(f"- {problem}")
    if problems:
        say(f"{len(problems)} problem(s) found")
        return 1
    say("deploy checks passed" if args.deploy else "checks passed")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _kept_head(text: str) -> audit.ChainHead:
    try:
        return audit.ChainHead.parse(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_positive, default=8000)
    parser.add_argument("--workers", type=_positive, default=1, help="processes (more than 1 needs PostgreSQL)")


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="a new file; an existing one is never overwritten")


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--head", type=_kept_head, metavar="SEQ:HASH",
                        help="a head kept outside the database, as printed by 'bedboard audit head'")


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deploy", action="store_true", help="also the problems that matter in production")
    parser.add_argument("--workers", type=_positive, default=1, help="the number of workers you will run")


def own_commands(registry: Registry) -> list[Command]:
    """The assembly's commands: the server, the schema, the demo, and what spans every domain (the audit log, the
    jobs, the checks). Their positions leave room between them for the plugins' commands."""
    return [
        Command("serve", "migrate the database, then run the web server", serve, configure=_serve_arguments,
                position=10),
        Command("migrate", "upgrade the database schema to the latest version", migrate, position=20),
        Command("backup", "copy the SQLite database to PATH while the server runs (PostgreSQL: use pg_dump)",
                backup, configure=_backup_arguments, position=30),
        Command("demo", "load demo organisations and users (idempotent) and print logins", demo, position=60),
        Command("audit", "check the audit log", position=70, actions=[
            Command("verify", "walk the hash chain, name the first broken event", audit_verify,
                    configure=_verify_arguments),
            Command("head", "print the chain head as SEQ:HASH, to keep elsewhere", audit_head),
        ]),
        jobs_cli.command(registry.jobs),
        Command("check", "list configuration problems", check, configure=_check_arguments, position=140),
    ]


def build_parser(registry: Registry | None = None) -> argparse.ArgumentParser:
    registry = registry or Registry(plugins())
    parser = argparse.ArgumentParser(prog="bedboard", description="Live hospital-bed board.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for command in sorted([*own_commands(registry), *registry.commands], key=lambda command: command.position):
        command.add_to(commands)
    return parser


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None, *,
         registry: Registry | None = None) -> int:
    """``registry``: the plugins whose commands are offered (by default the app's, ``app.main.plugins()``)."""
    registry = registry or Registry(plugins())
    args = build_parser(registry).parse_args(argv)
    try:
        settings = load_settings(environ)
    except SettingsError as error:
        complain(str(error))
        return 2
    run: Run = args.run
    try:
        return run(registry.command_context(settings), args)
    except CommandFailed as error:
        complain(str(error))
        return error.exit_code
    except DomainError as error:
        complain(domain_message(error))
        return 1
    except (DBAPIError, ConnectionError, TimeoutError) as error:
        complain(database_message(settings, error))
        return 1
    except KeyboardInterrupt:
        return 130
