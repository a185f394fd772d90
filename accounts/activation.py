"""Single-use activation links: a new account or a password reset; the user chooses the password.

The link carries a random token of 256 bits; the table keeps only its SHA-256. A link is valid for
24 hours, works once, and issuing a new one for the same user ends the older ones.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import sessions
from accounts.models import ActivationToken, User
from accounts.passwords import check_policy
from accounts.service import AccountsContext
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now
from app.kit.errors import DomainError
from app.kit.i18n import _

VALID_FOR = timedelta(hours=24)
Purpose = Literal["activate", "reset"]


class ActivationLinkInvalid(DomainError):
    code = "activation_link_invalid"
    status = 404


INVALID_LINK = _("This link no longer works: it was used, expired or replaced. Ask your administrator for a new one.")


@dataclass(frozen=True)
class PendingActivation:
    user_id: int
    username: str
    display_name: str
    purpose: str


def link_path(token: str) -> str:
    return f"/activate/{token}"


async def issue(session: AsyncSession, *, user: User, purpose: Purpose, actor: Actor) -> str:
    """A new link for the user; any older unused link stops working. Returns the token (shown once)."""
    now = session_now(session)
    await end_links_of(session, user_id=user.id, now=now)
    token = secrets.token_urlsafe(32)
    session.add(ActivationToken(token_hash=sessions.token_digest(token), user_id=user.id, purpose=purpose,
                                created_by=actor.username[:120], created_at=now, expires_at=now + VALID_FOR))
    await session.flush()
    return token


async def end_links_of(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    await session.execute(update(ActivationToken)
                          .where(ActivationToken.user_id == user_id, ActivationToken.used_at.is_(None))
                          .values(used_at=now))


async def _usable(session: AsyncSession, token: str, now: datetime) -> tuple[ActivationToken, User]:
    found = (await session.execute(
        select(ActivationToken, User).join(User, User.id == ActivationToken.user_id)
        .where(ActivationToken.token_hash == sessions.token_digest(token), ActivationToken.used_at.is_(None),
               ActivationToken.expires_at > now, User.is_active.is_(True), User.deleted_at.is_(None))
    )).first()
    if found is None:
        raise ActivationLinkInvalid(INVALID_LINK)
    return found[0], found[1]


async def pending(session: AsyncSession, *, token: str) -> PendingActivation:
    link, user = await _usable(session, token, session_now(session))
    return PendingActivation(user.id, user.username, user.display_name, link.purpose)


async def activate(session: AsyncSession, *, context: AccountsContext, token: str, password: str,
                   client_address: str | None) -> User:
    """Sets the user's password from a valid link, and uses the link up."""
    now = session_now(session)
    link, user = await _usable(session, token, now)
    check_policy(password, user.username)
    link.used_at = now
    user.password_hash = await context.hasher.hash(password)
    user.password_changed_at, user.must_change_password = now, False
    await sessions.end_all_of_user(session, user_id=user.id, now=now, reason="password_changed")
    actor = await sessions.actor_for(session, user, source="web", client_address=client_address)
    await audit.record(session, actor=actor, action="accounts.password_chosen", object_type="user",
                       object_id=user.id, after={"link": link.id, "purpose": link.purpose})
    return user
