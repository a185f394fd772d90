"""Probes for load balancers and operators: ``/health`` (the process is up) and ``/ready`` (it can serve).

``/health`` answers 200 without touching the database: a process that is running but whose database
restarts must not be killed and restarted itself. ``/ready`` says whether requests can be served now:
the database answers, its schema is at the migrations' head, and (on PostgreSQL) the listener that feeds
the boards is connected; otherwise 503 with the reasons and Retry-After, so that a balancer sends no
traffic here until it is. Neither needs a login, and neither writes anything: both are answered before
the session lookup (``ProbesFirst``), so a browser's session cookie is neither read nor touched.
"""

from __future__ import annotations

import asyncio
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from accounts import permissions
from accounts.guard import requires
from app.kit.db import is_database_unavailable, unavailability
from app.kit.error_pages import RETRY_AFTER_SECONDS
from app.kit.state import services
from app.migrations import alembic_config

# A database that does not answer within this is not ready; a probe must answer well inside a balancer's
# usual 5 s timeout.
DATABASE_TIMEOUT_SECONDS = 2.0
PROBE_PATHS = frozenset({"/health", "/ready"})


@cache
def head_revisions() -> frozenset[str]:
    """The revisions a migrated database is at, read once from the migration scripts."""
    return frozenset(ScriptDirectory.from_config(alembic_config("unused://")).get_heads())


async def _applied_revisions(request: Request) -> frozenset[str]:
    async with services(request).engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(str(row[0]) for row in rows)


async def _database_reasons(request: Request) -> list[str]:
    try:
        applied = await asyncio.wait_for(_applied_revisions(request), DATABASE_TIMEOUT_SECONDS)
    except TimeoutError:
        return [f"database: no answer within {DATABASE_TIMEOUT_SECONDS:.0f} s"]
    except Exception as error:
        if not is_database_unavailable(error):
            raise
        return [f"database: unavailable ({unavailability(error)})"]
    heads = await asyncio.to_thread(head_revisions)
    if applied != heads:
        return [f"migrations: at {', '.join(sorted(applied)) or 'none'}, head is {', '.join(sorted(heads))}"]
    return []


@requires(permissions.PUBLIC)
async def health(request: Request) -> Response:
    """The process is up and serving HTTP; says nothing about the database."""
    return JSONResponse({"status": "ok"})


@requires(permissions.PUBLIC)
async def ready(request: Request) -> Response:
    reasons = await _database_reasons(request)
    reasons += services(request).registry.not_ready(services(request))
    if reasons:
        return JSONResponse({"status": "unavailable", "reasons": reasons}, status_code=503,
                            headers={"retry-after": RETRY_AFTER_SECONDS})
    return JSONResponse({"status": "ready"})


routes: list[BaseRoute] = [
    Route("/health", health, methods=["GET"], name="health"),
    Route("/ready", ready, methods=["GET"], name="ready"),
]


class ProbesFirst:
    """Answers the probes before the session lookup, which reads (and may touch) the database."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.probes = Router(routes=routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Other methods go the usual way, to the same routes' 405.
        if scope["type"] == "http" and scope["path"] in PROBE_PATHS and scope["method"] in ("GET", "HEAD"):
            await self.probes(scope, receive, send)
            return
        await self.app(scope, receive, send)
