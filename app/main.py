"""Assembly: ``create_app(settings)`` builds one self-contained app (its own engine, clock, services)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from accounts import plugin as accounts_plugin
from accounts.middleware import ActorMiddleware
from app import api_document, metrics_route
from app import health as health_routes
from app.beds import tokens as bed_tokens
from app.beds.alerts.plugin import PLUGIN as ALERTS
from app.beds.dispatch import tokens as dispatch_tokens
from app.beds.dispatch.plugin import PLUGIN as DISPATCH
from app.beds.plugin import PLUGIN as BEDS
from app.health import ProbesFirst
from app.history.plugin import PLUGIN as HISTORY
from app.jobs.scheduler import run_forever
from app.kit.clock import Clock, SystemClock
from app.kit.db import make_engine, make_session_factory
from app.kit.error_pages import on_domain_error, on_http_exception
from app.kit.errors import DomainError
from app.kit.input_guard import InputGuardMiddleware
from app.kit.logs import configure_logging
from app.kit.metrics import Metrics
from app.kit.plugins import Plugin, Registry
from app.kit.request_log import RequestLog
from app.kit.security import SecurityMiddleware
from app.kit.settings import Settings, load_settings
from app.kit.state import AppServices
from app.kit.templating import make_templates
from app.live_watch import send_heartbeats, watch_sessions
from app.notifications.plugin import PLUGIN as NOTIFICATIONS
from app.provisioning.core.plugin import PLUGIN as PROVISIONING
from app.provisioning.licenses import usage_tokens
from app.provisioning.licenses.plugin import PLUGIN as LICENSES
from app.provisioning.orders.plugin import PLUGIN as ORDERS
from app.provisioning.roles import login_tokens
from app.provisioning.roles.plugin import PLUGIN as ROLES
from realtime.hub import Hub

MAX_BODY_BYTES = 25 * 1024 * 1024
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def plugins() -> list[Plugin]:
    """Every domain of this app, in the order the router tries their routes. A new domain is one more line."""
    return [
        # The API-token scopes the domains bring: accounts keeps every token and its one page.
        accounts_plugin.plugin(token_scopes=(bed_tokens.SCOPE, usage_tokens.SCOPE, login_tokens.SCOPE,
                                             dispatch_tokens.SCOPE)),
        HISTORY,
        BEDS,
        ALERTS,  # after the beds: it carries its alerts on the board's socket
        DISPATCH,  # after the alerts: its notices ride their channel
        NOTIFICATIONS,
        PROVISIONING,
        LICENSES,
        ROLES,
        ORDERS,
    ]


def all_routes(registry: Registry) -> list[BaseRoute]:
    return [
        *registry.routes,
        *api_document.routes,
        *health_routes.routes,
        metrics_route.route,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def build_services(settings: Settings, clock: Clock) -> AppServices:
    engine = make_engine(settings.database_url)
    registry = Registry(plugins())
    app_services = AppServices(settings=settings, engine=engine,
                               session_factory=make_session_factory(engine, settings.zone), clock=clock,
                               hub=Hub(clock=clock.now), registry=registry)
    registry.install(app_services)
    return app_services


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    app_services = build_services(settings, clock or SystemClock())
    metrics = Metrics(app_services.hub, app_services.engine)
    metrics.watch_audit(app_services.session_factory)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await app_services.registry.start(app_services)
        duties = [asyncio.create_task(send_heartbeats(app_services, settings.heartbeat_seconds),
                                      name="heartbeats"),
                  asyncio.create_task(watch_sessions(app_services), name="session-watch")]
        if settings.run_jobs:
            context = app_services.job_context()
            jobs = [(job, job.body(context)) for job in app_services.registry.jobs]
            duties.append(asyncio.create_task(run_forever(app_services.session_factory, app_services.clock, jobs,
                                                          observe=metrics.observe_job), name="jobs"))
        try:
            yield
        finally:
            for duty in duties:
                duty.cancel()
            await asyncio.gather(*duties, return_exceptions=True)
            try:
                await app_services.registry.stop(app_services)
            finally:
                await app_services.engine.dispose()

    app = Starlette(
        debug=False,
        routes=all_routes(app_services.registry),
        middleware=[
            Middleware(RequestLog, metrics=metrics),
            Middleware(SecurityMiddleware, https=settings.uses_https),
            Middleware(ProbesFirst),  # /health and /ready: no session lookup, nothing written
            Middleware(ActorMiddleware),
            Middleware(InputGuardMiddleware),  # after the actor: its error page shows who is logged in
        ],
        exception_handlers={HTTPException: on_http_exception, DomainError: on_domain_error},
        lifespan=lifespan,
        # Nothing legitimate is larger (a nomenclature file is refused past 20 MB with its own message).
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.services = app_services
    app.state.metrics = metrics
    app.state.templates = make_templates(settings, app_services.registry)
    return app


def app_from_environment() -> Starlette:
    """The uvicorn factory used by ``bedboard serve`` (one call per worker process)."""
    settings = load_settings()
    configure_logging(settings.log_format)
    return create_app(settings)
