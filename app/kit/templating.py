"""Jinja templates and the one render function that gives every page its common context."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from accounts import csrf, permissions
from app.kit import navigation
from app.kit.actors import Actor
from app.kit.i18n import LANGUAGE_NAMES, negotiate, translate
from app.kit.settings import Settings
from app.kit.state import current_actor, request_id, services
from app.notifications.notify import unread_count

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = (ROOT / "app" / "templates", ROOT / "accounts" / "templates", ROOT / "app" / "beds" / "templates",
                 ROOT / "app" / "history" / "templates", ROOT / "app" / "provisioning" / "templates",
                 ROOT / "app" / "notifications" / "templates",
                 ROOT / "app" / "provisioning" / "licenses" / "templates",
                 ROOT / "app" / "provisioning" / "roles" / "templates",
                 ROOT / "app" / "provisioning" / "orders" / "templates")
LOG = logging.getLogger("bedboard.pages")


def make_templates(settings: Settings) -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(path)) for path in TEMPLATE_DIRS]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    zone = ZoneInfo(settings.timezone)
    environment.filters["local_time"] = lambda moment: _local_time(moment, zone)
    environment.globals["language_names"] = LANGUAGE_NAMES
    environment.globals["role_labels"] = permissions.ROLE_LABELS
    return Jinja2Templates(env=environment)


def _local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def translator(language: str, zone: ZoneInfo) -> Callable[..., str]:
    """The template's ``_``: translates, and shows moments in the organisation's time zone."""

    def translate_here(message_id: str, **params: object) -> str:
        shown = {key: _local_time(value, zone) if isinstance(value, datetime) else value
                 for key, value in params.items()}
        return translate(language, message_id, **shown)

    return translate_here


PASSWORD_REMINDER_AGE = timedelta(days=180)  # the seed: change it at most every 6 months


def password_is_old(actor: Actor, now: datetime) -> bool:
    changed = actor.password_changed_at
    return actor.is_authenticated and changed is not None and now - changed > PASSWORD_REMINDER_AGE


def language_of(request: Request) -> str:
    actor = current_actor(request)
    if actor.language:
        return actor.language
    return negotiate(request.headers.get("accept-language"), services(request).settings.default_language)


def csrf_token(request: Request) -> str:
    return csrf.token_for(services(request).settings.secret_key, request.scope.get("bedboard.csrf_binding", ""))


class PageResponse(HTMLResponse):
    """A page rendered just before it is sent, once the header's unread count has been read.

    ``render`` stays synchronous for every route; the count needs the database, so it is awaited here.
    """

    def __init__(self, template: jinja2.Template, context: dict[str, Any], status_code: int,
                 count_unread: Callable[[], Awaitable[int | None]]) -> None:
        self.template, self.context, self._count_unread = template, context, count_unread
        super().__init__(b"", status_code=status_code)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.context["unread_count"] = await self._count_unread()
        self.body = self.render(self.template.render(self.context))
        self.raw_headers = [(name, value) for name, value in self.raw_headers if name != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        await super().__call__(scope, receive, send)


def shows_notifications(actor: Actor) -> bool:
    return actor.is_authenticated and not actor.must_change_password and permissions.may(
        actor, permissions.ACCOUNT_MANAGE_OWN)


def _unread_counter(request: Request, actor: Actor, *, shown: bool) -> Callable[[], Awaitable[int | None]]:
    async def count() -> int | None:
        if actor.user_id is None or not shown or not shows_notifications(actor):
            return None
        try:
            async with services(request).session_factory() as session:
                return await unread_count(session, actor.user_id)
        except (SQLAlchemyError, OSError) as error:  # the page matters more than its header's count
            LOG.warning("unread count of user %s failed: %r", actor.user_id, error)
            return None

    return count


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    actor = current_actor(request)
    language = language_of(request)
    page = {
        "request": request,
        "actor": actor,
        "lang": language,
        "_": translator(language, services(request).settings.zone),
        "csrf_token": csrf_token(request),
        "nav": navigation.visible_to(actor),
        "request_id": request_id(request),
        "current_path": request.url.path,
        "password_reminder": password_is_old(actor, services(request).clock.now()),
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    # Not on a wall screen (it has no header), nor on an error page of the server's own failure (500, 503
    # when the database is down): asking the database again would fail or wait as the request did.
    shown = not page.get("wall") and status_code < 500
    return PageResponse(templates.get_template(template), page, status_code,
                        _unread_counter(request, actor, shown=shown))
