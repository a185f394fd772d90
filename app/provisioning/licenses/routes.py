"""The licence module's pages, in the order the router must try them ("new" before a request's id)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.provisioning.licenses import detail_routes, handler_routes, licence_routes, request_routes

routes: list[BaseRoute] = [
    *request_routes.routes,
    *handler_routes.routes,
    *detail_routes.routes,
    *licence_routes.routes,
]
