from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.deploy_checks import database_problems, deploy_problems, settings_problems
from app.kit.db import make_engine
from app.kit.settings import Settings

GOOD_KEY = "k3y-" * 12
POSTGRES = "postgresql+asyncpg://bedboard@db.example.org/bedboard"


def production(**changes: object) -> Settings:
    return Settings(database_url=POSTGRES, secret_key=GOOD_KEY, environment="production",
                    base_url="https://beds.example.org").with_changes(**changes)


def test_a_good_production_configuration_has_no_problem() -> None:
    assert settings_problems(production(), workers=4) == []


@pytest.mark.parametrize(("changes", "names", "advice"), [
    ({"secret_key": "changeme"}, "BEDBOARD_SECRET_KEY", "secrets.token_urlsafe"),
    ({"secret_key": "x" * 32}, "BEDBOARD_SECRET_KEY", "random value"),
    ({"secret_key": "short-but-random"}, "BEDBOARD_SECRET_KEY", "random value"),
    ({"base_url": "http://beds.example.org"}, "BEDBOARD_BASE_URL", "Secure"),
    ({"debug": True}, "BEDBOARD_DEBUG", "unset BEDBOARD_DEBUG"),
    ({"environment": "development"}, "BEDBOARD_ENV", "BEDBOARD_ENV=production"),
    ({"password_profile": "fast-insecure-for-tests"}, "BEDBOARD_PASSWORD_PROFILE", "unset"),
])
def test_each_problem_is_found_and_says_what_to_change(changes: dict[str, object], names: str,
                                                      advice: str) -> None:
    problems = settings_problems(production(**changes), workers=1)
    assert len(problems) == 1
    assert names in problems[0]
    assert advice in problems[0]


def test_several_workers_on_sqlite_need_postgresql() -> None:
    sqlite = production(database_url="sqlite+aiosqlite:///var/bedboard.sqlite3")
    assert settings_problems(sqlite, workers=1) == []
    [problem] = settings_problems(sqlite, workers=2)
    assert "PostgreSQL" in problem
    assert "2 workers" in problem


def test_without_deploy_only_the_process_layout_is_checked() -> None:
    development = Settings(database_url="sqlite+aiosqlite:///x.sqlite3", secret_key="dev", debug=True)
    assert settings_problems(development, workers=1, deploy=False) == []
    assert len(settings_problems(development, workers=3, deploy=False)) == 1
    assert len(settings_problems(development, workers=1)) == 4


async def test_sqlite_has_no_database_problem(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        assert await database_problems(engine) == []
    finally:
        await engine.dispose()


async def test_postgresql_without_synchronous_commit_is_a_problem(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    name = make_url(postgres_url).database
    try:
        assert await database_problems(engine) == []
        async with engine.begin() as connection:
            await connection.execute(text(f"ALTER DATABASE {name} SET synchronous_commit = off"))
        # The setting applies to new sessions only: start from fresh connections.
        await engine.dispose()
        [problem] = await database_problems(engine)
    finally:
        await engine.dispose()
    assert "synchronous_commit = off" in problem
    assert f"ALTER DATABASE {name} SET synchronous_commit = on" in problem


async def test_an_unreachable_database_is_reported_not_raised() -> None:
    unreachable = production(database_url="postgresql+asyncpg://bedboard@127.0.0.1:1/bedboard")
    [problem] = await deploy_problems(unreachable, workers=1)
    assert "cannot be reached" in problem
    assert "BEDBOARD_DATABASE_URL" in problem
