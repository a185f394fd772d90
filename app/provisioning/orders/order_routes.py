"""The IT contact's pages: the queue, placing an order, one order's checklist and its printable form."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
