"""Jinja templates and the one render function that gives every page its common context.

The template folders, the navigation bar, the header's counters and any extra context (the CSRF token) come from
the registered plugins (``app/kit/plugins.py``): the page frame is the kit's, what fills it is the domains'."""

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

from app.kit.actors import Actor
from app.kit.i18n import LANGUAGE_NAMES, Plural, format_moment, format_number, negotiate, translate
from app.kit.plugins import Registry
from app.kit.settings import Settings
from app.kit.state import current_actor, reader_zone, request_id, services

# The page frame (base.html, error pages); each plugin adds its own folders after it.
FRAME_DIR = Path(__file__).resolve().parents[1] / "templates"
LOG = logging.getLogger("bedboard.pages")


def make_templates(settings: Settings, registry: Registry) -> Jinja2Templates:
    folders = [FRAME_DIR, *registry.template_dirs]
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(path)) for path in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    zone = ZoneInfo(settings.timezone)
    # The page's language (``lang``) and the reader's zone (``reader_zone``) are in its context: a moment and a number
    # read as that language writes them, in the zone of the reader's organisation.
    environment.filters["local_time"] = jinja2.pass_context(
        lambda context, moment: _local_time(moment, context.get("reader_zone", zone), context.get("lang", "en")))
    environment.filters["number"] = jinja2.pass_context(
        lambda context, number: format_number(number, context.get("lang", "en")))
    environment.globals["language_names"] = LANGUAGE_NAMES
    environment.globals.update(registry.template_globals)
    return Jinja2Templates(env=environment)


def _local_time(moment: datetime | None, zone: ZoneInfo, language: str) -> str:
    return "" if moment is None else format_moment(moment, zone, language)


def translator(language: str, zone: ZoneInfo) -> Callable[..., str]:
    """The template's ``_``: translates, and shows moments in the organisation's time zone."""

    def translate_here(message_id: str, **params: object) -> str:
        shown = {key: _local_time(value, zone, language) if isinstance(value, datetime) else value
                 for key, value in params.items()}
        return translate(language, message_id, **shown)

    return translate_here


def plural_translator(language: str, zone: ZoneInfo) -> Callable[..., str]:
    """The template's ``_n(singular, plural, n, **params)``: the form ``n`` takes in the reader's language, with
    ``{count}`` filled with ``n`` written the way that language writes numbers."""
    translate_here = translator(language, zone)

    def translate_plural(singular: str, plural: str, n: int, **params: object) -> str:
        return translate_here(Plural(singular, plural, n), **params)

    return translate_plural


PASSWORD_REMINDER_AGE = timedelta(days=180)  # the seed: change it at most every 6 months


def password_is_old(actor: Actor, now: datetime) -> bool:
    changed = actor.password_changed_at
    return actor.is_authenticated and changed is not None and now - changed > PASSWORD_REMINDER_AGE


def language_of(request: Request) -> str:
    actor = current_actor(request)
    if actor.language:
        return actor.language
    return negotiate(request.headers.get("accept-language"), services(request).settings.default_language)


Counter = Callable[[], Awaitable[int | None]]


class PageResponse(HTMLResponse):
    """A page rendered just before it is sent, once the header's counters (e.g. unread notifications) are read.

    ``render`` stays synchronous for every route; the counts need the database, so they are awaited here.
    """

    def __init__(self, template: jinja2.Template, context: dict[str, Any], status_code: int,
                 counters: Mapping[str, Counter]) -> None:
        self.template, self.context, self._counters = template, context, counters
        super().__init__(b"", status_code=status_code)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, count in self._counters.items():
            self.context[name] = await count()
        self.body = self.render(self.template.render(self.context))
        self.raw_headers = [(name, value) for name, value in self.raw_headers if name != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        await super().__call__(scope, receive, send)


def _header_counters(request: Request, actor: Actor, *, shown: bool) -> dict[str, Counter]:
    app_services = services(request)

    def counter(name: str) -> Counter:
        async def count() -> int | None:
            if not shown or not actor.is_authenticated or actor.must_change_password:
                return None
            try:
                return await app_services.registry.header_counters[name](app_services, actor)
            except (SQLAlchemyError, OSError) as error:  # the page matters more than its header's count
                LOG.warning("header count %s of user %s failed: %r", name, actor.user_id, error)
                return None

        return count

    return {name: counter(name) for name in app_services.registry.header_counters}


def _plugin_context(request: Request) -> dict[str, Any]:
    return {key: value for provider in services(request).registry.page_context
            for key, value in provider(request).items()}


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    actor = current_actor(request)
    language = language_of(request)
    page = {
        "request": request,
        "actor": actor,
        "lang": language,
        "reader_zone": reader_zone(request),
        "_": translator(language, reader_zone(request)),
        "_n": plural_translator(language, reader_zone(request)),
        "nav": services(request).registry.visible_navigation(actor),
        "request_id": request_id(request),
        "current_path": request.url.path,
        "password_reminder": password_is_old(actor, services(request).clock.now()),
        **_plugin_context(request),
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    # Not on a wall screen (it has no header), nor on an error page of the server's own failure (500, 503
    # when the database is down): asking the database again would fail or wait as the request did.
    shown = not page.get("wall") and status_code < 500
    return PageResponse(templates.get_template(template), page, status_code,
                        _header_counters(request, actor, shown=shown))
