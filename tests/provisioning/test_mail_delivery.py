"""Mail that leaves (issue 23 item 3): a real SMTP server started by the test (aiosmtpd) receives the licence-created
mail in Spanish and the assignment-created mail in Swedish, each at the address its reader set on their account
page; a server that keeps refusing makes the outbox retry with backoff and then give the message up, and the
administrators' undelivered-mail page lists it with the error and sends it again (audited)."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import httpx
from sqlalchemy import select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.settings import Settings, load_settings
from app.kit.state import AppServices
from app.notifications.outbox import MAX_ATTEMPTS, OutboxMessage, SendReport, send_due
from app.provisioning.licenses import deciding, requesting
from app.provisioning.roles import assigning
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of, make_licence_world
from tests.provisioning.roles_world import TODAY, make_roles_world
from tests.provisioning.test_outbox import (  # noqa: F401
    MailServer,
    mail_server,
    mail_settings,
    smtp_environ,
    smtp_port,
)
from tests.web import BrowserFactory, log_in, post_form

GOOD = (1, "alba PLAZA santelices", "12.345.678-5", "Femenino")
SECOND = (2, "juan de la FUENTE rojas", "10000013-k", "Masculino")


async def _set_address(new_client: BrowserFactory, username: str, address: str, language: str) -> None:
    """As the person does it: the account page's language, then the e-mail page."""
    async with new_client() as browser:
        await log_in(browser, username)
        profile = await post_form(browser, "/account/profile", {"display_name": username, "language": language})
        assert profile.status_code == 303
        assert (await post_form(browser, "/account/email", {"email": address})).status_code == 303


def _subject(email: Message) -> str:
    """As the reader's mail program shows it (encoded words decoded, the folded line joined)."""
    return str(make_header(decode_header(email["Subject"]))).replace("\r\n", "")


def _text(email: Message) -> str:
    payload = email.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


async def test_the_referent_receives_the_licence_created_mail_in_spanish(
    services: AppServices, new_client: BrowserFactory, mail_settings: Settings, mail_server: MailServer,  # noqa: F811
) -> None:
    world = await make_licence_world(services)
    await _set_address(new_client, "ref_a", "referente@laflorida.cl", "es")
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.commune_a, entries=[GOOD, SECOND])
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=await actor_of(services, "officer"), request_id=request.id)

    report = await send_due(services.session_factory, mail_settings, services.clock)

    assert report == SendReport(smtp_configured=True, sent=1)  # the officer has no address: no mail for them
    [(sender, recipients, email)] = mail_server.received
    assert (sender, recipients) == ("beds@example.org", ["referente@laflorida.cl"])
    assert _subject(email).startswith(f"bedboard: La solicitud de licencias n.º {request.id} fue aceptada")
    body = _text(email)
    assert "2 licencias creadas" in body
    assert "Genere las claves de los nodos" in body
    assert f"/licenses/requests/{request.id}" in body


async def test_the_manager_receives_the_assignment_created_mail_in_swedish(
    services: AppServices, new_client: BrowserFactory, mail_settings: Settings, mail_server: MailServer,  # noqa: F811
) -> None:
    world = await make_roles_world(services)
    await _set_address(new_client, "mgr.ward", "karin.sund@regiongavleborg.se", "sv")
    async with services.unit_of_work() as uow:
        request = await assigning.request_assignment(
            uow, actor=await actor_of(services, "mgr.ward"), employee_id=world.employee_id,
            care_area_id=world.cardiology, unit_ids=[world.ward], valid_from=TODAY, valid_to=None,
            systems=["Clinic24"])
    support = await actor_of(services, "it.support")
    async with services.unit_of_work() as uow:
        await assigning.accept_for_support(uow, actor=support, request_id=request.id)
    async with services.unit_of_work() as uow:
        await assigning.complete_creation(uow, actor=support, request_id=request.id)

    await send_due(services.session_factory, mail_settings, services.clock)

    [(_sender, recipients, email)] = mail_server.received
    assert recipients == ["karin.sund@regiongavleborg.se"]
    subject = _subject(email)
    assert subject.startswith(f"bedboard: IT-supporten har skapat medarbetaruppdrag #{request.id} för Anna Berg: ")
    assert subject.endswith("...")  # a long notice is cut to its first 90 characters in the subject
    assert _text(email).startswith(f"IT-supporten har skapat medarbetaruppdrag #{request.id} för Anna Berg: "
                                   "inloggningsbiljetterna visar det med varje kompetensroll")


async def _stored(services: AppServices) -> OutboxMessage:
    async with services.session_factory() as session:
        return (await session.scalars(select(OutboxMessage))).one()


async def test_a_refusing_server_ends_in_a_dead_letter_that_an_administrator_sends_again(
    services: AppServices, client: httpx.AsyncClient, new_client: BrowserFactory, clock: ManualClock,
    mail_settings: Settings, mail_server: MailServer,  # noqa: F811
) -> None:
    world = await make_licence_world(services)
    await make_user(services, "admin.ssmso", role="admin", organisation="SSMSO")
    await _set_address(new_client, "ref_a", "referente@laflorida.cl", "es")
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.commune_a, entries=[GOOD])
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=await actor_of(services, "officer"), request_id=request.id)
    mail_server.failures = 1000

    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await send_due(services.session_factory, mail_settings, clock) == SendReport(True, failed=1)
        message = await _stored(services)
        assert message.attempts == attempt
        assert (message.dead_at is not None) == (attempt == MAX_ATTEMPTS)
        clock.advance(minutes=2 ** (attempt - 1))  # the backoff: 1, 2, 4 ... minutes
    clock.advance(days=2)
    assert await send_due(services.session_factory, mail_settings, clock) == SendReport(True)  # given up: left alone
    assert mail_server.received == []

    await log_in(client, "admin.ssmso")
    outbox_page = await client.get("/admin/outbox")
    assert "1 message was given up" in outbox_page.text
    page = await client.get("/admin/outbox/dead-letters")
    assert "referente@laflorida.cl" in page.text
    assert "SMTPDataError: 451 4.3.0 try again later" in page.text
    message = await _stored(services)
    async with new_client() as bed_board_admin:  # another tree's administrator neither sees nor sends it
        await make_user(services, "admin.samb", role="admin", organisation="SAMB")
        await log_in(bed_board_admin, "admin.samb")
        assert "referente@laflorida.cl" not in (await bed_board_admin.get("/admin/outbox/dead-letters")).text
        refused = await post_form(bed_board_admin, f"/admin/outbox/dead-letters/{message.id}/send-again", {})
        assert refused.status_code == 404

    sent_again = await post_form(client, f"/admin/outbox/dead-letters/{message.id}/send-again", {})
    assert sent_again.status_code == 303
    assert "referente@laflorida.cl" not in (await client.get(sent_again.headers["location"])).text
    mail_server.failures = 0
    assert await send_due(services.session_factory, mail_settings, clock) == SendReport(True, sent=1)
    assert [recipients for _sender, recipients, _email in mail_server.received] == [["referente@laflorida.cl"]]
    async with services.session_factory() as session:
        event = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.sent_again"))).one()
        user = (await session.scalars(select(User).where(User.username == "admin.ssmso"))).one()
    assert (event.actor, event.actor_id, event.object_id) == ("admin.ssmso", user.id, str(message.id))
    assert event.before is not None
    assert event.before["attempts"] == MAX_ATTEMPTS
    assert "451" in event.before["last_error"]
    assert timedelta(0) <= clock.now() - message.created_at


def test_the_sender_is_bedboard_smtp_from_or_its_older_name() -> None:
    assert load_settings(smtp_environ(BEDBOARD_SMTP_FROM="camas@ssmso.cl")).smtp_sender == "camas@ssmso.cl"
    assert load_settings(smtp_environ(BEDBOARD_SMTP_SENDER="beds@example.org")).smtp_sender == "beds@example.org"
    assert load_settings(smtp_environ(BEDBOARD_SMTP_FROM="camas@ssmso.cl",
                                      BEDBOARD_SMTP_SENDER="beds@example.org")).smtp_sender == "camas@ssmso.cl"
