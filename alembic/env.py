"""Alembic environment: async engines for both SQLite and PostgreSQL, URL given by the caller."""

import asyncio

from sqlalchemy.engine import Connection

from alembic import context
from app.kit.db import make_engine
from app.models import metadata

config = context.config


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = make_engine(config.attributes["database_url"])
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("bedboard migrations run online only: use 'bedboard migrate'")
asyncio.run(run_async())
