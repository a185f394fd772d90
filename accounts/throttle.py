"""Login throttling per username and per client address.

After ``limit`` failures within the window, a lock is set for the window's length. Attempts while
the lock holds are refused without checking the password; they neither count nor extend the lock,
so a user locked out by an attacker is free again at a known time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import LoginFailure, LoginLock


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
            ((LoginLock.kind == "username") & (LoginLock.key == username_key))
            | ((LoginLock.kind == "address") & (LoginLock.key == address)),
            LoginLock.locked_until > now,
        )
    )
    lock = max(rows, key=lambda row: row.locked_until, default=None)
    return None if lock is None else Lock(lock.kind, lock.locked_until)


async def _set_lock(session: AsyncSession, kind: str, key: str, until: datetime) -> None:
    existing = await session.scalar(select(LoginLock).where(LoginLock.kind == kind, LoginLock.key == key))
    if existing is None:
        session.add(LoginLock(kind=kind, key=key, locked_until=until))
    else:
        existing.locked_until = until


async def count_failure(
    session: AsyncSession, policy: ThrottlePolicy, username_key: str, address: str, now: datetime
) -> Lock | None:
    """Record a failure; returns the lock it set when it reached a limit."""
    session.add(LoginFailure(username_key=username_key, client_address=address, at=now))
    await session.flush()
    since = now - policy.window
    by_username = await session.scalar(
        select(func.count()).where(LoginFailure.username_key == username_key, LoginFailure.at > since))
    by_address = await session.scalar(
        select(func.count()).where(LoginFailure.client_address == address, LoginFailure.at > since))
    until = now + policy.window
    if (by_address or 0) >= policy.per_address:
        await _set_lock(session, "address", address, until)
        return Lock("address", until)
    if (by_username or 0) >= policy.per_username:
        await _set_lock(session, "username", username_key, until)
        return Lock("username", until)
    return None


async def forget_failures(session: AsyncSession, username_key: str) -> None:
    """A successful login clears the username's counter (not the address's: one good account on a
    shared address must not reset the count of guesses against others)."""
    await session.execute(delete(LoginFailure).where(LoginFailure.username_key == username_key))
