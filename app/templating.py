"""Jinja templates and the one render function that gives every page its common context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from accounts import csrf, permissions
from app import navigation
from app.actors import Actor
from app.i18n import LANGUAGE_NAMES, negotiate, translate
from app.settings import Settings
from app.state import current_actor, request_id, services

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = (ROOT / "app" / "templates", ROOT / "accounts" / "templates", ROOT / "app" / "beds" / "templates",
                 ROOT / "app" / "history" / "templates")


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


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    actor = current_actor(request)
    language = language_of(request)
    page = {
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
    return templates.TemplateResponse(request, template, page, status_code=status_code)
