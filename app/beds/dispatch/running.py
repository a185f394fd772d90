"""What the dispatch keeps while an app runs: the hospital screens' socket."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from app.kit.state import AppServices, services
from realtime.endpoint import BoardSocket


@dataclass(frozen=True)
class DispatchServices:
    screen_socket: BoardSocket


def dispatch_services(connection: HTTPConnection | AppServices) -> DispatchServices:
    app_services = connection if isinstance(connection, AppServices) else services(connection)
    return app_services.get(DispatchServices)
