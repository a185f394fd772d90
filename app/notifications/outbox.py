"""The e-mail outbox: notifications wait in a table until a background sender delivers them.

A message is written in the transaction of the change it reports, so it exists exactly when the
change committed. Sending never holds a transaction open across the SMTP conversation (on SQLite every
transaction takes the write lock at BEGIN IMMEDIATE; a slow mail server must not stall bed updates):

1. claim: one short transaction marks one due message ``claimed_until = now + CLAIM`` with a
   conditional UPDATE, which only one worker can win;
2. send, with no transaction open;
3. record: another short transaction sets ``sent_at``, or counts the failure and moves
   ``next_attempt_at`` later (1, 2, 4 ... minutes). After ``MAX_ATTEMPTS`` failures (about four hours of
   retries) the message is a dead letter (``dead_at``): the sender leaves it, and the administrators' outbox page
   lists it with its last error until someone sends it again (``dead_letters.py``, audited).

A worker that dies between 2 and 3 leaves a claim that lapses, and the message goes again: at least
once always, exactly once unless a worker dies in that window (SMTP has no way to ask "did you get it?").
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, String, Text, or_, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.clock import Clock
from app.kit.db import Base, UnitOfWork, UTCDateTime, session_now
from app.kit.settings import Settings
from app.notifications.mailer import send_message

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
# 1+2+4+...+64 minutes between the 8 attempts: about 4 h 15 min of a server refusing or unreachable before a
# person is asked to look (a mail server's own queue typically gives up after days, but a notification that
# arrives a day late has lost its point; the dead letter says so on the page instead).
MAX_ATTEMPTS = 8
LONGEST_RETRY = timedelta(hours=6)
# Longer than one SMTP conversation can take (mailer.TIMEOUT_SECONDS per network step), so a claim
# never lapses while its sender is still talking to the server.
CLAIM = timedelta(minutes=10)
ERROR_LENGTH = 500
SUBJECT_LENGTH = 250


class OutboxMessage(Base):
    __tablename__ = "mail_outbox"
    # The sender's scan: only unsent rows are indexed, so years of delivered mail cost it nothing.
    __table_args__ = (
        Index("ix_mail_outbox_due", "next_attempt_at", sqlite_where=text("sent_at IS NULL"),
              postgresql_where=text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Given up after MAX_ATTEMPTS failures: no longer sent until an administrator sends it again.
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class SendReport:
    smtp_configured: bool
    sent: int = 0
    failed: int = 0


async def enqueue(session: AsyncSession, *, recipient: str, subject: str, body: str,
                  recipient_user_id: int | None = None) -> OutboxMessage:
    """Adds a message to the caller's transaction; it is sent only if that transaction commits.

    Not audited: the caller audits the business action that the message reports. The outbox row is
    delivery bookkeeping, like its later attempts; auditing it would take the audit chain's lock on
    every retry and fill the log with mail traffic.
    """
    now = session_now(session)
    if len(subject) > SUBJECT_LENGTH:
        # A long subject must not fail the business transaction (PostgreSQL enforces the length).
        subject = subject[:SUBJECT_LENGTH - 3] + "..."
    message = OutboxMessage(recipient=recipient, recipient_user_id=recipient_user_id, subject=subject,
                            body=body, created_at=now, next_attempt_at=now, attempts=0)
    session.add(message)
    await session.flush()
    return message


async def pending_messages(session: AsyncSession, limit: int = 100, *,
                           readable: ColumnElement[bool] | None = None) -> Sequence[OutboxMessage]:
    """Unsent messages still being tried, newest first, with their attempts and last error: the admins' outbox
    (``readable``: the messages this administrator may see, ``dead_letters.readable_messages``)."""
    query = (select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.dead_at.is_(None),
                                         true() if readable is None else readable)
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit))
    return (await session.scalars(query)).all()


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling, at most 6 hours."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap: no huge numbers
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


async def send_due(session_factory: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock,
                   *, limit: int = 50) -> SendReport:
    """Sends up to ``limit`` due messages, one claim at a time; safe to run in several workers at once."""
    if not settings.sends_mail:
        return SendReport(smtp_configured=False)
    sent = failed = 0
    while sent + failed < limit:
        message = await _claim_next(session_factory, clock)
        if message is None:
            break
        error = await _deliver(settings, message)
        await _record(session_factory, clock, message.id, error)
        if error is None:
            sent += 1
        else:
            failed += 1
    return SendReport(smtp_configured=True, sent=sent, failed=failed)


async def _claim_next(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> OutboxMessage | None:
    async with UnitOfWork(session_factory, clock=clock) as uow:
        session = uow.session
        now = session_now(session)
        claimable = (OutboxMessage.sent_at.is_(None), OutboxMessage.dead_at.is_(None),
                     OutboxMessage.next_attempt_at <= now,
                     or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        while True:
            candidate = await session.scalar(
                select(OutboxMessage.id).where(*claimable)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))
            if candidate is None:
                return None
            # The WHERE is checked again on the row itself: of two workers that picked the same
            # candidate, the second updates nothing (PostgreSQL re-reads the row after the first
            # commits; SQLite runs one writer at a time) and looks for another.
            claim = await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == candidate, *claimable)
                .values(claimed_until=now + CLAIM).execution_options(synchronize_session=False))
            if claim.rowcount == 1:  # type: ignore[attr-defined]
                return await session.get_one(OutboxMessage, candidate)


async def _deliver(settings: Settings, message: OutboxMessage) -> str | None:
    """None when the server accepted the message, else what went wrong (kept for the admins)."""
    try:
        await send_message(settings, message.recipient, message.subject, message.body,
                           message_id=f"outbox.{message.id}")
    except (smtplib.SMTPException, OSError, ValueError) as error:
        # OSError: refused, unreachable, timed out, TLS failures. ValueError: a header that cannot be
        # encoded. Either way the message stays and is tried again.
        logger.warning("mail to %s (outbox %d) failed: %r", message.recipient, message.id, error)
        return _described(error)[:ERROR_LENGTH]
    return None


def _described(error: Exception) -> str:
    """What the administrators read on the page: the server's own reply where there is one ("SMTPDataError: 451
    4.3.0 try again later"), not the bytes' repr."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"{type(error).__name__}: {error.smtp_code} {reply}"
    return f"{type(error).__name__}: {error}"


async def _record(session_factory: async_sessionmaker[AsyncSession], clock: Clock, message_id: int,
                  error: str | None) -> None:
    async with UnitOfWork(session_factory, clock=clock) as uow:
        session = uow.session
        message = await session.get_one(OutboxMessage, message_id)
        now = session_now(session)
        message.attempts += 1
        message.claimed_until = None
        if error is None:
            message.sent_at = now
            message.last_error = None
        else:
            message.last_error = error
            message.next_attempt_at = now + retry_delay(message.attempts)
            if message.attempts >= MAX_ATTEMPTS:
                message.dead_at = now
                logger.warning("mail to %s (outbox %d) given up after %d attempts", message.recipient, message.id,
                               message.attempts)
