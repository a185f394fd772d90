"""Reading the events of a catalogue: each event's tasks, ordering constraints, lead times, parties and checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import yaml

from app.kit.i18n import _
from app.provisioning.orders.catalogue.declarations import (
    UNKNOWN_PREREQUISITE,
    UNKNOWN_QUESTION,
    UNKNOWN_ROLE,
    UNKNOWN_SYSTEM,
    UNKNOWN_TASK,
    Known,
    keyed,
    read_channel,
    read_conditions,
    read_links,
    references,
)
from app.provisioning.orders.catalogue.definitions import (
    SCOPES,
    Event,
    Ordering,
    Party,
    Scope,
    Selector,
    TaskRule,
)
from app.provisioning.orders.catalogue.event_extras import read_check, read_lead_time
from app.provisioning.orders.catalogue.nodes import Reader
from app.provisioning.orders.catalogue.problems import CatalogueProblem

EVENT_FIELDS = ("key", "name", "scope", "asks", "tasks")
EVENT_OPTIONAL = ("ordering", "lead_times", "parties", "placed_by", "checks", "quote", "note")
TASK_OPTIONAL = ("key", "system", "action", "as_for", "who", "party", "via", "links", "when", "for_each",
                 "requires", "after", "quote", "note")
NOT_A_LIST = _("One task per item needs a list question; {value} is not one.")
AS_FOR_AND_ACTION = _("A task handled as for another event takes that event's action: remove action or as_for.")
NOT_PLACED_BY = _("Every task of this event is placed by {placed_by}, not {value}.")


def read_event(reader: Reader, known: Known, node: yaml.Node, path: str) -> Event | None:
    fields = reader.fields(node, path, required=EVENT_FIELDS, optional=EVENT_OPTIONAL)
    if fields is None or not set(EVENT_FIELDS) <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    scope = reader.one_of(fields["scope"], f"{path}.scope", SCOPES)
    asks = references(reader, fields["asks"], f"{path}.asks", known.declared["questions"], UNKNOWN_QUESTION)
    placed_by = (reader.reference(fields["placed_by"], f"{path}.placed_by", known.declared["roles"], UNKNOWN_ROLE)
                 if "placed_by" in fields else None)
    parties = tuple(keyed(reader, fields["parties"], f"{path}.parties", lambda item, where: _party(reader, item, where),
                          lambda party: party.key).values()) if "parties" in fields else ()
    context = _EventContext(asks, placed_by, tuple(party.key for party in parties))
    tasks = _tasks(reader, known, context, fields["tasks"], f"{path}.tasks")
    ordering = tuple(_ordering(reader, known, tasks, item, where)
                     for where, item in reader.items(fields["ordering"], f"{path}.ordering")
                     ) if "ordering" in fields else ()
    lead_times = tuple(read_lead_time(reader, known, asks, item, where)
                       for where, item in reader.items(fields["lead_times"], f"{path}.lead_times")
                       ) if "lead_times" in fields else ()
    checks = tuple(keyed(reader, fields["checks"], f"{path}.checks", lambda item, where: read_check(
        reader, known, asks, list(tasks), item, where), lambda check: check.key).values()) if "checks" in fields else ()
    quote = reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None
    note = reader.text(fields["note"], f"{path}.note") if "note" in fields else None
    if not (key and name and scope) or None in ordering or None in lead_times:
        return None
    return Event(key, name, cast(Scope, scope), asks, tuple(tasks.values()),
                 tuple(item for item in ordering if item is not None),
                 tuple(item for item in lead_times if item is not None), parties, placed_by, checks, quote, note,
                 reader.place(node, path))


@dataclass(frozen=True)
class _EventContext:
    """What the tasks of an event are read against."""

    asks: tuple[str, ...]
    placed_by: str | None
    parties: tuple[str, ...]


def _party(reader: Reader, node: yaml.Node, path: str) -> Party | None:
    fields = reader.fields(node, path, required=("key", "name"))
    if fields is None or not {"key", "name"} <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    return Party(key, name) if key and name else None


def _tasks(reader: Reader, known: Known, context: _EventContext, node: yaml.Node, path: str) -> dict[str, TaskRule]:
    tasks = keyed(reader, node, path, lambda item, where: _task(reader, known, context, item, where),
                  lambda task: task.key)
    for task in tasks.values():  # "after" may name a task written further down
        for later in task.after:
            if later not in tasks and task.place:
                reader.problems.append(CatalogueProblem(task.place.file, task.place.line, f"{task.place.field}.after",
                                                        UNKNOWN_TASK, {"value": later, "known": ", ".join(tasks)}))
    return tasks


def _task(reader: Reader, known: Known, context: _EventContext, node: yaml.Node, path: str) -> TaskRule | None:
    fields = reader.fields(node, path, optional=TASK_OPTIONAL)
    if fields is None:
        return None
    system = (reader.reference(fields["system"], f"{path}.system", known.declared["systems"],
                               UNKNOWN_SYSTEM) if "system" in fields else None)
    key = reader.key(fields["key"], f"{path}.key") if "key" in fields else system
    if "key" not in fields and "system" not in fields:
        reader.report(node, f"{path}.key", _("A task without a system needs a key."))
    as_for = (reader.reference(fields["as_for"], f"{path}.as_for", known.declared["events"],
                               _("Unknown event {value}; known: {known}.")) if "as_for" in fields else None)
    action = _action(reader, known, node, fields, path)
    who = _who(reader, known, context, node, fields, path, system)
    # Everything is read even when the task is already known to be broken, so that one pass reports it all.
    task = TaskRule(
        key=key or "", system=system, action=action or "", who=who or "",
        party=_task_party(reader, context, node, fields, path),
        via=read_channel(reader, known, fields["via"], f"{path}.via") if "via" in fields else None,
        links=read_links(reader, fields["links"], f"{path}.links") if "links" in fields else (),
        when=read_conditions(reader, known, fields["when"], f"{path}.when") if "when" in fields else (),
        for_each=_for_each(reader, known, fields, path),
        requires=references(reader, fields.get("requires"), f"{path}.requires", known.declared["prerequisites"],
                            UNKNOWN_PREREQUISITE),
        after=tuple(value for value, _node in reader.keys(fields["after"], f"{path}.after")) if "after" in fields
        else (),
        as_for=as_for,
        quote=reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None,
        note=reader.text(fields["note"], f"{path}.note") if "note" in fields else None,
        place=reader.place(node, path))
    return task if key and (action or as_for) and who is not None else None


def _for_each(reader: Reader, known: Known, fields: dict[str, yaml.Node], path: str) -> str | None:
    if "for_each" not in fields:
        return None
    for_each = reader.reference(fields["for_each"], f"{path}.for_each", known.declared["questions"], UNKNOWN_QUESTION)
    question = known.questions.get(for_each or "")
    if for_each and question and question.type != "list":
        reader.report(fields["for_each"], f"{path}.for_each", NOT_A_LIST, value=for_each)
    return for_each


def _action(reader: Reader, known: Known, node: yaml.Node, fields: dict[str, yaml.Node], path: str) -> str | None:
    if "as_for" in fields:
        if "action" in fields:
            reader.report(fields["action"], f"{path}.action", AS_FOR_AND_ACTION)
        if "system" not in fields:
            reader.report(fields["as_for"], f"{path}.as_for", _("Handling as for another event needs a system."))
        return None
    if "action" not in fields:
        reader.report(node, f"{path}.action", _("The field {key} is missing."), key="action")
        return None
    return reader.reference(fields["action"], f"{path}.action", known.declared["actions"],
                            _("Unknown action {value}; known: {known}."))


def _who(reader: Reader, known: Known, context: _EventContext, node: yaml.Node, fields: dict[str, yaml.Node],
         path: str, system: str | None) -> str | None:
    """Who does the task: its own ``who``, else the event's ``placed_by``, else whoever orders the system."""
    if "as_for" in fields and "who" not in fields and not context.placed_by:
        return ""  # the task it repeats says who
    if "who" in fields:
        who = reader.reference(fields["who"], f"{path}.who", known.declared["roles"], UNKNOWN_ROLE)
        if who and context.placed_by and who != context.placed_by:
            reader.report(fields["who"], f"{path}.who", NOT_PLACED_BY, placed_by=context.placed_by, value=who)
            return None
        return who
    if context.placed_by:
        return context.placed_by
    if system in known.systems:
        return known.systems[system].ordered_by
    if system is None and "system" not in fields:
        reader.report(node, f"{path}.who", _("A task without a system says who does it."))
    return None


def _task_party(reader: Reader, context: _EventContext, node: yaml.Node, fields: dict[str, yaml.Node],
                path: str) -> str | None:
    if "party" in fields:
        if not context.parties:
            reader.report(fields["party"], f"{path}.party", _("This event has no parties."))
            return None
        return reader.reference(fields["party"], f"{path}.party", list(context.parties),
                                _("Unknown party {value}; known: {known}."))
    if context.parties:
        reader.report(node, f"{path}.party", _("Each task of an event with parties says whose task it is."))
    return None


def _selector(reader: Reader, known: Known, tasks: dict[str, TaskRule], node: yaml.Node, path: str) -> Selector:
    fields = reader.fields(node, path, optional=("systems", "actions", "tasks")) or {}
    if not fields and isinstance(node, yaml.MappingNode):
        reader.report(node, path, _("Name systems, actions or tasks to order."))
    systems = references(reader, fields.get("systems"), f"{path}.systems", known.declared["systems"],
                         UNKNOWN_SYSTEM)
    actions = references(reader, fields.get("actions"), f"{path}.actions", known.declared["actions"],
                         _("Unknown action {value}; known: {known}."))
    named = references(reader, fields.get("tasks"), f"{path}.tasks", list(tasks), UNKNOWN_TASK)
    return Selector(systems, actions, named)


def _ordering(reader: Reader, known: Known, tasks: dict[str, TaskRule], node: yaml.Node, path: str) -> Ordering | None:
    fields = reader.fields(node, path, required=("first", "then"), optional=("quote",))
    if fields is None or not {"first", "then"} <= fields.keys():
        return None
    first = _selector(reader, known, tasks, fields["first"], f"{path}.first")
    then = _selector(reader, known, tasks, fields["then"], f"{path}.then")
    quote = reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None
    return Ordering(first, then, quote, reader.place(node, path))
