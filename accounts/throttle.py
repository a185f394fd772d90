"""Login throttling per username and per client address.

After ``limit`` failures within the window, a lock is set for the window's length. Attempts while
the lock holds are refused without checking the password; they neither count nor extend the lock,
so a user locked out by an attacker is free again at a known time.

Concurrency: an attempt is TAKEN before its password is checked, not counted after. ``reserve_attempt``
runs in its own short transaction: it first upserts one ``login_throttle_keys`` row per username and per
address (``INSERT ... ON CONFLICT DO UPDATE``), which holds that row's lock until commit on PostgreSQL and
the database's one write lock on SQLite; only then does it count the attempts of the window and, when
under both limits, insert its own. Reservations for one key are therefore serialised across every worker
process, so at most ``limit`` passwords are ever checked per username and per address in a window,
however many requests arrive at once. (Counted after the check, as before, 100 wrong passwords sent at
once were all checked and all answered 401: each saw the count before any of the others had written.)

An attempt row stays as the failure it becomes; a successful login deletes the username's rows, its own
included, so that a good login does not use up its address's allowance either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from accounts.models import LoginFailure, LoginLock, LoginThrottleKey

USERNAME = "username"
ADDRESS = "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    per_username: int
    per_address: int
    window: timedelta


@dataclass(frozen=True)
class Lock:
    kind: str
    locked_until: datetime


async def active_lock(session: AsyncSession, username_key: str, address: str, now: datetime) -> Lock | None:
    rows = await session.scalars(
        select(LoginLock).where(
            ((LoginLock.kind == USERNAME) & (LoginLock.key == username_key))
            | ((LoginLock.kind == ADDRESS) & (LoginLock.key == address)),
            LoginLock.locked_until > now,
        )
    )
    lock = max(rows, key=lambda row: row.locked_until, default=None)
    return None if lock is None else Lock(lock.kind, lock.locked_until)


async def _serialise(session: AsyncSession, kind: str, key: str, now: datetime) -> None:
    """Take the row lock of (kind, key), creating the row on first use; held until the transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottleKey).values(kind=kind, key=key, last_attempt_at=now)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["kind", "key"], set_={"last_attempt_at": statement.excluded.last_attempt_at}))


async def _serialise_both(session: AsyncSession, username_key: str, address: str, now: datetime) -> None:
    # Always username first, then address: every transaction takes the two locks in one order, so none waits
    # in a cycle.
    await _serialise(session, USERNAME, username_key, now)
    await _serialise(session, ADDRESS, address, now)


async def _counts(session: AsyncSession, username_key: str, address: str, since: datetime) -> tuple[int, int]:
    by_username = await session.scalar(
        select(func.count()).where(LoginFailure.username_key == username_key, LoginFailure.at > since))
    by_address = await session.scalar(
        select(func.count()).where(LoginFailure.client_address == address, LoginFailure.at > since))
    return by_username or 0, by_address or 0


async def _retry_at(session: AsyncSession, column: InstrumentedAttribute[str], key: str, since: datetime,
                    window: timedelta) -> datetime:
    """When the oldest attempt of the window leaves it, so that one more attempt is allowed."""
    oldest = await session.scalar(select(func.min(LoginFailure.at)).where(column == key, LoginFailure.at > since))
    return (oldest or since) + window


async def reserve_attempt(session: AsyncSession, policy: ThrottlePolicy, username_key: str, address: str,
                          now: datetime) -> Lock | None:
    """Take one attempt before the password is checked; returns the refusal's lock when a limit is used up.

    Run it in a transaction of its own that commits before the password check, so that the other workers see
    the attempt while the slow check runs. A refusal here writes no failure and sets no lock: the attempts
    already taken set the lock when they fail.
    """
    await _serialise_both(session, username_key, address, now)
    since = now - policy.window
    by_username, by_address = await _counts(session, username_key, address, since)
    if by_address >= policy.per_address:
        return Lock(ADDRESS, await _retry_at(session, LoginFailure.client_address, address, since, policy.window))
    if by_username >= policy.per_username:
        return Lock(USERNAME, await _retry_at(session, LoginFailure.username_key, username_key, since,
                                              policy.window))
    session.add(LoginFailure(username_key=username_key, client_address=address, at=now))
    await session.flush()
    return None


async def _set_lock(session: AsyncSession, kind: str, key: str, until: datetime, now: datetime) -> bool:
    """Lock (kind, key) until ``until`` unless a lock already holds (a lock is never extended)."""
    existing = await session.scalar(select(LoginLock).where(LoginLock.kind == kind, LoginLock.key == key))
    if existing is None:
        session.add(LoginLock(kind=kind, key=key, locked_until=until))
        return True
    if existing.locked_until > now:
        return False
    existing.locked_until = until
    return True


async def count_failure(
    session: AsyncSession, policy: ThrottlePolicy, username_key: str, address: str, now: datetime
) -> Lock | None:
    """The reserved attempt failed (its row already counts); returns the lock it set when it reached a limit."""
    await _serialise_both(session, username_key, address, now)
    by_username, by_address = await _counts(session, username_key, address, now - policy.window)
    until = now + policy.window
    if by_address >= policy.per_address and await _set_lock(session, ADDRESS, address, until, now):
        return Lock(ADDRESS, until)
    if by_username >= policy.per_username and await _set_lock(session, USERNAME, username_key, until, now):
        return Lock(USERNAME, until)
    return None


async def forget_failures(session: AsyncSession, username_key: str) -> None:
    """A successful login clears the username's counter (not the address's: one good account on a
    shared address must not reset the count of guesses against others). The successful attempt's own row
    goes with it, so a good login costs its address nothing."""
    await session.execute(delete(LoginFailure).where(LoginFailure.username_key == username_key))
