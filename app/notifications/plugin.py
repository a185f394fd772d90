"""How notifications plug into the app: the reader's notifications and the header's unread count, the
administrators' outbox page, and the job that sends the queued e-mail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from accounts import permissions
from app.kit.actors import Actor
from app.kit.i18n import _
from app.kit.plugins import Job, JobContext, NavItem, Plugin
from app.kit.state import AppServices
from app.notifications import inbox_routes, outbox, outbox_routes
from app.notifications.notify import unread_count


async def _unread(services: AppServices, actor: Actor) -> int | None:
    # Shown to whoever has an account page (every person; not an API token or an anonymous visitor).
    if actor.user_id is None or not permissions.may(actor, permissions.ACCOUNT_MANAGE_OWN):
        return None
    async with services.session_factory() as session:
        return await unread_count(session, actor.user_id)


async def _send_mail(context: JobContext) -> str:
    report = await outbox.send_due(context.session_factory, context.settings, context.clock)
    if not report.smtp_configured:
        return "SMTP is not configured; messages wait in the outbox"
    return f"sent {report.sent}, failed {report.failed}"


OUTBOX = Job("mail.outbox", timedelta(minutes=1), "send queued e-mail (retries failures with backoff)", _send_mail)

PLUGIN = Plugin(
    name="notifications",
    routes=[*inbox_routes.routes, *outbox_routes.routes],
    navigation=[NavItem(_("Outbox"), "/admin/outbox", permissions.OUTBOX_VIEW, 70)],
    header_counters={"unread_count": _unread},
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    jobs=[OUTBOX],
)
