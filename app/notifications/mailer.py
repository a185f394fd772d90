"""SMTP delivery of one message, with the standard library, in a thread so that the event loop stays free."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from app.kit.settings import Settings

DEFAULT_SENDER = "bedboard@localhost"
# Per network operation (connect, each command): a dead server fails the attempt instead of hanging it.
TIMEOUT_SECONDS = 30.0


async def send_message(settings: Settings, recipient: str, subject: str, body: str, *,
                       message_id: str | None = None) -> None:
    """Hands the message to the configured server; raises ``smtplib.SMTPException`` or ``OSError`` if it
    is not accepted.

    ``message_id`` is a stable local part (e.g. the outbox row): a message sent twice after a crash
    keeps one ``Message-ID``, so mail clients can recognise the copy.
    """
    email = _compose(settings, recipient, subject, body, message_id)
    await asyncio.to_thread(_deliver, settings, email)


def _compose(settings: Settings, recipient: str, subject: str, body: str, message_id: str | None) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.smtp_sender or DEFAULT_SENDER
    email["To"] = recipient
    email["Subject"] = subject
    email["Date"] = formatdate(usegmt=True)
    if message_id is not None:
        email["Message-ID"] = f"<{message_id}@{urlsplit(settings.base_url).hostname or 'localhost'}>"
    email.set_content(body)
    return email


def _deliver(settings: Settings, email: EmailMessage) -> None:
    if settings.smtp_host is None:
        raise smtplib.SMTPException("no mail server configured (BEDBOARD_SMTP_HOST)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as server:
        if settings.smtp_starttls:
            # Verifies the certificate and host name; a server without STARTTLS raises rather than
            # letting the message (and the password) go in clear.
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user is not None and settings.smtp_password is not None:
            server.login(settings.smtp_user, settings.smtp_password)
        server.send_message(email)
