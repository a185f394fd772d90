"""Group commit for free-bed writes: the writes that wait at one moment share one transaction.

Every audited write locks the chain head and holds it through its commit, so writers queue on that lock
and each pays a whole commit (an fsync) alone. Here the writes of one process that arrive while a commit
is in flight wait for it, then go together: one transaction, one turn of the chain-head lock, one commit.
Nothing waits on purpose: a write that finds no commit in flight starts at once.

Each write keeps its own checks, audit event and live event, in the order the writes arrived. A write
refused for its own reasons (a conflict, a bad number, no permission) is answered alone and the others
still commit. ``service.set_free_beds`` raises every refusal before it changes anything, but the batch
does not take that on trust: it makes it true by construction. In a batch each write runs in its own
SAVEPOINT, rolled back when it is refused, so a refusal raised after a change (a later edit of the
service) takes that change, its audit event and its live event with it instead of committing them with
the others. A lone write needs no savepoint: its refusal leaves through the unit of work, which rolls the
whole transaction back. A check of the session after the refusal was the other choice and would miss
changes: autoflush has already sent them to the database (``session.dirty`` is empty again), and a
bulk ``UPDATE`` never appears in the session at all. The savepoint costs a flush check and two statements
(SAVEPOINT, RELEASE) per write: batches of 8, interleaved with and without it on this shared 2-core
machine, took a median 40-45 vs 32-36 ms on SQLite and 43-48 vs 36-40 ms on PostgreSQL: about 1 ms a
write, paid only when writes wait together.
If the shared transaction fails as a whole, each write is tried again alone: no write is lost or refused
for another's fault. A publish that fails after the commit is no failure of the transaction
(``UnitOfWork`` logs it): the writes are durable, and trying them again would answer 409.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from app.beds import service
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, is_database_unavailable
from app.kit.errors import DomainError

# Past this, a batch holds the chain head long enough to make the next batch's first writer wait too long.
MAX_BATCH = 64

Outcome = service.WriteResult | BaseException


@dataclass(frozen=True)
class FreeBedsWrite:
    actor: Actor
    section_id: int
    free_beds: object
    expected_version: object
    reason: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class _Waiting:
    write: FreeBedsWrite
    answer: asyncio.Future[service.WriteResult]


class FreeBedsWriter:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._unit_of_work = unit_of_work
        self._waiting: list[_Waiting] = []
        self._committer: asyncio.Task[None] | None = None

    async def set_free_beds(self, write: FreeBedsWrite) -> service.WriteResult:
        """The write's answer once it is committed; raises what ``service.set_free_beds`` would."""
        answer: asyncio.Future[service.WriteResult] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(write, answer))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting(), name="free-beds-group-commit")
        return await answer

    async def _commit_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            # A request that went away before its turn is not written.
            batch = [waiting for waiting in batch if not waiting.answer.done()]
            if batch:
                await self._commit(batch)

    async def _commit(self, batch: list[_Waiting]) -> None:
        outcomes: list[Outcome] = []
        try:
            async with self._unit_of_work() as uow:
                if len(batch) == 1:  # a refusal leaves through the unit of work, which rolls back
                    outcomes.append(await _apply(uow, batch[0].write))
                else:
                    for waiting in batch:
                        outcomes.append(await self._one(uow, waiting.write))
        except Exception as failure:  # the transaction as a whole (or a lone write's refusal): nothing committed
            if len(batch) == 1 or is_database_unavailable(failure):
                for waiting in batch:
                    _settle(waiting, failure)
                return
            for waiting in batch:
                await self._commit([waiting])
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            _settle(waiting, outcome)

    @staticmethod
    async def _one(uow: UnitOfWork, write: FreeBedsWrite) -> Outcome:
        try:
            async with uow.savepoint():
                return await _apply(uow, write)
        except DomainError as refusal:  # its savepoint is rolled back: nothing of it stays, the batch goes on
            return refusal


async def _apply(uow: UnitOfWork, write: FreeBedsWrite) -> service.WriteResult:
    return await service.set_free_beds(
        uow, actor=write.actor, section_id=write.section_id, free_beds=write.free_beds,
        expected_version=write.expected_version, reason=write.reason, idempotency_key=write.idempotency_key)


def _settle(waiting: _Waiting, outcome: Outcome) -> None:
    if waiting.answer.done():
        return
    if isinstance(outcome, BaseException):
        waiting.answer.set_exception(outcome)
    else:
        waiting.answer.set_result(outcome)
