"""The IT orders as JSON under /api/v1/orders (docs/api.md, in the OpenAPI document)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
