"""What a running app holds: settings, database, clock, account services. One per app, never global."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from accounts.service import AccountsContext
from app.beds.live_feed import BedFeed
from app.beds.write_batch import FreeBedsWriter
from app.kit.actors import Actor
from app.kit.clock import Clock
from app.kit.db import UnitOfWork
from app.kit.refusal_ledger import RefusalLedger
from app.kit.settings import Settings
from app.live import LiveChannel
from realtime.endpoint import BoardSocket
from realtime.hub import Hub


@dataclass
class AppServices:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    accounts: AccountsContext
    hub: Hub
    live: LiveChannel
    feed: BedFeed
    board_socket: BoardSocket
    # Free-bed writes go through one writer per process, which commits the writes waiting together.
    bed_writes: FreeBedsWriter = field(init=False)
    # Repeated refusals counted per minute instead of audited one by one (app/kit/refusal_ledger.py).
    refusals: RefusalLedger = field(default_factory=RefusalLedger)

    def __post_init__(self) -> None:
        self.bed_writes = FreeBedsWriter(self.unit_of_work)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, clock=self.clock, publish=self.live.after_commit,
                          before_commit=self.live.before_commit, info={"base_url": self.settings.base_url})


def services(connection: HTTPConnection) -> AppServices:
    found: AppServices = connection.app.state.services
    return found


def client_address(connection: HTTPConnection) -> str:
    # uvicorn rewrites the client from X-Forwarded-For only for trusted proxies (--forwarded-allow-ips).
    return connection.client.host if connection.client else "unknown"


def current_actor(connection: HTTPConnection) -> Actor:
    actor: Actor | None = connection.scope.get("bedboard.actor")
    return actor or Actor.anonymous(client_address(connection))


def request_id(connection: HTTPConnection) -> str:
    return str(connection.scope.get("bedboard.request_id", "-"))
