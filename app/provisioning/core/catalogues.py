"""Task plans are data (``app/provisioning/core/catalogues/*.json``), checked when loaded: a plan that names an
unknown role or action, or whose tasks wait on each other in a cycle, stops the app at start rather than
a request halfway through."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from app.provisioning.core.workflow import PlanError, TaskSpec, ordered_plan


class CatalogueError(ValueError):
    """A catalogue file that does not describe a runnable plan."""


def parse_plans(document: Mapping[str, Any], *, known_roles: frozenset[str],
                known_actions: frozenset[str], source: str) -> dict[str, list[TaskSpec]]:
    plans: dict[str, list[TaskSpec]] = {}
    raw_plans = document.get("plans")
    if not isinstance(raw_plans, dict):
        raise CatalogueError(f"{source}: 'plans' must be an object of request kind -> list of tasks")
    for kind, raw_tasks in raw_plans.items():
        if not isinstance(raw_tasks, list):
            raise CatalogueError(f"{source}: plan {kind!r} must be a list of tasks")
        specs = [_task(item, source=source, kind=kind) for item in raw_tasks]
        for spec in specs:
            if spec.assignee_role not in known_roles:
                raise CatalogueError(f"{source}: plan {kind!r} task {spec.key!r}: unknown role {spec.assignee_role!r}")
            if spec.action not in known_actions:
                raise CatalogueError(f"{source}: plan {kind!r} task {spec.key!r}: unknown action {spec.action!r}")
        try:
            plans[kind] = ordered_plan(specs)
        except PlanError as error:
            raise CatalogueError(f"{source}: plan {kind!r}: {error}") from error
    return plans


def _task(item: object, *, source: str, kind: str) -> TaskSpec:
    if not isinstance(item, dict):
        raise CatalogueError(f"{source}: plan {kind!r}: each task is an object")
    fields = ("key", "target_system", "action", "assignee_role")
    missing = [name for name in fields if not isinstance(item.get(name), str) or not item[name]]
    if missing:
        raise CatalogueError(f"{source}: plan {kind!r}: a task lacks {', '.join(missing)}")
    depends_on = item.get("depends_on", [])
    if not isinstance(depends_on, list) or not all(isinstance(key, str) for key in depends_on):
        raise CatalogueError(f"{source}: plan {kind!r} task {item['key']!r}: depends_on is a list of task keys")
    return TaskSpec(item["key"], item["target_system"], item["action"], item["assignee_role"], tuple(depends_on))


@cache
def load_document(name: str) -> dict[str, Any]:
    text = resources.files("app.provisioning.core").joinpath(f"catalogues/{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
