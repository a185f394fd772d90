"""The IT contact's people: the list, one person's orders and access register, an organisation's orders."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
