"""What a new version of a catalogue changes, for the preview an administrator sees before the upload is stored.

A routine document is revised a few lines at a time; the administrator needs to see which systems, questions,
events and tasks that touches, not a text diff of the YAML. So the loaded catalogues are compared value by value,
keyed as the catalogue keys them. Where a thing was written (``place``) is not compared: an added comment moves every
line below it without changing what the catalogue means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import TYPE_CHECKING, Literal, TypeVar

from app.provisioning.orders.catalogue.definitions import Catalogue, Event, TaskRule

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Item = TypeVar("Item", bound="DataclassInstance")

CATALOGUE_FIELDS = ("name", "source", "country")


@dataclass(frozen=True)
class CatalogueChange:
    """One thing added, removed or changed; ``fields`` names what differs in a changed one, in declaration order."""

    kind: Literal["added", "removed", "changed"]
    area: str
    key: str
    label: str
    fields: tuple[str, ...] = ()


def compare_catalogues(old: Catalogue, new: Catalogue) -> list[CatalogueChange]:
    """The changes from ``old`` to ``new``: the catalogue's own fields, then section by section as the file has them.

    Within a section the keys keep the new catalogue's order, and those removed follow in the old one's order.
    """
    changes = _catalogue_changes(old, new)
    changes += _section("role", old.roles, new.roles, lambda role: role.name)
    changes += _section("contact", old.contacts, new.contacts, lambda contact: contact.name)
    changes += _section("question", old.questions, new.questions, lambda question: question.label)
    changes += _section("action", old.actions, new.actions, lambda action: action.name)
    changes += _section("system", old.systems, new.systems, lambda system: system.name)
    changes += _section("prerequisite", old.prerequisites, new.prerequisites, lambda prerequisite: prerequisite.name)
    for key, old_event, new_event in _pairs(old.events, new.events):
        changes += _event_changes(key, old, old_event, new, new_event)
    return changes


def _catalogue_changes(old: Catalogue, new: Catalogue) -> list[CatalogueChange]:
    # Only what a reader sees: ``key`` names which catalogue is being replaced, ``file`` is the upload's file name.
    differing = tuple(name for name in CATALOGUE_FIELDS if getattr(old, name) != getattr(new, name))
    return [CatalogueChange("changed", "catalogue", new.key, new.name, differing)] if differing else []


def _section(area: str, old: Mapping[str, Item], new: Mapping[str, Item],
             label: Callable[[Item], str]) -> list[CatalogueChange]:
    return [change for key, old_item, new_item in _pairs(old, new)
            if (change := _change(area, key, old_item, new_item, label)) is not None]


def _event_changes(key: str, old: Catalogue, old_event: Event | None, new: Catalogue,
                   new_event: Event | None) -> list[CatalogueChange]:
    """The event itself, then its tasks; an added or removed event is one change, not one per task."""
    event_change = _change("event", key, old_event, new_event, lambda event: event.name, skip=("key", "tasks"))
    changes = [event_change] if event_change is not None else []
    if old_event is None or new_event is None:
        return changes
    old_tasks = {task.key: task for task in old_event.tasks}
    new_tasks = {task.key: task for task in new_event.tasks}
    for task_key, old_task, new_task in _pairs(old_tasks, new_tasks):
        label = partial(_task_label, new if new_task is not None else old)
        task_change = _change("task", f"{key}/{task_key}", old_task, new_task, label)
        if task_change is not None:
            changes.append(task_change)
    return changes


def _task_label(catalogue: Catalogue, task: TaskRule) -> str:
    """The task as a checklist shows it, "WebSesam: Avbeställ"; an organisation-wide step by its action alone."""
    action = catalogue.actions[task.action].name if task.action in catalogue.actions else task.action
    if task.system is None:
        return action
    return f"{catalogue.systems[task.system].name}: {action}"


def _pairs(old: Mapping[str, Item], new: Mapping[str, Item]) -> Iterator[tuple[str, Item | None, Item | None]]:
    for key, new_item in new.items():
        yield key, old.get(key), new_item
    for key, old_item in old.items():
        if key not in new:
            yield key, old_item, None


def _change(area: str, key: str, old: Item | None, new: Item | None, label: Callable[[Item], str],
            skip: tuple[str, ...] = ("key",)) -> CatalogueChange | None:
    if new is None:
        return CatalogueChange("removed", area, key, label(old)) if old is not None else None
    if old is None:
        return CatalogueChange("added", area, key, label(new))
    differing = _differing(old, new, skip)
    return CatalogueChange("changed", area, key, label(new), differing) if differing else None


def _differing(old: Item, new: Item, skip: tuple[str, ...]) -> tuple[str, ...]:
    # ``compare=False`` marks the fields that say where, not what (``place``); nested values compare the same way.
    return tuple(field.name for field in fields(old)
                 if field.compare and field.name not in skip and getattr(old, field.name) != getattr(new, field.name))
