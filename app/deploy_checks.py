"""``bedboard check --deploy``: the settings and database choices that are wrong for a real deployment.

Each problem is one sentence that says what is wrong, why it matters, and what to change, so that an
operator can fix the list top to bottom without reading the code.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kit.db import is_database_unavailable, make_engine
from app.kit.settings import MIN_SECRET_KEY_LENGTH, PLACEHOLDER_SECRETS, Settings

SECRET_KEY_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _secret_key_problems(settings: Settings) -> list[str]:
    key = settings.secret_key
    if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_KEY_LENGTH:
        return [
            f"BEDBOARD_SECRET_KEY is a placeholder or shorter than {MIN_SECRET_KEY_LENGTH} characters, so "
            f"sessions and CSRF tokens can be forged: set it to a random value, e.g. from: {SECRET_KEY_HINT}"
        ]
    return []


def _web_problems(settings: Settings) -> list[str]:
    problems = []
    if not settings.uses_https:
        problems.append(
            f"BEDBOARD_BASE_URL is {settings.base_url}, not https://, so session cookies would not be "
            "marked Secure and would travel in clear: serve bedboard behind HTTPS and set "
            "BEDBOARD_BASE_URL to its https:// address."
        )
    if settings.debug:
        problems.append(
            "BEDBOARD_DEBUG is on, so error pages may show internals to any visitor: unset BEDBOARD_DEBUG."
        )
    if not settings.is_production:
        problems.append(
            f"BEDBOARD_ENV is {settings.environment}, so start-up does not refuse unsafe settings: "
            "set BEDBOARD_ENV=production."
        )
    if settings.password_profile != "rfc9106":
        problems.append(
            f"BEDBOARD_PASSWORD_PROFILE is {settings.password_profile}, whose hashes are quick to crack: "
            "unset BEDBOARD_PASSWORD_PROFILE."
        )
    return problems


def process_problems(settings: Settings, workers: int) -> list[str]:
    """Problems of the process layout, true in development as much as in production."""
    if settings.is_sqlite and workers > 1:
        return [
            f"SQLite serves one process only, but {workers} workers were asked for: set "
            "BEDBOARD_DATABASE_URL to a PostgreSQL database (postgresql+asyncpg://...) or run one worker."
        ]
    return []


def settings_problems(settings: Settings, workers: int = 1, *, deploy: bool = True) -> list[str]:
    """The problems that the settings alone show; ``deploy`` adds those that only matter in production."""
    problems = process_problems(settings, workers)
    if deploy:
        problems = _secret_key_problems(settings) + _web_problems(settings) + problems
    return problems


async def database_problems(engine: AsyncEngine) -> list[str]:
    """Problems of the database server's own configuration."""
    if engine.dialect.name != "postgresql":
        # SQLite's durability is set on every connection by app.kit.db (synchronous=FULL); nothing to ask.
        return []
    async with engine.connect() as connection:
        synchronous_commit = (await connection.execute(text("SHOW synchronous_commit"))).scalar_one()
        database = (await connection.execute(text("SELECT current_database()"))).scalar_one()
    if str(synchronous_commit).lower() == "off":
        return [
            "PostgreSQL has synchronous_commit = off, so a crash can lose bed updates that users were "
            f"told were saved: run ALTER DATABASE {database} SET synchronous_commit = on (and check "
            "postgresql.conf and the role's settings)."
        ]
    return []


async def deploy_problems(settings: Settings, workers: int = 1, *, deploy: bool = True) -> list[str]:
    """Every problem, from the settings and from the database; an unreachable database is one too."""
    problems = settings_problems(settings, workers, deploy=deploy)
    engine = make_engine(settings.database_url)
    try:
        problems += await database_problems(engine)
    except Exception as error:
        if not is_database_unavailable(error):
            raise
        problems.append(f"The database cannot be reached ({error}): check BEDBOARD_DATABASE_URL.")
    finally:
        await engine.dispose()
    return problems
