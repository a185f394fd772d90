"""Group commit for free-bed writes: the writes that wait at one moment share one transaction.

Every audited write locks the chain head and holds it through its commit, so writers queue on that lock
and each pays a whole commit (an fsync) alone. Here the writes of one process that arrive while a commit
is in flight wait for it, then go together: one transaction, one turn of the chain-head lock, one commit.
Nothing waits on purpose: a write that finds no commit in flight starts at once.

Each write keeps its own checks, audit event and live event, in the order the writes arrived. A write
refused for its own reasons (a conflict, a bad number, no permission) is refused before it changes
anything (``service.set_free_beds`` promises that), so the others still commit. If the shared transaction
fails as a whole, each write is tried again alone: no write is lost or refused for another's fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from app.actors import Actor
from app.beds import service
from app.db import UnitOfWork, is_database_unavailable
from app.errors import DomainError

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
                for waiting in batch:
                    outcomes.append(await self._one(uow, waiting.write))
        except Exception as failure:  # the transaction as a whole: nothing of it was committed
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
            return await service.set_free_beds(
                uow, actor=write.actor, section_id=write.section_id, free_beds=write.free_beds,
                expected_version=write.expected_version, reason=write.reason,
                idempotency_key=write.idempotency_key)
        except DomainError as refusal:  # refused before changing anything: the batch goes on
            return refusal


def _settle(waiting: _Waiting, outcome: Outcome) -> None:
    if waiting.answer.done():
        return
    if isinstance(outcome, BaseException):
        waiting.answer.set_exception(outcome)
    else:
        waiting.answer.set_result(outcome)
