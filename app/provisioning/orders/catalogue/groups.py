"""A catalogue's fulfilling groups (issue 23 item 4): who does each task, read from the optional ``groups`` list.

Seeds 002 and 004 name who fulfils what: the region's IT behind Ritz and the service portal, KLK IT's system
administrators behind the municipality's IT support, and the clinic or care provider itself. A group names the roles,
systems and tasks it fulfils; a task takes the group naming its key, else its system, else its role, so that a
catalogue says it once per role and only the exceptions per task. When a catalogue declares groups, every task and
prerequisite must land in exactly one (a task nobody fulfils would sit in no queue); a catalogue without groups keeps
every task with the ordering organisation, as before.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from app.kit.i18n import _
from app.provisioning.orders.catalogue.declarations import UNKNOWN_ROLE, UNKNOWN_SYSTEM, Known, keyed
from app.provisioning.orders.catalogue.definitions import (
    GROUP_KEEPERS,
    Catalogue,
    Event,
    Group,
    GroupKeeper,
    Place,
)
from app.provisioning.orders.catalogue.nodes import Reader
from app.provisioning.orders.catalogue.problems import CatalogueProblem

GROUP_FIELDS = ("key", "name", "kept_by")
GROUP_OPTIONAL = ("roles", "systems", "tasks")
NAMED_TWICE = _("{value} is named by two groups: {first} and {second}.")
NO_GROUP = _("No group fulfils this task: name its role, system or key in one of the groups.")


def read_groups(reader: Reader, known: Known, node: yaml.Node, task_keys: list[str]) -> dict[str, Group]:
    groups = keyed(reader, node, "groups", lambda item, where: _group(reader, known, item, where, task_keys),
                   lambda group: group.key)
    for field in ("roles", "systems", "tasks"):
        owner: dict[str, str] = {}
        for group in groups.values():
            for value in getattr(group, field):
                if value in owner:
                    reader.report(node, f"groups.{field}", NAMED_TWICE, value=value, first=owner[value],
                                  second=group.key)
                owner.setdefault(value, group.key)
    return groups


def _group(reader: Reader, known: Known, node: yaml.Node, path: str, task_keys: list[str]) -> Group | None:
    fields = reader.fields(node, path, required=GROUP_FIELDS, optional=GROUP_OPTIONAL)
    if fields is None or not set(GROUP_FIELDS) <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    kept_by = reader.one_of(fields["kept_by"], f"{path}.kept_by", GROUP_KEEPERS)
    roles = _names(reader, fields.get("roles"), f"{path}.roles", known.declared["roles"], UNKNOWN_ROLE)
    systems = _names(reader, fields.get("systems"), f"{path}.systems", known.declared["systems"], UNKNOWN_SYSTEM)
    tasks = _names(reader, fields.get("tasks"), f"{path}.tasks", task_keys,
                   _("Unknown task {value}; known: {known}."))
    if not (key and name and kept_by):
        return None
    return Group(key, name, _keeper(kept_by), roles, systems, tasks)


def _keeper(value: str) -> GroupKeeper:
    return "catalogue" if value == "catalogue" else "orderer"


def _names(reader: Reader, node: yaml.Node | None, path: str, known: list[str], unknown: str) -> tuple[str, ...]:
    if node is None:
        return ()
    found = [reader.reference(item, where, known, unknown) for where, item in reader.items(node, path)]
    return tuple(value for value in found if value is not None)


def task_keys_of(events_node: yaml.Node | None) -> list[str]:
    """Every task key the events declare (a task without ``key`` is keyed by its system), read without complaint."""
    keys: list[str] = []
    if not isinstance(events_node, yaml.SequenceNode):
        return keys
    for event in events_node.value:
        tasks = _value(event, "tasks")
        for task in tasks.value if isinstance(tasks, yaml.SequenceNode) else []:
            named = _value(task, "key") or _value(task, "system")
            if isinstance(named, yaml.ScalarNode):
                keys.append(str(named.value))
    return list(dict.fromkeys(keys))


def _value(node: yaml.Node, field: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key, value in node.value if isinstance(key, yaml.ScalarNode) and key.value == field), None)


def group_for(groups: Mapping[str, Group], *, task_key: str, system: str | None, who: str) -> Group | None:
    """The group fulfilling a task: the one naming its key, else its system, else its role; None without groups."""
    by_task = next((group for group in groups.values() if task_key in group.tasks), None)
    by_system = next((group for group in groups.values() if system is not None and system in group.systems), None)
    return by_task or by_system or next((group for group in groups.values() if who in group.roles), None)


def unfulfilled(catalogue: Catalogue) -> list[CatalogueProblem]:
    """Each task or prerequisite that no group fulfils, at its own line (only when the catalogue has groups)."""
    if not catalogue.groups:
        return []
    problems = []
    for event in catalogue.events.values():
        problems += _event_unfulfilled(catalogue, event)
    for prerequisite in catalogue.prerequisites.values():
        if group_for(catalogue.groups, task_key=prerequisite.key, system=None, who=prerequisite.who) is None:
            problems.append(_problem(prerequisite.place, catalogue.file))
    return problems


def _event_unfulfilled(catalogue: Catalogue, event: Event) -> list[CatalogueProblem]:
    return [_problem(rule.place, catalogue.file) for rule in event.tasks
            if group_for(catalogue.groups, task_key=rule.key, system=rule.system, who=rule.who) is None]


def _problem(place: Place | None, file: str) -> CatalogueProblem:
    if place is None:
        return CatalogueProblem(file, 1, "groups", NO_GROUP)
    return CatalogueProblem(place.file, place.line, place.field, NO_GROUP)
