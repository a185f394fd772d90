"""Group commit for free-bed writes: the writes that wait at one moment share one transaction.

Every audited write locks the chain head and holds it through its commit, so writers queue on that lock and
each pays a whole commit (an fsync) alone. Here the writes of one process that arrive while a commit is in
flight wait for it, then go together: one transaction, one turn of the chain-head lock, one commit. Nothing
waits on purpose: a write that finds no commit in flight starts at once.

Each write keeps its own checks, audit event and live event, in the order the writes arrived. A write refused
for its own reasons (a conflict, a bad number, no permission) is answered alone and the others still commit.
That holds by construction, not by trust in the service: a batch is three calls,
``service.check_free_beds_writes``, which reads (one statement for all the sections, their rows locked in one
order, one for all the Idempotency-Keys) and refuses and changes nothing, then ``service.write_rows`` (one
executemany), then ``service.audit_and_announce_rows``. Only the first call's refusals are answered alone; a
refusal out of the others (a later edit of the service that refuses after a change) fails the shared
transaction as a whole, so that its change, audit event and live event never commit with the others, and then
each write is tried again alone, where that refusal rolls its own transaction back. Before, each write of a
batch ran in a SAVEPOINT for the same end: two more statements per write (SAVEPOINT, RELEASE), each a round
trip to PostgreSQL, on every batch, for a case that only a bug makes. The batch's audit events are appended
together, after its rows: the chain's head, which every process's writes queue for, is held for three
statements and the commit (``audit.record_many``). If the shared transaction fails as a whole, each write is
tried again alone: no write is lost or refused for another's fault. A publish that fails after the commit is
no failure of the transaction (``UnitOfWork`` logs it): the writes are durable, and trying them again would
answer 409.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from app.beds import service
from app.beds.service import FreeBedsWrite
from app.kit.db import UnitOfWork, is_database_unavailable

__all__ = ["MAX_BATCH", "FreeBedsWrite", "FreeBedsWriter"]

# Past this, a batch holds the chain head long enough to make the next batch's first writer wait too long.
MAX_BATCH = 64

Outcome = service.WriteResult | BaseException


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
                    outcomes.append(await service.write_one(uow, batch[0].write))
                else:
                    outcomes = await _write_all(uow, [waiting.write for waiting in batch])
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


async def _write_all(uow: UnitOfWork, writes: list[FreeBedsWrite]) -> list[Outcome]:
    checked = await service.check_free_beds_writes(uow, writes)  # a refusal changed nothing: the others go on
    # Not caught: a refusal from here on fails the whole transaction (see the module's docstring).
    rows = [row for row in checked if isinstance(row, service.WrittenRow)]
    await service.write_rows(uow, rows)
    answers = iter(await service.audit_and_announce_rows(uow, rows))
    return [next(answers) if isinstance(row, service.WrittenRow) else row for row in checked]


def _settle(waiting: _Waiting, outcome: Outcome) -> None:
    if waiting.answer.done():
        return
    if isinstance(outcome, BaseException):
        waiting.answer.set_exception(outcome)
    else:
        waiting.answer.set_result(outcome)
