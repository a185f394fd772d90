"""The administrators' outbox page: SMTP state, waiting and failing messages, the jobs' last runs."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.jobs.scheduler import LEASE, run_once, take_lease
from app.kit.clock import ManualClock
from app.kit.i18n import format_moment
from app.kit.plugins import Registry
from app.kit.state import AppServices
from app.main import plugins
from app.notifications import outbox
from app.provisioning.core.plugin import OVERDUE
from tests.factories import make_user
from tests.web import log_in

JOBS = Registry(plugins()).jobs


async def queue_mail(services: AppServices, recipient: str, *, error: str | None = None, sent: bool = False) -> int:
    async with services.unit_of_work() as uow:
        message = await outbox.enqueue(uow.session, recipient=recipient, subject=f"bedboard: for {recipient}",
                                       body="text")
        if error is not None:
            message.attempts, message.last_error = 2, error
            message.next_attempt_at = message.created_at + timedelta(minutes=2)
        if sent:
            message.attempts, message.sent_at = 1, message.created_at
        return message.id


async def test_an_admin_sees_waiting_and_failing_mail_without_smtp(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    await make_user(services, "ana.pop", role="admin")
    await queue_mail(services, "waiting@example.org")
    await queue_mail(services, "failing@example.org", error="SMTPServerDisconnected: Connection unexpectedly closed")
    await queue_mail(services, "delivered@example.org", sent=True)
    await log_in(client, "ana.pop")

    page = await client.get("/admin/outbox")

    assert page.status_code == 200
    assert "No mail server is configured" in page.text
    assert "waiting@example.org" in page.text
    assert "failing@example.org" in page.text
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page.text
    assert "delivered@example.org" not in page.text
    assert "2 shown (newest first, at most 200); 1 of them failed at least once." in page.text
    assert 'href="/admin/outbox"' in page.text  # in the navigation bar


async def test_the_page_says_where_mail_goes_when_smtp_is_configured(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    services.settings = services.settings.with_changes(smtp_host="mail.example.org")
    await make_user(services, "ana.pop", role="admin")
    await log_in(client, "ana.pop")

    page = await client.get("/admin/outbox")

    assert "E-mail is sent through mail.example.org." in page.text
    assert 'data-testid="outbox-empty"' in page.text


async def test_the_jobs_last_runs_are_listed(client: httpx.AsyncClient, services: AppServices,
                                             clock: ManualClock) -> None:
    await make_user(services, "ana.pop", role="admin")
    await log_in(client, "ana.pop")
    before = await client.get("/admin/outbox")
    assert all(f'id="job-{job.name}"' in before.text for job in JOBS)
    assert before.text.count("never") == len(JOBS)

    async def body() -> str:
        return "3 newly overdue, 1 digest(s)"

    assert await run_once(services.session_factory, clock, OVERDUE, body, worker="test") is not None
    clock.advance(minutes=1)
    assert await take_lease(services.session_factory, clock, JOBS[0], worker="web-7", only_if_due=False)

    page = await client.get("/admin/outbox")

    assert "3 newly overdue, 1 digest(s)" in page.text
    assert "Mar 14, 2026, 05:12" in page.text  # 03:12 UTC in Europe/Bucharest
    lease_end = format_moment(clock.now() + LEASE, services.settings.zone, "en")
    assert f"{lease_end} by web-7" in page.text


async def test_only_admins_see_the_outbox(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ana.pop", role="coordinator")
    await queue_mail(services, "secret@example.org")
    await log_in(client, "ana.pop")

    page = await client.get("/admin/outbox")

    assert page.status_code == 403
    assert "secret@example.org" not in page.text
    assert 'href="/admin/outbox"' not in (await client.get("/account")).text
