"""The ``bedboard`` command: serve, migrate, users create, demo, audit verify/head, import nomenclature,
check --deploy, jobs list/run.

Each command is a plain function from settings and parsed arguments to an exit code; its database work
runs in one ``asyncio.run`` that disposes the engine and closes the password hasher on the way out.
Exit codes: 0 done, 1 refused by a rule or a failed check, 2 wrong usage or settings.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from accounts.service import ORGANISATION_KINDS, AccountsContext, accounts_context, create_organisation, create_user
from app import deploy_checks
from app.backup import BackupRefused, backup_sqlite
from app.beds.live_channel import LiveChannel
from app.beds.nomenclature import cli as nomenclature_cli
from app.demo import CREDENTIALS_FILE, UNKNOWN_PASSWORD, DemoLogin, load_demo, logins_table
from app.jobs import cli as jobs_cli
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, make_engine, make_session_factory
from app.kit.errors import DomainError
from app.kit.logs import configure_logging
from app.kit.settings import Settings, SettingsError, load_settings
from app.main import registered_jobs
from app.migrations import upgrade_to_head
from realtime.hub import Hub

Command = Callable[[Settings, argparse.Namespace], int]
APP_FACTORY = "app.main:app_from_environment"
# uvicorn's loggers go to our handler (text or JSON lines); its access log is off because it prints the raw
# path with its query string (a search for a personal number): app/kit/request_log.py logs each request by its
# route template instead. tests/test_log_hygiene.py runs uvicorn with these.
UVICORN_LOGGING: dict[str, Any] = {"log_level": "info", "log_config": None, "access_log": False}


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


def database_message(settings: Settings, error: Exception) -> str:
    cause = error.orig if isinstance(error, DBAPIError) else error
    lines = str(cause).strip().splitlines()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    return (f"the database at {where} failed: {lines[0] if lines else type(cause).__name__}. Check "
            "BEDBOARD_DATABASE_URL, and run 'bedboard migrate' if the schema is missing.")


@asynccontextmanager
async def _unit_of_work_factory(settings: Settings, *, snapshot: bool = False
                                ) -> AsyncIterator[Callable[[], UnitOfWork]]:
    options: dict[str, str] = {}
    if snapshot and not settings.is_sqlite:
        # Under READ COMMITTED a write committed while the chain is walked would make the head read
        # at the end disagree with the rows read before it. (SQLite's BEGIN IMMEDIATE is a snapshot.)
        options["isolation_level"] = "REPEATABLE READ"
    engine = make_engine(settings.database_url, **options)
    try:
        session_factory = make_session_factory(engine)
        # On PostgreSQL a command's changes (e.g. an import) reach the running servers' boards by NOTIFY.
        live = LiveChannel(Hub(), settings.database_url)
        yield lambda: UnitOfWork(session_factory, before_commit=live.before_commit)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _accounts(settings: Settings) -> AsyncIterator[AccountsContext]:
    context = accounts_context(settings)
    try:
        yield context
    finally:
        context.hasher.close()


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(settings: Settings, args: argparse.Namespace) -> int:
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


def backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        result = backup_sqlite(settings.database_url, args.path)
    except BackupRefused as refusal:
        raise CommandFailed(str(refusal)) from refusal
    say(f"backed up to {result.path} ({result.size_bytes:,} bytes); audit head {result.audit_head}")
    return 0


def migrate(settings: Settings, args: argparse.Namespace) -> int:
    upgrade_to_head(settings.database_url)
    say("database at head")
    return 0


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


async def _create_user(settings: Settings, args: argparse.Namespace, password: str) -> None:
    async with _unit_of_work_factory(settings) as unit_of_work, _accounts(settings) as context:
        async with unit_of_work() as uow:
            await create_user(uow.session, context=context, actor=Actor.system("cli"),
                              organisation_code=args.organisation, role=args.role, username=args.username,
                              display_name=args.display_name or args.username, password=password)


def users_create(settings: Settings, args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    asyncio.run(_create_user(settings, args, password))
    say(f"created user {args.username} ({args.role} of {args.organisation})")
    return 0


async def _create_organisation(settings: Settings, args: argparse.Namespace) -> None:
    async with _unit_of_work_factory(settings) as unit_of_work, unit_of_work() as uow:
        await create_organisation(uow.session, actor=Actor.system("cli"), code=args.code, name=args.name,
                                  kind=args.kind, parent_code=args.parent)


def organisations_create(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_create_organisation(settings, args))
    say(f"created {args.kind} {args.code}")
    return 0


def demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.is_production:
        raise CommandFailed("demo data (with printed passwords) is refused when BEDBOARD_ENV=production.")
    upgrade_to_head(settings.database_url)

    async def load() -> list[DemoLogin]:
        async with _unit_of_work_factory(settings) as unit_of_work, _accounts(settings) as context:
            return await load_demo(unit_of_work, context, settings.var_dir)

    logins = asyncio.run(load())
    say(f"Demo logins (passwords kept in {settings.var_dir / CREDENTIALS_FILE}):")
    say(logins_table(logins))
    if any(login.password is None for login in logins):
        say(f"{UNKNOWN_PASSWORD}: this user existed before and its password was not kept in that file "
            "(or was changed since); the demo never resets a password.")
    return 0


async def _chain_check(settings: Settings, kept: audit.ChainHead | None) -> audit.Verification:
    async with _unit_of_work_factory(settings, snapshot=True) as unit_of_work, unit_of_work() as uow:
        return await audit.verify(uow.session, kept)


def audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    result = asyncio.run(_chain_check(settings, args.head))
    if result.ok:
        say(f"OK: {result.count} events, chain intact")
        return 0
    say(f"BROKEN at event {result.broken_seq}: {result.reason}")
    return 1


async def _chain_head(settings: Settings) -> audit.ChainHead:
    async with _unit_of_work_factory(settings) as unit_of_work, unit_of_work() as uow:
        return await audit.head(uow.session)


def audit_head(settings: Settings, args: argparse.Namespace) -> int:
    say(str(asyncio.run(_chain_head(settings))))
    return 0


def import_nomenclature(settings: Settings, args: argparse.Namespace) -> int:
    return nomenclature_cli.run(args.file, assume_yes=args.yes, databases=lambda: _unit_of_work_factory(settings),
                                say=say, complain=complain)


def check(settings: Settings, args: argparse.Namespace) -> int:
    problems = asyncio.run(deploy_checks.deploy_problems(settings, args.workers, deploy=args.deploy))
    for problem in problems:
        say(f"- {problem}")
    if problems:
        say(f"{len(problems)} problem(s) found")
        return 1
    say("deploy checks passed" if args.deploy else "checks passed")
    return 0


def jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    return jobs_cli.list_jobs(settings, registered_jobs(), say=say)


def jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    return jobs_cli.run_job(settings, registered_jobs(), args.name, force=args.force, say=say, complain=complain)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _kept_head(text: str) -> audit.ChainHead:
    try:
        return audit.ChainHead.parse(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, run: Command,
                 help_text: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(run=run)
    return parser


def _add_users(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="manage user accounts").add_subparsers(required=True,
                                                                                       metavar="ACTION")
    create = _add_command(users, "create", users_create, "create a user with a password (audited as cli)")
    create.add_argument("--organisation", required=True, metavar="CODE", help="organisation code, e.g. SAMB")
    create.add_argument("--role", required=True,
                        help="admin, coordinator, operator, auditor, referent, license_officer or helpdesk")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", default="", metavar="TEXT", help="full name (default: username)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input instead of prompting")


def _add_organisations(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    organisations = commands.add_parser("organisations", help="manage organisations").add_subparsers(
        required=True, metavar="ACTION")
    create = _add_command(organisations, "create", organisations_create,
                          "create an authority (or a hospital) on a new installation (audited as cli)")
    create.add_argument("--code", required=True, help="short code, e.g. SAMB")
    create.add_argument("--name", required=True, help="full name")
    create.add_argument("--kind", default="authority", choices=ORGANISATION_KINDS)
    create.add_argument("--parent", default=None, metavar="CODE", help="code of the parent organisation")


def _add_audit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    actions = commands.add_parser("audit", help="check the audit log").add_subparsers(required=True,
                                                                                        metavar="ACTION")
    verify = _add_command(actions, "verify", audit_verify, "walk the hash chain, name the first broken event")
    verify.add_argument("--head", type=_kept_head, metavar="SEQ:HASH",
                        help="a head kept outside the database, as printed by 'bedboard audit head'")
    _add_command(actions, "head", audit_head, "print the chain head as SEQ:HASH, to keep elsewhere")


def _add_import(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kinds = commands.add_parser("import", help="import reference data").add_subparsers(required=True,
                                                                                         metavar="WHAT")
    nomenclature = _add_command(kinds, "nomenclature", import_nomenclature,
                                "preview the ministry's list of hospitals and sections (CSV or JSON), then apply it")
    nomenclature.add_argument("file", type=Path, metavar="FILE", help="the complete list; see docs/nomenclature.md")
    nomenclature.add_argument("--yes", action="store_true", help="apply without asking for confirmation")


def _add_jobs(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = commands.add_parser("jobs", help="the periodic jobs (for cron)").add_subparsers(required=True,
                                                                                          metavar="ACTION")
    _add_command(jobs, "list", jobs_list, "each periodic job with its last run")
    run = _add_command(jobs, "run", jobs_run, "run one job now if it is due and no worker holds its lease")
    run.add_argument("name", metavar="NAME", help=", ".join(job.name for job in registered_jobs()))
    run.add_argument("--force", action="store_true", help="run even if it is not due (never while leased)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bedboard", description="Live hospital-bed board.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = _add_command(commands, "serve", serve, "migrate the database, then run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=_positive, default=8000)
    run.add_argument("--workers", type=_positive, default=1, help="processes (more than 1 needs PostgreSQL)")
    _add_command(commands, "migrate", migrate, "upgrade the database schema to the latest version")
    copy = _add_command(commands, "backup", backup,
                        "copy the SQLite database to PATH while the server runs (PostgreSQL: use pg_dump)")
    copy.add_argument("path", type=Path, metavar="PATH", help="a new file; an existing one is never overwritten")
    _add_organisations(commands)
    _add_users(commands)
    _add_command(commands, "demo", demo, "load demo organisations and users (idempotent) and print logins")
    _add_audit(commands)
    _add_import(commands)
    # Imported here: those commands reuse this module's helpers, so a top-level import would be circular.
    from app import cli_provisioning
    cli_provisioning.add_commands(commands)
    _add_jobs(commands)
    checks = _add_command(commands, "check", check, "list configuration problems")
    checks.add_argument("--deploy", action="store_true", help="also the problems that matter in production")
    checks.add_argument("--workers", type=_positive, default=1, help="the number of workers you will run")
    return parser


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(environ)
    except SettingsError as error:
        complain(str(error))
        return 2
    run: Command = args.run
    try:
        return run(settings, args)
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
