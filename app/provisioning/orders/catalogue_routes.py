"""The IT-order administrator's pages: catalogues, their versions and uploading a new version with a preview."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
