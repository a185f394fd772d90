"""E-mail addresses of users: where notifications also go, through the outbox, when SMTP is configured.

The person changes their own on the account page; the administrators who manage the account change it on its
page (a referent without a working address never hears that their licence exists). Every change is audited with
the address before and after: a notification that went to the wrong place must be traceable to who set it.

The check is deliberately plain: one ``@``, a local part and a domain with a dot, no spaces, at most 254
characters (RFC 5321's path limit), the local part in ASCII. Whether the mailbox exists only a delivery can
tell; the dead letters say so.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.admin_queries import load_user, require_admin, require_scope
from accounts.models import User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import NotAuthenticated, ValidationFailed
from app.kit.i18n import _

MAX_LENGTH = 254
# ASCII only: a mailbox like "åsa@..." needs the server's SMTPUTF8, which most relays lack; refusing it here beats
# a dead letter four hours later.
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
ADDRESS_RULE = _("Enter an e-mail address such as name@example.org (no spaces, at most 254 characters), or leave "
                 "the field empty for no e-mail.")


def clean_email(raw: str) -> str | None:
    """The address as it will be used (trimmed, domain lower-cased), or None for "no e-mail"."""
    address = raw.strip()
    if not address:
        return None
    if len(address) > MAX_LENGTH or not ADDRESS.fullmatch(address):
        raise ValidationFailed(ADDRESS_RULE, details={"field": "email"})
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


async def _change(session: AsyncSession, *, actor: Actor, user: User, raw: str) -> bool:
    email = clean_email(raw)
    if email == user.email:
        return False
    before = {"email": user.email}
    user.email = email
    await audit.record(session, actor=actor, action="accounts.email_changed", object_type="user", object_id=user.id,
                       before=before, after={"email": email, "username": user.username})
    return True


async def own_email(session: AsyncSession, actor: Actor) -> str:
    """The person's own address as their page shows it ("" when none is set or nobody is logged in)."""
    user = None if actor.user_id is None else await session.get(User, actor.user_id)
    return "" if user is None or user.email is None else user.email


async def change_own_email(session: AsyncSession, *, actor: Actor, email: str) -> bool:
    """The person's own address; False when it did not change (nothing is audited then)."""
    if actor.user_id is None:
        raise NotAuthenticated(_("Please log in."))
    return await _change(session, actor=actor, user=await session.get_one(User, actor.user_id), raw=email)


async def change_user_email(session: AsyncSession, *, actor: Actor, user_id: int, email: str) -> bool:
    """An administrator sets the address of a user they manage (the same scope as every other change)."""
    require_admin(actor)
    user, organisation, _role = await load_user(session, user_id)
    await require_scope(session, actor, organisation, user.owner_organisation_id)
    return await _change(session, actor=actor, user=user, raw=email)
