"""Mail the outbox gave up on (``outbox.MAX_ATTEMPTS`` failures): listed for the administrators, sent again on
request, each sending-again audited.

An administrator sees the messages to the users of their own organisation tree (``accounts.trees``): the health
service's administrator the Chilean referents' mail, never the bed board's, and the bed board's administrators
also the messages addressed to no account.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import User
from accounts.trees import tree_of
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.outbox import OutboxMessage


async def readable_messages(session: AsyncSession, actor: Actor) -> ColumnElement[bool]:
    """The outbox rows this administrator may see."""
    if actor.organisation_id is None:
        return false()
    tree = await tree_of(session, actor.organisation_id)
    to_tree = OutboxMessage.recipient_user_id.in_(select(User.id).where(User.organisation_id.in_(sorted(tree.ids))))
    return or_(to_tree, OutboxMessage.recipient_user_id.is_(None)) if tree.is_bed_board else to_tree


async def dead_letters(session: AsyncSession, *, actor: Actor, limit: int = 200) -> Sequence[OutboxMessage]:
    """Given-up messages, the most recently given up first."""
    query = (select(OutboxMessage)
             .where(OutboxMessage.dead_at.is_not(None), await readable_messages(session, actor))
             .order_by(OutboxMessage.dead_at.desc(), OutboxMessage.id.desc()).limit(limit))
    return (await session.scalars(query)).all()


async def send_again(session: AsyncSession, *, actor: Actor, message_id: int) -> OutboxMessage:
    """Puts a dead letter back in the queue, due now, with a fresh count of attempts (the sender job takes it
    within a minute); its last error stays on the page until an attempt succeeds."""
    if not permissions.may(actor, permissions.OUTBOX_VIEW):
        raise PermissionDenied(_("Only administrators send mail again."))
    message = await session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id,
                                                                await readable_messages(session, actor)))
    if message is None:
        raise NotFound(_("There is no such message."))
    if message.dead_at is None or message.sent_at is not None:
        raise ValidationFailed(_("This message is not given up: it is sent or still being tried."))
    now = session_now(session)
    before = {"recipient": message.recipient, "attempts": message.attempts, "last_error": message.last_error,
              "dead_at": message.dead_at.isoformat()}
    message.dead_at, message.attempts, message.claimed_until, message.next_attempt_at = None, 0, None, now
    await audit.record(session, actor=actor, action="mail.sent_again", object_type="mail", object_id=message.id,
                       before=before, after={"recipient": message.recipient, "next_attempt_at": now.isoformat()})
    return message
