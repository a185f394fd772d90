"""The checks that need the whole file: "as for" references resolved, prerequisites and task orders free of cycles,
every question a task tests asked by its event. Also the rule-level dependencies the checklist expands.

An event's task graph is checked with every condition taken as true: conditions only ever remove tasks and their
edges, so a plan without a cycle here has none for any answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from app.kit.i18n import _
from app.provisioning.orders.catalogue.definitions import Event, Place, Prerequisite, TaskRule
from app.provisioning.orders.catalogue.event_extras import NOT_ASKED
from app.provisioning.orders.catalogue.problems import CatalogueProblem

PREREQUISITE_PREFIX = "prerequisite:"
CYCLE_AS_FOR = _("Handling as for another event goes round in a cycle: {cycle}.")
AS_FOR_NOT_ONE = _("As for {event} needs exactly one task for {system} in that event; it has {count}.")
TASK_CYCLE = _("The tasks of this event wait on each other in a cycle: {cycle}.")


def problem(place: Place | None, suffix: str, message: str, **params: str | int) -> CatalogueProblem:
    where = place or Place("?", 1, "")
    return CatalogueProblem(where.file, where.line, where.field + suffix, message, params)


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of ``graph`` (node -> nodes it waits for) as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for after in graph.get(node, ()):
            if state.get(after) == 1:
                return [*path[path.index(after):], after]
            if after not in state and (found := visit(after)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in graph:
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def prerequisite_cycle(prerequisites: Mapping[str, Prerequisite]) -> list[CatalogueProblem]:
    cycle = find_cycle({key: prerequisite.requires for key, prerequisite in prerequisites.items()})
    if cycle is None:
        return []
    return [problem(prerequisites[cycle[0]].place, ".requires",
                    _("The prerequisites require each other in a cycle: {cycle}."), cycle=" → ".join(cycle))]


def needed_prerequisites(keys: Iterable[str], prerequisites: Mapping[str, Prerequisite]) -> list[str]:
    """``keys`` and everything they require in turn, each once, in the order first met."""
    found: list[str] = []
    pending = list(keys)
    while pending:
        key = pending.pop(0)
        if key not in found:
            found.append(key)
            pending += prerequisites[key].requires
    return found


def resolve_as_for(events: Mapping[str, Event]) -> tuple[dict[str, Event], list[CatalogueProblem]]:
    """Every "as for" task filled in from the task of the same system in the event it names."""
    problems: list[CatalogueProblem] = []

    def resolve(event: Event, task: TaskRule, trail: tuple[str, ...]) -> TaskRule | None:
        if task.as_for is None:
            return task
        if task.as_for in trail:
            problems.append(problem(task.place, ".as_for", CYCLE_AS_FOR, cycle=" → ".join((*trail, task.as_for))))
            return None
        matches = [other for other in events[task.as_for].tasks if other.system == task.system]
        if len(matches) != 1:
            problems.append(problem(task.place, ".as_for", AS_FOR_NOT_ONE, event=task.as_for,
                                    system=task.system or "-", count=len(matches)))
            return None
        source = resolve(events[task.as_for], matches[0], (*trail, task.as_for))
        if source is None:
            return None
        return dataclasses.replace(
            task, action=source.action, who=task.who or source.who, via=task.via or source.via,
            links=task.links or source.links, when=(*task.when, *source.when), for_each=task.for_each or
            source.for_each, requires=tuple(dict.fromkeys((*task.requires, *source.requires))),
            handling_quote=source.quote)

    resolved = {}
    for key, event in events.items():
        tasks = [resolve(event, task, (key,)) for task in event.tasks]
        resolved[key] = dataclasses.replace(event, tasks=tuple(task for task in tasks if task is not None))
    return resolved, problems


def rule_dependencies(event: Event) -> dict[str, list[str]]:
    """Which task rules each rule waits for: its own ``after`` and every ordering constraint that selects it."""
    waits = {task.key: list(task.after) for task in event.tasks}
    for ordering in event.ordering:
        first = [task.key for task in event.tasks if ordering.first.selects(task)]
        for task in event.tasks:
            if ordering.then.selects(task):
                waits[task.key] += [key for key in first if key != task.key and key not in waits[task.key]]
    return waits


def event_problems(event: Event, prerequisites: Mapping[str, Prerequisite]) -> list[CatalogueProblem]:
    """Ordering constraints that select nothing, questions tested but not asked, and cycles among the tasks."""
    problems = []
    for ordering in event.ordering:
        for name, selector in (("first", ordering.first), ("then", ordering.then)):
            if not any(selector.selects(task) for task in event.tasks):
                problems.append(problem(ordering.place, f".{name}", _("This matches no task of the event.")))
    for task in event.tasks:
        problems += _unasked(event, task, prerequisites)
    graph: dict[str, list[str]] = {}
    for key, waits in rule_dependencies(event).items():
        task = next(task for task in event.tasks if task.key == key)
        graph[key] = [*waits, *(PREREQUISITE_PREFIX + name for name in task.requires)]
        for name in needed_prerequisites(task.requires, prerequisites):
            graph[PREREQUISITE_PREFIX + name] = [PREREQUISITE_PREFIX + other for other in prerequisites[name].requires]
    cycle = find_cycle(graph)
    if cycle:
        problems.append(problem(event.place, ".tasks", TASK_CYCLE, cycle=" → ".join(cycle)))
    return problems


def _unasked(event: Event, task: TaskRule, prerequisites: Mapping[str, Prerequisite]) -> list[CatalogueProblem]:
    tested = [(".when", condition.question) for condition in task.when]
    tested += [(".for_each", task.for_each)] if task.for_each else []
    for name in needed_prerequisites(task.requires, prerequisites):
        tested += [(".requires", condition.question) for condition in prerequisites[name].when]
    return [problem(task.place, suffix, NOT_ASKED, value=question)
            for suffix, question in dict.fromkeys(tested) if question not in event.asks]
