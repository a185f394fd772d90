"""Placeholder: filled in by its issue."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
