"""Server-side login sessions: the cookie holds a random token, the table holds only its hash.

Ending a session is one UPDATE, so logout, a password reset or a deactivation ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import AuthSession, Organisation, User, UserRole
from app.kit.actors import Actor, Source

# last_seen_at is written at most this often, so that a busy page does not write on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(
    session: AsyncSession, *, user: User, now: datetime, policy: SessionPolicy, client_address: str | None
) -> tuple[str, AuthSession]:
    token = new_token()
    row = AuthSession(token_hash=token_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + policy.absolute, client_address=client_address)
    session.add(row)
    await session.flush()
    return token, row


async def roles_of(session: AsyncSession, user_id: int) -> frozenset[str]:
    return frozenset(await session.scalars(select(UserRole.role_code).where(UserRole.user_id == user_id)))


async def actor_for(
    session: AsyncSession, user: User, *, source: Source, client_address: str | None,
    session_id: int | None = None,
) -> Actor:
    organisation = await session.get_one(Organisation, user.organisation_id)
    return Actor(
        username=user.username, source=source, user_id=user.id, display_name=user.display_name,
        organisation_id=organisation.id, organisation_code=organisation.code,
        organisation_name=organisation.name, organisation_kind=organisation.kind,
        roles=await roles_of(session, user.id), language=user.language, board_theme=user.board_theme,
        must_change_password=user.must_change_password, password_changed_at=user.password_changed_at,
        session_id=session_id, client_address=client_address,
    )


def _expiry_reason(row: AuthSession, now: datetime, policy: SessionPolicy) -> str | None:
    if now >= row.expires_at:
        return "absolute_timeout"
    if now - row.last_seen_at >= policy.idle:
        return "idle_timeout"
    return None


async def resolve(
    session: AsyncSession, *, token: str, now: datetime, policy: SessionPolicy, client_address: str | None
) -> Actor | None:
    """The actor of a live session, or None. An expired session is ended on the way."""
    found = (await session.execute(
        select(AuthSession, User).join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_digest(token), AuthSession.ended_at.is_(None))
    )).first()
    if found is None:
        return None
    row, user = found[0], found[1]
    reason = _expiry_reason(row, now, policy) or (None if user.is_active else "deactivated")
    if reason is not None:
        row.ended_at, row.end_reason = now, reason
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    return await actor_for(session, user, source="web", client_address=client_address, session_id=row.id)


async def end(session: AsyncSession, *, session_id: int, now: datetime, reason: str) -> None:
    await session.execute(
        update(AuthSession).where(AuthSession.id == session_id, AuthSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


async def end_all_of_user(
    session: AsyncSession, *, user_id: int, now: datetime, reason: str, keep_session_id: int | None = None
) -> list[int]:
    """End every open session of a user (except, optionally, the one making the change)."""
    query = select(AuthSession.id).where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
    if keep_session_id is not None:
        query = query.where(AuthSession.id != keep_session_id)
    ids = list(await session.scalars(query))
    if ids:
        await session.execute(
            update(AuthSession).where(AuthSession.id.in_(ids)).values(ended_at=now, end_reason=reason))
    return ids


async def still_valid_for(
    session: AsyncSession, *, session_ids: set[int], action: str, now: datetime, touch: bool
) -> set[int]:
    """Which of these sessions may still hold a socket that needs ``action``: not ended, not past the
    absolute limit, user active and still holding a role that allows it. An open socket is activity:
    with ``touch`` the sessions' last_seen_at moves to now, so a shift-long board stays logged in."""
    if not session_ids:
        return set()
    rows = (await session.execute(
        select(AuthSession.id, AuthSession.user_id)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.id.in_(session_ids), AuthSession.ended_at.is_(None), AuthSession.expires_at > now,
               User.is_active.is_(True))
    )).all()
    user_ids = {user_id for _id, user_id in rows}
    roles: dict[int, set[str]] = {}
    for user_id, role in await session.execute(select(UserRole.user_id, UserRole.role_code)
                                               .where(UserRole.user_id.in_(user_ids))):
        roles.setdefault(user_id, set()).add(role)
    valid = {session_id for session_id, user_id in rows
             if action in permissions.actions_of(frozenset(roles.get(user_id, set())))}
    if touch and valid:
        await session.execute(update(AuthSession).where(AuthSession.id.in_(valid)).values(last_seen_at=now))
    return valid
