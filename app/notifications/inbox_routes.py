"""The reader's own notifications: the list (newest first, unread marked), open one, mark all read.

Every signed-in role may use these pages (``ACCOUNT_MANAGE_OWN``, which every role holds): a notification
is the reader's own, like their account, and a role that gets none today (a coordinator) may get some
tomorrow. Nobody ever sees or marks another user's notifications: each query is bound to the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires, safe_next
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.kit.forms import positive_id
from app.kit.i18n import _, translate
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render
from app.notifications import notify as notifications
from app.notifications.models import Notification

LIST_PATH = "/notifications"
NO_SUCH_NOTIFICATION = _("There is no such notification.")


def followable(link: str | None) -> str | None:
    """The link when it is a path on this site; never an absolute or protocol-relative URL."""
    # A browser drops tabs and line breaks from a URL: "/\t/evil.example" would become "//evil.example".
    if not link or any(character <= " " or character == "\x7f" for character in link):
        return None
    return link if safe_next(link) == link else None


@dataclass(frozen=True)
class ShownNotification:
    id: int
    text: str
    link: str | None  # only a followable one
    created_at: datetime
    read: bool


def _text(language: str, zone: ZoneInfo, item: notifications.NotificationView) -> str:
    """In the reader's language and their organisation's zone (``reader_zone``), plurals and phrases translated."""
    try:
        return notifications.notice_text(language, zone, item.message, item.params)
    except (KeyError, IndexError, ValueError):
        # Kept notifications outlive the code: a message whose placeholders changed since still shows.
        return translate(language, item.message)


async def mark_read(session: AsyncSession, *, actor: Actor, notification_id: int | None = None) -> int:
    """Marks the reader's notification (or all of them) read; one audit event when anything changed."""
    assert actor.user_id is not None  # the routes require a signed-in user
    marked = await notifications.mark_read(session, user_id=actor.user_id, notification_id=notification_id)
    if marked:
        await audit.record(session, actor=actor, action="notifications.read", object_type="user",
                           object_id=actor.user_id, after={"marked": marked, "notification_id": notification_id})
    return marked


async def _own_link(session: AsyncSession, *, actor: Actor, notification_id: int) -> str | None:
    """The link of the reader's notification; another user's is as absent as one that does not exist."""
    found = (await session.execute(select(Notification.link).where(
        Notification.id == notification_id, Notification.user_id == actor.user_id))).first()
    if found is None:
        raise NotFound(NO_SUCH_NOTIFICATION)
    link: str | None = found[0]
    return link


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def notifications_page(request: Request) -> Response:
    actor = current_actor(request)
    assert actor.user_id is not None
    async with services(request).unit_of_work() as uow:
        listed = await notifications.recent(uow.session, actor.user_id)
    language, zone = language_of(request), reader_zone(request)
    return render(request, "notifications.html", {
        "notifications": [ShownNotification(item.id, _text(language, zone, item), followable(item.link),
                                             item.created_at, item.read) for item in listed],
        "unread": sum(not item.read for item in listed), "limit": notifications.LIST_LIMIT,
    })


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def open_notification(request: Request) -> Response:
    notification_id = positive_id(request.path_params["notification_id"])
    if notification_id is None:
        raise NotFound(NO_SUCH_NOTIFICATION)
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        link = await _own_link(uow.session, actor=actor, notification_id=notification_id)
        await mark_read(uow.session, actor=actor, notification_id=notification_id)
    return RedirectResponse(followable(link) or LIST_PATH, status_code=303)


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def mark_all_read(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        await mark_read(uow.session, actor=current_actor(request))
    return RedirectResponse(LIST_PATH, status_code=303)


routes: list[BaseRoute] = [
    Route(LIST_PATH, notifications_page, methods=["GET"], name="notifications"),
    Route(f"{LIST_PATH}/read", mark_all_read, methods=["POST"], name="notifications_read"),
    Route(LIST_PATH + "/{notification_id}/open", open_notification, methods=["POST"], name="notification_open"),
]
