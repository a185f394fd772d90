"""Assembly: ``create_app(settings)`` builds one self-contained app (its own engine, clock, services)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from accounts import admin_routes, token_routes, tokens
from accounts import routes as account_routes
from accounts.middleware import ActorMiddleware
from accounts.service import accounts_context
from app import health as health_routes
from app.beds import api_routes, board_routes, operator_routes
from app.beds import tokens as bed_tokens
from app.beds.board_filter import BoardFilter
from app.beds.board_routes import authorise_board_socket
from app.beds.live_feed import BedFeed
from app.beds.nomenclature import routes as nomenclature_routes
from app.health import ProbesFirst
from app.history import routes as history_routes
from app.jobs.scheduler import run_forever
from app.kit.clock import Clock, SystemClock
from app.kit.db import make_engine, make_session_factory
from app.kit.error_pages import on_domain_error, on_http_exception
from app.kit.errors import DomainError
from app.kit.input_guard import InputGuardMiddleware
from app.kit.logs import configure_logging
from app.kit.metrics import Metrics, metrics_endpoint
from app.kit.request_log import RequestLog
from app.kit.security import SecurityMiddleware
from app.kit.settings import Settings, load_settings
from app.kit.state import AppServices
from app.kit.templating import make_templates
from app.live import LiveChannel
from app.live_watch import send_heartbeats, watch_sessions
from app.notifications import inbox_routes as notification_routes
from app.notifications import outbox_routes
from app.provisioning.licenses import report_routes, usage_api, usage_routes, usage_tokens
from app.provisioning.licenses import routes as license_routes
from app.provisioning.orders import api_routes as orders_api_routes
from app.provisioning.orders import order_routes as orders_order_routes
from app.provisioning.orders import people_routes as orders_people_routes
from app.provisioning.orders.catalogue import routes as orders_catalogue_routes
from app.provisioning.roles import api_routes as roles_api_routes
from app.provisioning.roles import change_routes as roles_change_routes
from app.provisioning.roles import employee_routes as roles_employee_routes
from app.provisioning.roles import request_routes as roles_request_routes
from app.provisioning.roles import staff_routes as roles_staff_routes
from app.provisioning.roles import staffing_routes as roles_staffing_routes
from app.provisioning.roles import ticket_routes as roles_ticket_routes
from app.provisioning.roles.catalogue import import_routes as roles_catalogue_import_routes
from app.provisioning.roles.catalogue import routes as roles_catalogue_routes
from app.scheduled_jobs import scheduled
from realtime.endpoint import BoardSocket
from realtime.hub import Hub

MAX_BODY_BYTES = 25 * 1024 * 1024
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# The API-token scopes the domains bring (accounts keeps every token and its one page).
TOKEN_SCOPES = (bed_tokens.SCOPE, usage_tokens.SCOPE)


def all_routes() -> list[BaseRoute]:
    for scope in TOKEN_SCOPES:
        tokens.register(scope)
    return [
        *account_routes.routes,
        *admin_routes.routes,
        *history_routes.routes,
        *operator_routes.routes,
        *board_routes.routes,
        *nomenclature_routes.routes,
        *(route for scope in TOKEN_SCOPES for route in token_routes.routes_for(scope)),
        *api_routes.routes,
        *usage_api.routes,
        *usage_routes.routes,
        *report_routes.routes,
        *license_routes.routes,
        *roles_api_routes.routes,
        *roles_staff_routes.routes,
        *roles_employee_routes.routes,
        *roles_ticket_routes.routes,
        *roles_request_routes.routes,
        *roles_catalogue_routes.routes,
        *roles_catalogue_import_routes.routes,
        *roles_staffing_routes.routes,
        *roles_change_routes.routes,
        *orders_api_routes.routes,
        *orders_order_routes.routes,
        *orders_people_routes.routes,
        *orders_catalogue_routes.routes,
        *notification_routes.routes,
        *outbox_routes.routes,
        *health_routes.routes,
        Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def build_services(settings: Settings, clock: Clock) -> AppServices:
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    hub = Hub(clock=clock.now)
    feed = BedFeed(session_factory, clock)
    return AppServices(
        settings=settings, engine=engine, session_factory=session_factory, clock=clock,
        accounts=accounts_context(settings), hub=hub, live=LiveChannel(hub, settings.database_url), feed=feed,
        board_socket=BoardSocket(hub, feed, authorise_board_socket, clock.now, parse_filters=BoardFilter.parse),
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    app_services = build_services(settings, clock or SystemClock())
    metrics = Metrics(app_services.hub, app_services.engine)
    metrics.watch_audit(app_services.session_factory)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await app_services.feed.load_epoch()
        await app_services.live.start()
        duties = [asyncio.create_task(send_heartbeats(app_services, settings.heartbeat_seconds),
                                      name="heartbeats"),
                  asyncio.create_task(watch_sessions(app_services), name="session-watch")]
        if settings.run_jobs:
            jobs = scheduled(settings, app_services.session_factory, app_services.clock)
            duties.append(asyncio.create_task(run_forever(app_services.session_factory, app_services.clock, jobs,
                                                          observe=metrics.observe_job), name="jobs"))
        try:
            yield
        finally:
            for duty in duties:
                duty.cancel()
            await asyncio.gather(*duties, return_exceptions=True)
            await app_services.live.stop()
            app_services.accounts.hasher.close()
            await app_services.engine.dispose()

    app = Starlette(
        debug=False,
        routes=all_routes(),
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
    app.state.templates = make_templates(settings)
    return app


def app_from_environment() -> Starlette:
    """The uvicorn factory used by ``bedboard serve`` (one call per worker process)."""
    settings = load_settings()
    configure_logging(settings.log_format)
    return create_app(settings)
