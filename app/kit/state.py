"""What a running app holds: settings, database, clock, the hub, the plugins and the services they provide.

One per app, never global. The kit knows no domain: a domain puts its own services here when its plugin is
installed (``provide``) and finds them again by their type (``get``), so the accounts context or the bed
board's writer are typed where they are used, and nothing here names them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.kit.actors import Actor
from app.kit.clock import Clock
from app.kit.db import UnitOfWork
from app.kit.plugins import JobContext, Registry
from app.kit.refusal_ledger import RefusalLedger
from app.kit.settings import Settings
from realtime.hub import Hub

Provided = TypeVar("Provided")
BeforeCommit = Callable[[AsyncSession, Sequence[object]], Awaitable[None]]
AfterCommit = Callable[[Sequence[object]], Awaitable[None]]


@dataclass
class AppServices:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    hub: Hub
    registry: Registry
    # Repeated refusals counted per minute instead of audited one by one (app/kit/refusal_ledger.py).
    refusals: RefusalLedger = field(default_factory=RefusalLedger)
    # A live feed's part in every transaction: inside it before commit (e.g. pg_notify), after it (this process).
    before_commit: list[BeforeCommit] = field(default_factory=list)
    after_commit: list[AfterCommit] = field(default_factory=list)
    _provided: dict[type, object] = field(default_factory=dict)

    def provide(self, service: object) -> None:
        """Puts a domain's service on the app, found again by its type; a second one of a type replaces the first."""
        self._provided[type(service)] = service

    def get(self, kind: type[Provided]) -> Provided:
        found = self._provided.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} on this app: is the plugin that provides it registered?")
        return found

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, clock=self.clock, publish=self._after_commit,
                          before_commit=self._before_commit,
                          info={"base_url": self.settings.base_url, "timezone": self.settings.timezone})

    def job_context(self) -> JobContext:
        return JobContext(self.settings, self.session_factory, self.clock, publish=self._after_commit,
                          before_commit=self._before_commit)

    async def _before_commit(self, session: AsyncSession, events: Sequence[object]) -> None:
        for listener in self.before_commit:
            await listener(session, events)

    async def _after_commit(self, events: Sequence[object]) -> None:
        for listener in self.after_commit:
            await listener(events)


def services(connection: HTTPConnection) -> AppServices:
    found: AppServices = connection.app.state.services
    return found


def client_address(connection: HTTPConnection) -> str:
    # uvicorn rewrites the client from X-Forwarded-For only for trusted proxies (--forwarded-allow-ips).
    return connection.client.host if connection.client else "unknown"


def current_actor(connection: HTTPConnection) -> Actor:
    actor: Actor | None = connection.scope.get("bedboard.actor")
    return actor or Actor.anonymous(client_address(connection))


# Where accounts' ActorMiddleware puts the zone of the signed-in reader's organisation (accounts/zones.py).
READER_ZONE = "bedboard.reader_zone"


def reader_zone(connection: HTTPConnection) -> ZoneInfo:
    """The zone the reader's organisation reads times in (its own or its nearest ancestor's); the installation's
    (``BEDBOARD_TIMEZONE``) for the anonymous, API programs and organisations with no zone up their tree."""
    found: ZoneInfo | None = connection.scope.get(READER_ZONE)
    return found or services(connection).settings.zone


def request_id(connection: HTTPConnection) -> str:
    return str(connection.scope.get("bedboard.request_id", "-"))
