"""A request's route as its path template (``/admin/users/{user_id}``), never the raw path: the label of the
request log and metrics (bounded cardinality) and the key under which refusals are counted."""

from __future__ import annotations

from starlette.types import Scope

UNMATCHED = "(no route)"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED
