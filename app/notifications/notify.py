"""Telling people: an in-app notification for each, and the same text by e-mail through the outbox.

The text is a message id with parameters: the in-app copy is translated whenever it is read, the e-mail
copy once, in the recipient's language and their organisation's time zone, when it is queued. A message with a
plural (``_n``) keeps its plural and number beside its parameters, and a parameter that is itself a message (a kind
of request: ``Phrase``) is kept as its id, so that both are translated for each reader, never frozen in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User, UserRole
from accounts.zones import organisation_zone
from app.kit.db import session_now
from app.kit.i18n import Plural, _, format_moment, translate
from app.notifications import outbox
from app.notifications.models import Notification

# A moment (an aware datetime) is kept as ISO 8601 and written for each reader in their language and zone.
JsonParams = Mapping[str, str | int | datetime | None]
LIST_LIMIT = 100
MAIL_SUBJECT = _("bedboard: {summary}")
# Kept beside a notification's own parameters (a message's placeholders are words, never these).
PLURAL_KEY, NUMBER_KEY, PHRASES_KEY, MOMENTS_KEY = "_plural", "_n", "_phrases", "_moments"
RESERVED = frozenset({PLURAL_KEY, NUMBER_KEY, PHRASES_KEY, MOMENTS_KEY})


class Phrase(str):
    """A parameter that is a message id itself (a kind of request, a state): translated for each reader."""


def stored(message: str, params: JsonParams) -> tuple[str, dict[str, str | int | None]]:
    """The message id and the JSON parameters a notification keeps: a plural's English plural and number, which
    parameters are phrases and which are moments (kept as ISO 8601) go in with the rest."""
    kept: dict[str, str | int | None] = {
        name: value.isoformat() if isinstance(value, datetime) else value for name, value in params.items()}
    if isinstance(message, Plural):
        kept[PLURAL_KEY], kept[NUMBER_KEY] = message.plural, message.n
    for key, kind in ((PHRASES_KEY, Phrase), (MOMENTS_KEY, datetime)):
        names = sorted(name for name, value in params.items() if isinstance(value, kind))
        if names:
            kept[key] = ",".join(names)
    return str(message), kept


def _names(params: Mapping[str, object], key: str) -> set[str]:
    return set(str(params.get(key) or "").split(",")) - {""}


def notice_text(language: str, zone: ZoneInfo, message: str, params: Mapping[str, object]) -> str:
    """A kept notification in the reader's language: its plural chosen for its number, its phrases translated, its
    moments (datetimes) in the reader's zone. Raises KeyError, IndexError or ValueError when the message's
    placeholders no longer match what was kept (the caller shows the bare message then)."""
    phrases, moments = _names(params, PHRASES_KEY), _names(params, MOMENTS_KEY)
    shown: dict[str, object] = {}
    for name, value in params.items():
        if name in RESERVED:
            continue
        if name in moments and isinstance(value, str):
            shown[name] = format_moment(datetime.fromisoformat(value), zone, language)
        elif isinstance(value, datetime):
            shown[name] = format_moment(value, zone, language)
        elif name in phrases and isinstance(value, str):
            shown[name] = translate(language, value)
        else:
            shown[name] = value
    plural, number = params.get(PLURAL_KEY), params.get(NUMBER_KEY)
    if isinstance(plural, str) and isinstance(number, int):
        return translate(language, Plural(message, plural, number), **shown)
    return translate(language, message, **shown)


async def notify(session: AsyncSession, *, recipients: Iterable[User], message: str, params: JsonParams,
                 link: str | None = None) -> int:
    """One notification per active recipient (each once); returns how many were told.

    ``message`` may be a plural (``_n``); a parameter that is a message id is given as a ``Phrase``."""
    now = session_now(session)
    told = 0
    message, params = stored(message, params)
    installation_zone = ZoneInfo(str(session.info.get("timezone") or "UTC"))
    for user in {user.id: user for user in recipients if user.is_active and user.deleted_at is None}.values():
        session.add(Notification(user_id=user.id, message=message, params=dict(params), link=link, created_at=now))
        if user.email:
            language = user.language or "en"
            zone = await organisation_zone(session, user.organisation_id, installation_zone)
            text = notice_text(language, zone, message, params)
            base_url = str(session.info.get("base_url", ""))
            body = text if link is None else f"{text}\n\n{base_url}{link}"
            await outbox.enqueue(session, recipient=user.email, subject=translate(language, MAIL_SUBJECT,
                                                                                  summary=_summary(text)),
                                 body=body, recipient_user_id=user.id)
        told += 1
    await session.flush()
    return told


def _summary(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    return first_line if len(first_line) <= 90 else first_line[:87] + "..."


async def users_with_role(session: AsyncSession, role: str, organisation_ids: Iterable[int]) -> list[User]:
    """Active users holding a role in any of the given organisations."""
    statement = (select(User).join(UserRole, UserRole.user_id == User.id)
                 .where(UserRole.role_code == role, User.organisation_id.in_(list(organisation_ids)),
                        User.is_active.is_(True), User.deleted_at.is_(None)))
    return list((await session.execute(statement)).scalars())


async def organisation_ids_under(session: AsyncSession, root_id: int) -> list[int]:
    """The organisation and every descendant (breadth first; the tree is a few levels deep)."""
    found, frontier = [root_id], [root_id]
    while frontier:
        children = list((await session.execute(
            select(Organisation.id).where(Organisation.parent_id.in_(frontier)))).scalars())
        children = [child for child in children if child not in found]
        found.extend(children)
        frontier = children
    return found


@dataclass(frozen=True)
class NotificationView:
    id: int
    message: str
    params: dict[str, object]
    link: str | None
    created_at: datetime
    read: bool


async def unread_count(session: AsyncSession, user_id: int) -> int:
    statement = select(func.count()).select_from(Notification) \
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return int((await session.execute(statement)).scalar_one())


async def recent(session: AsyncSession, user_id: int) -> list[NotificationView]:
    statement = select(Notification).where(Notification.user_id == user_id) \
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(LIST_LIMIT)
    return [NotificationView(row.id, row.message, dict(row.params), row.link, row.created_at, row.read_at is not None)
            for row in (await session.execute(statement)).scalars()]


async def mark_read(session: AsyncSession, *, user_id: int, notification_id: int | None = None) -> int:
    """Marks one (or, without an id, every) notification of the user as read; never another user's."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    result = await session.execute(statement.values(read_at=session_now(session)))
    return int(result.rowcount)  # type: ignore[attr-defined]
