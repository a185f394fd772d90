"""The e-mail outbox against a real SMTP server (aiosmtpd) on both databases."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.settings import Settings, SettingsError, load_settings
from app.notifications.outbox import (
    OutboxMessage,
    SendReport,
    enqueue,
    pending_messages,
    retry_delay,
    send_due,
)

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass
class MailServer:
    """Refuses the first ``failures`` messages with a 451, then accepts and keeps them."""

    failures: int = 0
    received: list[tuple[str, list[str], Message]] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                return "451 4.3.0 try again later"
            content = envelope.original_content or b""
            self.received.append((envelope.mail_from or "", list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd then answers a failure itself (535), instead of leaving the client waiting.
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mail_server() -> MailServer:
    return MailServer()


@pytest.fixture
def smtp_port(mail_server: MailServer) -> Iterator[int]:
    port = free_port()
    # server_hostname spares a reverse DNS lookup; AUTH over plain text is allowed on loopback only
    # here, and not required, so aiosmtpd has nothing to warn about.
    controller = Controller(mail_server, hostname="127.0.0.1", port=port, server_hostname="localhost",
                            authenticator=mail_server.authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_port: int) -> Settings:
    return settings.with_changes(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False,
                                 smtp_sender="beds@example.org")


async def queue(session_factory: SessionFactory, clock: ManualClock, count: int = 1) -> list[int]:
    async with UnitOfWork(session_factory, clock=clock) as uow:
        messages = [await enqueue(uow.session, recipient=f"nurse{number}@example.org",
                                  subject=f"Request {number} is due", body=f"Body {number}\nsecond line")
                    for number in range(count)]
        return [message.id for message in messages]


async def stored(session_factory: SessionFactory, message_id: int) -> OutboxMessage:
    async with session_factory() as session:
        return await session.get_one(OutboxMessage, message_id)


async def test_a_queued_message_is_delivered_once(session_factory: SessionFactory, clock: ManualClock,
                                                  mail_settings: Settings, mail_server: MailServer) -> None:
    [message_id] = await queue(session_factory, clock)

    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True, sent=1)
    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True)

    [(sender, recipients, email)] = mail_server.received
    assert (sender, recipients) == ("beds@example.org", ["nurse0@example.org"])
    assert email["Subject"] == "Request 0 is due"
    assert email["To"] == "nurse0@example.org"
    assert email["Message-ID"] == f"<outbox.{message_id}@127.0.0.1>"
    assert email.get_payload(decode=True) == b"Body 0\r\nsecond line\r\n"  # as it travels: CRLF
    message = await stored(session_factory, message_id)
    assert (message.sent_at, message.attempts, message.claimed_until) == (clock.now(), 1, None)


async def test_a_refused_message_stays_and_is_retried_after_a_minute(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    mail_server.failures = 1
    [message_id] = await queue(session_factory, clock)

    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True, failed=1)
    message = await stored(session_factory, message_id)
    assert (message.sent_at, message.attempts, message.claimed_until) == (None, 1, None)
    assert message.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert message.last_error is not None
    assert "451" in message.last_error

    clock.advance(seconds=59)
    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True)
    assert mail_server.received == []

    clock.advance(seconds=1)
    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True, sent=1)
    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True)
    assert len(mail_server.received) == 1
    message = await stored(session_factory, message_id)
    assert (message.sent_at, message.attempts, message.last_error) == (clock.now(), 2, None)


async def test_failures_back_off_doubling_up_to_six_hours(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    mail_server.failures = 3
    [message_id] = await queue(session_factory, clock)
    for expected in (1, 2, 4):
        await send_due(session_factory, mail_settings, clock)
        message = await stored(session_factory, message_id)
        assert message.next_attempt_at - clock.now() == timedelta(minutes=expected)
        clock.advance(minutes=expected)
    assert [retry_delay(attempts) for attempts in (1, 2, 3, 9, 10, 500)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=256),
        timedelta(hours=6), timedelta(hours=6)]


async def test_a_server_that_is_down_keeps_the_message_for_later(
    session_factory: SessionFactory, clock: ManualClock, settings: Settings, mail_server: MailServer
) -> None:
    down = settings.with_changes(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    [message_id] = await queue(session_factory, clock)

    assert await send_due(session_factory, down, clock) == SendReport(smtp_configured=True, failed=1)
    message = await stored(session_factory, message_id)
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.last_error is not None
    assert message.last_error.startswith("ConnectionRefusedError")

    clock.advance(minutes=1)
    assert await send_due(session_factory, down, clock) == SendReport(smtp_configured=True, failed=1)
    message = await stored(session_factory, message_id)
    assert (message.attempts, message.next_attempt_at) == (2, clock.now() + timedelta(minutes=2))


async def test_two_senders_at_once_deliver_each_message_once(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    await queue(session_factory, clock, count=6)

    reports = await asyncio.gather(send_due(session_factory, mail_settings, clock),
                                   send_due(session_factory, mail_settings, clock))

    assert sum(report.sent for report in reports) == 6
    assert sorted(recipients[0] for _sender, recipients, _email in mail_server.received) == [
        f"nurse{number}@example.org" for number in range(6)]


async def test_a_claimed_message_is_left_to_its_sender_until_the_claim_lapses(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    [message_id] = await queue(session_factory, clock)
    async with UnitOfWork(session_factory, clock=clock) as uow:
        # As if another worker claimed it and then died before recording the outcome.
        message = await uow.session.get_one(OutboxMessage, message_id)
        message.claimed_until = clock.now() + timedelta(minutes=10)

    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True)
    clock.advance(minutes=10, seconds=1)
    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True, sent=1)
    assert len(mail_server.received) == 1


async def test_the_limit_bounds_one_run(session_factory: SessionFactory, clock: ManualClock,
                                        mail_settings: Settings, mail_server: MailServer) -> None:
    await queue(session_factory, clock, count=3)
    assert await send_due(session_factory, mail_settings, clock, limit=2) == SendReport(True, sent=2)
    assert await send_due(session_factory, mail_settings, clock, limit=2) == SendReport(True, sent=1)


async def test_without_smtp_nothing_is_sent_and_nothing_is_lost(
    session_factory: SessionFactory, clock: ManualClock, settings: Settings, mail_settings: Settings,
    mail_server: MailServer,
) -> None:
    ids = await queue(session_factory, clock, count=2)

    assert not settings.sends_mail
    assert await send_due(session_factory, settings, clock) == SendReport(smtp_configured=False)
    async with session_factory() as session:
        waiting = await pending_messages(session, 10)
        assert [(message.id, message.attempts) for message in waiting] == [(ids[1], 0), (ids[0], 0)]

    assert await send_due(session_factory, mail_settings, clock) == SendReport(smtp_configured=True, sent=2)
    async with session_factory() as session:
        assert await pending_messages(session, 10) == []


async def test_pending_messages_show_failures_newest_first_and_hide_sent_ones(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    [sent_id] = await queue(session_factory, clock)
    await send_due(session_factory, mail_settings, clock)
    clock.advance(minutes=1)
    [failing_id] = await queue(session_factory, clock)
    mail_server.failures = 1
    await send_due(session_factory, mail_settings, clock)
    clock.advance(seconds=1)
    newest = await queue(session_factory, clock, count=2)

    async with session_factory() as session:
        listed = await pending_messages(session, 2)
        assert [message.id for message in listed] == [newest[1], newest[0]]
        everything = await pending_messages(session, 10)
    assert [message.id for message in everything] == [newest[1], newest[0], failing_id]
    assert everything[2].attempts == 1
    assert sent_id not in [message.id for message in everything]


async def test_a_rolled_back_transaction_queues_nothing(session_factory: SessionFactory, clock: ManualClock) -> None:
    async def write_then_fail() -> None:
        async with UnitOfWork(session_factory, clock=clock) as uow:
            await enqueue(uow.session, recipient="a@example.org", subject="s", body="b")
            raise RuntimeError("the business write failed")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    async with session_factory() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []


async def test_a_long_subject_is_shortened_rather_than_failing_the_write(
    session_factory: SessionFactory, clock: ManualClock
) -> None:
    async with UnitOfWork(session_factory, clock=clock) as uow:
        message = await enqueue(uow.session, recipient="a@example.org", subject="x" * 400, body="b")
    stored_message = await stored(session_factory, message.id)
    assert stored_message.subject == "x" * 247 + "..."


async def test_login_is_used_when_a_user_is_configured(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    await queue(session_factory, clock, count=2)
    wrong = mail_settings.with_changes(smtp_user="bedboard", smtp_password="wrong")
    assert await send_due(session_factory, wrong, clock, limit=1) == SendReport(True, failed=1)
    right = mail_settings.with_changes(smtp_user="bedboard", smtp_password="s3cret")
    assert await send_due(session_factory, right, clock) == SendReport(True, sent=1)
    # smtplib tries each mechanism the server offers before it gives up, hence "wrong" more than once.
    assert set(mail_server.logins) == {(b"bedboard", b"wrong"), (b"bedboard", b"s3cret")}
    assert mail_server.logins[-1] == (b"bedboard", b"s3cret")
    assert len(mail_server.received) == 1


async def test_starttls_is_required_when_configured(
    session_factory: SessionFactory, clock: ManualClock, mail_settings: Settings, mail_server: MailServer
) -> None:
    """The test server offers no STARTTLS: the message must not go out in clear."""
    [message_id] = await queue(session_factory, clock)
    assert await send_due(session_factory, mail_settings.with_changes(smtp_starttls=True), clock) == SendReport(
        True, failed=1)
    assert mail_server.received == []
    message = await stored(session_factory, message_id)
    assert message.last_error is not None
    assert "STARTTLS" in message.last_error


# The settings the outbox reads.

def smtp_environ(**variables: str) -> dict[str, str]:
    return {"BEDBOARD_SECRET_KEY": "k" * 40, "BEDBOARD_SMTP_HOST": "mail.example.org", **variables}


def test_smtp_settings_are_read_from_the_environment() -> None:
    settings = load_settings(smtp_environ(BEDBOARD_SMTP_PORT="587", BEDBOARD_SMTP_USER="beds",
                                          BEDBOARD_SMTP_PASSWORD="pw", BEDBOARD_SMTP_STARTTLS="off",
                                          BEDBOARD_SMTP_SENDER="beds@example.org"))
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
            settings.smtp_starttls, settings.smtp_sender) == (
        "mail.example.org", 587, "beds", "pw", False, "beds@example.org")
    assert "pw" not in repr(settings)
    assert load_settings(smtp_environ()).smtp_starttls is True
    assert not load_settings({"BEDBOARD_SECRET_KEY": "k" * 40}).sends_mail


@pytest.mark.parametrize(("variables", "named"), [
    ({"BEDBOARD_SMTP_STARTTLS": "maybe"}, "BEDBOARD_SMTP_STARTTLS"),
    ({"BEDBOARD_SMTP_USER": "beds"}, "BEDBOARD_SMTP_PASSWORD"),
    ({"BEDBOARD_SMTP_PASSWORD": "pw"}, "BEDBOARD_SMTP_USER"),
])
def test_wrong_smtp_settings_are_refused_with_the_variable_named(variables: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(smtp_environ(**variables))


def test_production_refuses_an_smtp_password_without_starttls() -> None:
    with pytest.raises(SettingsError, match="in clear"):
        load_settings(smtp_environ(BEDBOARD_ENV="production", BEDBOARD_BASE_URL="https://beds.example.org",
                                   BEDBOARD_SMTP_USER="beds", BEDBOARD_SMTP_PASSWORD="pw",
                                   BEDBOARD_SMTP_STARTTLS="0"))
