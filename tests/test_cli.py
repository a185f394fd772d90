"""The ``bedboard`` command, run in-process: ``main`` uses ``asyncio.run``, so these tests are sync."""

from __future__ import annotations

import asyncio
import io
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url

from accounts.permissions import ROLE_ACTIONS
from app.cli import main
from app.kit.db import make_engine
from tests.postgres_cluster import PostgresCluster

GOOD_KEY = "x" * 40 + "abc"
STRONG_PASSWORD = "correct-horse-battery-staple"
HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


def environ(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"BEDBOARD_DATABASE_URL": database_url, "BEDBOARD_VAR_DIR": str(tmp_path / "var"),
            "BEDBOARD_SECRET_KEY": GOOD_KEY, "BEDBOARD_PASSWORD_PROFILE": "fast-insecure-for-tests", **extra}


def query(database_url: str, statement: str, **params: object) -> list[Any]:
    async def run() -> list[Any]:
        engine = make_engine(database_url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def scalar(database_url: str, statement: str, **params: object) -> Any:
    return query(database_url, statement, **params)[0][0]


def add_organisation(database_url: str, code: str = "SAMB", kind: str = "authority") -> None:
    query(database_url, "INSERT INTO organisations (code, name, kind) VALUES (:code, :name, :kind)",
          code=code, name=f"Organisation {code}", kind=kind)


def create_user(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *options: str,
                password: str = STRONG_PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    arguments = ["users", "create", "--organisation", "SAMB", "--role", "admin", "--username", "ana",
                 "--password-stdin", *options]
    return main(arguments, environ=environ(database_url, tmp_path))


def test_migrate_builds_a_fresh_sqlite_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert main(["migrate"], environ=environ(url, tmp_path)) == 0
    assert capsys.readouterr().out == "database at head\n"
    assert scalar(url, "SELECT seq FROM audit_head") == 0
    assert main(["migrate"], environ=environ(url, tmp_path)) == 0


def test_migrate_builds_a_fresh_postgresql_database(postgres_cluster: PostgresCluster, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    postgres_cluster.execute("CREATE DATABASE cli_fresh")
    url = postgres_cluster.url("cli_fresh")
    try:
        assert main(["migrate"], environ=environ(url, tmp_path)) == 0
        assert capsys.readouterr().out == "database at head\n"
        # Every role the access policy knows, and no other, is a row after the migrations.
        assert [row[0] for row in query(url, "SELECT code FROM roles ORDER BY code")] == sorted(ROLE_ACTIONS)
    finally:
        postgres_cluster.execute("DROP DATABASE cli_fresh WITH (FORCE)")


def test_users_create_from_stdin_is_audited_as_the_command_line(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_organisation(database_url)
    assert create_user(database_url, tmp_path, monkeypatch, "--display-name", "Ana Pop") == 0

    assert "created user ana" in capsys.readouterr().out
    [(user_id, display_name, password_hash)] = query(
        database_url, "SELECT id, display_name, password_hash FROM users WHERE username = 'ana'")
    assert display_name == "Ana Pop"
    assert PasswordHasher().verify(password_hash, STRONG_PASSWORD)
    [(actor, source, action, object_id)] = query(
        database_url, "SELECT actor, source, action, object_id FROM audit_events")
    assert (actor, source, action, object_id) == ("<cli>", "cli", "accounts.user_created", str(user_id))


def test_users_create_prompts_twice(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    add_organisation(sqlite_url)
    answers = iter([STRONG_PASSWORD, STRONG_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    arguments = ["users", "create", "--organisation", "SAMB", "--role", "admin", "--username", "ana"]
    assert main(arguments, environ=environ(sqlite_url, tmp_path)) == 0
    assert scalar(sqlite_url, "SELECT count(*) FROM users") == 1


def test_users_create_refuses_two_different_passwords(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_organisation(sqlite_url)
    answers = iter([STRONG_PASSWORD, STRONG_PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    arguments = ["users", "create", "--organisation", "SAMB", "--role", "admin", "--username", "ana"]
    assert main(arguments, environ=environ(sqlite_url, tmp_path)) == 1
    assert "passwords differ" in capsys.readouterr().err
    assert scalar(sqlite_url, "SELECT count(*) FROM users") == 0


@pytest.mark.parametrize(("organisation", "role", "message"), [
    ("NOPE", "admin", "no organisation with the code NOPE"),
    ("SAMB", "janitor", "no role janitor"),
    ("SAMB", "operator", "does not belong to an organisation of kind authority"),
])
def test_users_create_refuses_what_does_not_exist(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    organisation: str, role: str, message: str,
) -> None:
    add_organisation(database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG_PASSWORD + "\n"))
    arguments = ["users", "create", "--organisation", organisation, "--role", role, "--username", "ana",
                 "--password-stdin"]
    assert main(arguments, environ=environ(database_url, tmp_path)) == 1
    assert message in capsys.readouterr().err
    assert scalar(database_url, "SELECT count(*) FROM users") == 0
    assert scalar(database_url, "SELECT count(*) FROM audit_events") == 0


@pytest.mark.parametrize(("password", "message"), [
    ("short", "at least 12 characters"),
    ("qwerty123456", "most common"),
    ("", "no password on standard input"),
])
def test_users_create_refuses_a_weak_password(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    password: str, message: str,
) -> None:
    add_organisation(sqlite_url)
    assert create_user(sqlite_url, tmp_path, monkeypatch, password=password) == 1
    assert message in capsys.readouterr().err
    assert scalar(sqlite_url, "SELECT count(*) FROM users") == 0


def test_demo_twice_prints_the_same_logins_and_adds_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"], environ=environ(database_url, tmp_path)) == 0
    first = capsys.readouterr().out
    counts = [scalar(database_url, f"SELECT count(*) FROM {table}")
              for table in ("organisations", "users", "audit_events")]

    assert main(["demo"], environ=environ(database_url, tmp_path)) == 0

    assert capsys.readouterr().out == first
    assert [scalar(database_url, f"SELECT count(*) FROM {table}")
            for table in ("organisations", "users", "audit_events")] == counts
    credentials = tmp_path / "var" / "demo-credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    [row] = [line.split() for line in first.splitlines() if line.startswith("op.floreasca ")]
    assert row[1:3] == ["operator", "H-FLOR"]
    stored = scalar(database_url, "SELECT password_hash FROM users WHERE username = 'op.floreasca'")
    assert PasswordHasher().verify(stored, row[3])


def test_demo_without_its_credentials_file_says_the_password_is_unknown(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"], environ=environ(sqlite_url, tmp_path)) == 0
    (tmp_path / "var" / "demo-credentials.json").unlink()
    capsys.readouterr()
    assert main(["demo"], environ=environ(sqlite_url, tmp_path)) == 0
    out = capsys.readouterr().out
    assert re.search(r"^admin\.samb +admin +SAMB +\(unknown\)$", out, re.MULTILINE)
    assert "never resets a password" in out


def test_production_refuses_a_plain_http_address(postgres_url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    env = production_environ(postgres_url, tmp_path, BEDBOARD_BASE_URL="http://beds.example.org")
    assert main(["migrate"], environ=env) == 2
    assert "must be the https:// address" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "value"), [("BEDBOARD_SMTP_PORT", "smtp"), ("BEDBOARD_LANGUAGE", "de"),
                                             ("BEDBOARD_BASE_URL", "beds.example.org")])
def test_a_malformed_setting_is_a_clear_error(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              name: str, value: str) -> None:
    assert main(["migrate"], environ=environ(sqlite_url, tmp_path, **{name: value})) == 2
    assert name in capsys.readouterr().err


def test_demo_is_refused_in_production(postgres_url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    env = production_environ(postgres_url, tmp_path)
    assert main(["demo"], environ=env) == 1
    assert "production" in capsys.readouterr().err
    assert scalar(postgres_url, "SELECT count(*) FROM users") == 0


def test_audit_head_and_verify_on_an_intact_chain(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = environ(database_url, tmp_path)
    assert main(["demo"], environ=env) == 0
    events = scalar(database_url, "SELECT count(*) FROM audit_events")
    capsys.readouterr()

    assert main(["audit", "head"], environ=env) == 0
    printed_head = capsys.readouterr().out.strip()
    match = HEAD.match(printed_head)
    assert match is not None
    assert int(match[1]) == events

    assert main(["audit", "verify", "--head", printed_head], environ=env) == 0
    assert capsys.readouterr().out == f"OK: {events} events, chain intact\n"


def break_row(database_url: str) -> None:
    if database_url.startswith("postgresql"):
        query(database_url, "ALTER TABLE audit_events DISABLE TRIGGER USER")
    else:
        query(database_url, "DROP TRIGGER audit_events_no_update")
    query(database_url, """UPDATE audit_events SET actor = 'eve' WHERE seq = 3""")


def test_audit_verify_names_an_edited_event(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = environ(database_url, tmp_path)
    assert main(["demo"], environ=env) == 0
    break_row(database_url)
    capsys.readouterr()

    assert main(["audit", "verify"], environ=env) == 1
    assert capsys.readouterr().out == "BROKEN at event 3: its content does not match its hash\n"


def test_audit_verify_names_a_kept_head_that_differs(sqlite_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    env = environ(sqlite_url, tmp_path)
    assert main(["demo"], environ=env) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--head", "2:" + "f" * 64], environ=env) == 1
    assert capsys.readouterr().out == "BROKEN at event 2: it differs from the kept head\n"


def test_audit_verify_refuses_a_malformed_head(sqlite_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", "verify", "--head", "12-abc"], environ=environ(sqlite_url, tmp_path))
    assert exited.value.code == 2
    assert "SEQ:HASH" in capsys.readouterr().err


def test_serve_refuses_several_workers_on_sqlite(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr("uvicorn.run", no_server)
    assert main(["serve", "--workers", "2"], environ=environ(sqlite_url, tmp_path)) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL" in err
    assert "2 workers" in err


def test_serve_migrates_then_runs_uvicorn_with_the_realtime_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: calls.append((args, kwargs)))
    formats: list[str] = []
    monkeypatch.setattr("app.cli.configure_logging", formats.append)
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"

    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"], environ=environ(url, tmp_path)) == 0

    assert scalar(url, "SELECT seq FROM audit_head") == 0
    assert "http://0.0.0.0:8123/" in capsys.readouterr().out
    assert calls == [(("app.main:app_from_environment",), {
        "factory": True, "host": "0.0.0.0", "port": 8123, "workers": 1, "ws": "websockets-sansio",
        "ws_max_size": 65536, "ws_per_message_deflate": False, "proxy_headers": True, "log_level": "info",
        # uvicorn logs through our handler, and its access log (raw paths with query strings) is off
        "log_config": None, "access_log": False})]
    assert formats == ["text"]


def production_environ(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    production = {"BEDBOARD_ENV": "production", "BEDBOARD_PASSWORD_PROFILE": "rfc9106",
                  "BEDBOARD_BASE_URL": "https://beds.example.org"}
    return environ(database_url, tmp_path, **{**production, **extra})


def test_check_deploy_passes_for_a_good_production_configuration(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = production_environ(postgres_url, tmp_path)
    assert main(["check", "--deploy", "--workers", "4"], environ=env) == 0
    assert capsys.readouterr().out == "deploy checks passed\n"


def test_check_deploy_lists_every_problem(sqlite_url: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    env = environ(sqlite_url, tmp_path, BEDBOARD_SECRET_KEY="changeme", BEDBOARD_DEBUG="1")
    assert main(["check", "--deploy", "--workers", "2"], environ=env) == 1
    out = capsys.readouterr().out
    for setting in ("BEDBOARD_SECRET_KEY", "BEDBOARD_BASE_URL", "BEDBOARD_DEBUG", "BEDBOARD_ENV",
                    "BEDBOARD_PASSWORD_PROFILE", "PostgreSQL"):
        assert setting in out
    assert out.endswith("6 problem(s) found\n")


def test_check_deploy_finds_synchronous_commit_off(postgres_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    query(postgres_url, f"ALTER DATABASE {make_url(postgres_url).database} SET synchronous_commit = off")
    assert main(["check", "--deploy"], environ=production_environ(postgres_url, tmp_path)) == 1
    out = capsys.readouterr().out
    assert "synchronous_commit = off" in out
    assert out.endswith("1 problem(s) found\n")


def test_settings_errors_exit_2(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = production_environ(sqlite_url, tmp_path, BEDBOARD_PASSWORD_PROFILE="fast-insecure-for-tests")
    assert main(["migrate"], environ=env) == 2
    assert "BEDBOARD_PASSWORD_PROFILE" in capsys.readouterr().err
    assert main(["migrate"], environ={**env, "BEDBOARD_PASSWORD_PROFILE": "quick"}) == 2
    assert "'rfc9106' or 'fast-insecure-for-tests'" in capsys.readouterr().err


def test_an_unmigrated_database_gets_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["audit", "head"], environ=environ(url, tmp_path)) == 1
    assert "bedboard migrate" in capsys.readouterr().err


def test_a_new_installation_gets_its_first_authority_and_admin(database_url: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = environ(database_url, tmp_path)
    assert main(["migrate"], environ=env) == 0
    assert main(["organisations", "create", "--code", "SAMB", "--name", "Serviciul de Ambulanță"], environ=env) == 0
    assert main(["organisations", "create", "--code", "SAMB", "--name", "Again"], environ=env) == 1
    assert "The organisation code SAMB is taken." in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long first admin passphrase\n"))
    assert main(["users", "create", "--organisation", "SAMB", "--role", "admin", "--username", "first.admin",
                 "--password-stdin"], environ=env) == 0
    assert scalar(database_url, "SELECT count(*) FROM audit_events WHERE action = 'accounts.organisation_created'") == 1
