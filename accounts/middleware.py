"""Resolves who is asking, once per request or websocket handshake, before any route runs."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts import bearer, csrf, sessions, zones
from accounts.cookies import presession_cookie_name, set_cookie_header, without_overridden
from accounts.service import AccountsContext
from app.kit.actors import Actor
from app.kit.coalesce import Coalescer
from app.kit.state import READER_ZONE, client_address, services


class ActorMiddleware:
    """Puts the actor (or none) and the CSRF binding in the scope; static files skip the database."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._handshakes: Coalescer[tuple[Actor | None, ZoneInfo | None]] = Coalescer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if bearer.presents_token(connection):  # an API program: its token decides, cookies are ignored
            refusal = await bearer.authenticate(connection)
            if refusal is not None:
                await refusal(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        app_services = services(connection)
        settings = app_services.settings
        extra_headers: list[tuple[bytes, bytes]] = []
        token = connection.cookies.get(settings.session_cookie_name)
        actor = None
        if token:

            async def lookup() -> tuple[Actor | None, ZoneInfo | None]:
                async with app_services.unit_of_work() as uow:
                    found = await sessions.resolve(uow.session, token=token, now=app_services.clock.now(),
                                                   policy=app_services.get(AccountsContext).sessions,
                                                   client_address=client_address(connection))
                    # Every time a page shows is in the reader's organisation's zone. The organisation is in the
                    # session already: one with a zone of its own costs no query, one inheriting a query a level.
                    return found, None if found is None else await zones.organisation_zone(
                        uow.session, found.organisation_id, settings.zone)

            if scope["type"] == "websocket":
                # Boards reconnecting at once (a restart) present the same few cookies: the handshakes of one
                # session share one lookup begun after each arrived (app/kit/coalesce.py), so a session ended
                # before a handshake is refused as before. Each keeps its own address.
                actor, zone = await self._handshakes.run(token, lookup)
                actor = actor and replace(actor, client_address=client_address(connection))
            else:
                actor, zone = await lookup()
            if zone is not None:
                scope[READER_ZONE] = zone
        if actor is not None and token:
            scope["bedboard.actor"] = actor
            scope["bedboard.csrf_binding"] = f"session:{token}"
        else:
            if token:  # a stale session cookie: forget it so the browser stops sending it
                extra_headers.append(set_cookie_header(settings, settings.session_cookie_name, "", clear=True))
            binding = connection.cookies.get(presession_cookie_name(settings), "")
            if len(binding) < 20:
                binding = csrf.new_binding()
                extra_headers.append(set_cookie_header(settings, presession_cookie_name(settings), binding))
            scope["bedboard.csrf_binding"] = f"anonymous:{binding}"

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and extra_headers:
                headers = list(message.get("headers", []))
                message["headers"] = [*headers, *without_overridden(extra_headers, headers)]
            await send(message)

        await self.app(scope, receive, send_with_cookies)
