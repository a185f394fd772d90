"""From a catalogue, an event and an order's answers to the checklist: every task in dependency order.

Each task rule of the event becomes one task (or one per item of its ``for_each`` list: a care-provider id per
clinic); a rule whose conditions fail, and a "no action" rule, stay in the list as not applicable so that the
reader sees the system was considered. Prerequisites that apply become tasks of their own that block the tasks
needing them. The order comes from ``workflow.ordered_plan``, the same DAG check every provisioning plan passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from app.provisioning.core import workflow
from app.provisioning.orders.answers import Answers, validate_answers
from app.provisioning.orders.catalogue import graph
from app.provisioning.orders.catalogue.definitions import Catalogue, Channel, Event, Link, Prerequisite, TaskRule
from app.provisioning.orders.checks import CheckResult, evaluate_checks
from app.provisioning.orders.conditions import ConditionCheck, all_met, check_conditions

PREREQUISITE = "prerequisite"


@dataclass(frozen=True)
class Blocker:
    """A prerequisite a task waits for, and what unblocks it."""

    task: str
    prerequisite: str
    name: str
    unblocked_by: str


@dataclass(frozen=True)
class GeneratedTask:
    key: str
    rule: str  # the catalogue's task (or prerequisite) key; fan-out items share it
    kind: str  # "task" or "prerequisite"
    system: str | None
    system_name: str | None
    action: str
    action_name: str
    effect: str
    who: str
    who_name: str
    party: str | None = None
    party_name: str | None = None
    via: Channel | None = None
    links: tuple[Link, ...] = ()
    item: str | None = None  # the fan-out item, e.g. the clinic
    depends_on: tuple[str, ...] = ()
    applies: bool = True
    conditions: tuple[ConditionCheck, ...] = ()
    empty_for_each: str | None = None  # the list question left empty, when that is why nothing applies
    blocked_by: tuple[Blocker, ...] = ()
    as_for: str | None = None
    quote: str | None = None
    handling_quote: str | None = None
    note: str | None = None

    @property
    def no_action(self) -> bool:
        return self.effect == "none"

    @property
    def initial_state(self) -> str:
        """Not applicable when its conditions fail or it is a "no action" entry; to do otherwise."""
        return workflow.PENDING if self.applies and not self.no_action else workflow.NOT_APPLICABLE

    def spec(self) -> workflow.TaskSpec:
        return workflow.TaskSpec(self.key, self.system or self.kind, self.action, self.who, self.depends_on)


@dataclass(frozen=True)
class Checklist:
    catalogue: str
    event: Event
    answers: Answers
    tasks: tuple[GeneratedTask, ...]
    checks: tuple[CheckResult, ...]
    unaddressed_systems: tuple[str, ...]  # systems the routine says nothing about for this event

    def task(self, key: str) -> GeneratedTask:
        return next(task for task in self.tasks if task.key == key)

    def of_system(self, system: str) -> list[GeneratedTask]:
        return [task for task in self.tasks if task.system == system]


def generate(catalogue: Catalogue, event_key: str, raw_answers: Mapping[str, object]) -> Checklist:
    answers = validate_answers(catalogue, event_key, raw_answers)
    event = catalogue.events[event_key]
    prerequisites: dict[str, GeneratedTask] = {}
    drafts: dict[str, list[GeneratedTask]] = {}
    for rule in event.tasks:
        drafts[rule.key] = _entries(catalogue, event, rule, answers, prerequisites)
    waits = graph.rule_dependencies(event)
    tasks: list[GeneratedTask] = []
    for rule in event.tasks:
        before = [entry.key for key in waits[rule.key] for entry in drafts[key] if _is_work(entry)]
        for entry in drafts[rule.key]:
            # A prerequisite is listed just before the first task it blocks.
            tasks += [prerequisites.pop(blocker.prerequisite) for blocker in entry.blocked_by
                      if blocker.prerequisite in prerequisites]
            tasks.append(_with_dependencies(entry, before))
    ordered = _in_order(tasks)
    named = {rule.system for rule in event.tasks if rule.system}
    unaddressed = tuple(key for key in catalogue.systems if key not in named) if named else ()
    return Checklist(catalogue.key, event, answers, ordered, evaluate_checks(catalogue, event, answers, ordered),
                     unaddressed)


def _in_order(tasks: list[GeneratedTask]) -> tuple[GeneratedTask, ...]:
    """Dependency order that otherwise keeps the catalogue's order (the routine's own reading order).

    ``ordered_plan`` refuses a plan that is not a DAG; its waves would scatter one system's tasks, so the order
    shown takes, each time, the first task in catalogue order whose prerequisites are all placed.
    """
    workflow.ordered_plan([task.spec() for task in tasks])
    placed: set[str] = set()
    remaining, ordered = list(tasks), []
    while remaining:
        ready = next(task for task in remaining if placed.issuperset(task.depends_on))
        ordered.append(ready)
        placed.add(ready.key)
        remaining.remove(ready)
    return tuple(ordered)


def _is_work(task: GeneratedTask) -> bool:
    return task.applies and not task.no_action


def _with_dependencies(entry: GeneratedTask, before: list[str]) -> GeneratedTask:
    if not _is_work(entry):
        return entry
    own = [blocker.task for blocker in entry.blocked_by]
    return replace(entry, depends_on=tuple(dict.fromkeys((*own, *before))))


def _entries(catalogue: Catalogue, event: Event, rule: TaskRule, answers: Answers,
             prerequisites: dict[str, GeneratedTask]) -> list[GeneratedTask]:
    """The rule's task, or one per item of its list; prerequisites that apply are added to ``prerequisites``."""
    conditions = check_conditions(catalogue, rule.when, answers)
    applies = all_met(conditions)
    base = _base(catalogue, event, rule, conditions, applies)
    if not applies:
        return [base]  # one entry says why a fanned-out task does not apply, not one per item
    items = answers.get(rule.for_each, ()) if rule.for_each else (None,)
    if not isinstance(items, tuple) or not items:
        return [replace(base, applies=False, empty_for_each=rule.for_each)]
    base = replace(base, blocked_by=_blockers(catalogue, rule, answers, prerequisites))
    if rule.for_each is None:
        return [base]
    return [replace(base, key=f"{rule.key}.{number}", item=item) for number, item in enumerate(items, start=1)]


def _base(catalogue: Catalogue, event: Event, rule: TaskRule, conditions: tuple[ConditionCheck, ...],
          applies: bool) -> GeneratedTask:
    system = catalogue.systems.get(rule.system or "")
    action = catalogue.actions[rule.action]
    links = tuple(dict.fromkeys((*rule.links, *(system.links if system else ()))))
    party = next((party for party in event.parties if party.key == rule.party), None)
    return GeneratedTask(
        key=rule.key, rule=rule.key, kind="task", system=rule.system, system_name=system.name if system else None,
        action=action.key, action_name=action.name, effect=action.effect, who=rule.who,
        who_name=catalogue.roles[rule.who].name, party=rule.party, party_name=party.name if party else None,
        via=rule.via or (system.via if system else None), links=links, applies=applies, conditions=conditions,
        as_for=rule.as_for, quote=rule.quote, handling_quote=rule.handling_quote, note=rule.note)


def _blockers(catalogue: Catalogue, rule: TaskRule, answers: Answers,
              prerequisites: dict[str, GeneratedTask]) -> tuple[Blocker, ...]:
    blockers = []
    for key in graph.needed_prerequisites(rule.requires, catalogue.prerequisites):
        prerequisite = catalogue.prerequisites[key]
        if not all_met(check_conditions(catalogue, prerequisite.when, answers)):
            continue
        task = prerequisites.setdefault(key, _prerequisite_task(catalogue, prerequisite, answers))
        blockers.append(Blocker(task.key, key, prerequisite.name, prerequisite.unblocked_by))
    return tuple(blockers)


def _prerequisite_task(catalogue: Catalogue, prerequisite: Prerequisite, answers: Answers) -> GeneratedTask:
    needed = [other for other in prerequisite.requires
              if all_met(check_conditions(catalogue, catalogue.prerequisites[other].when, answers))]
    return GeneratedTask(
        key=graph.PREREQUISITE_PREFIX + prerequisite.key, rule=prerequisite.key, kind=PREREQUISITE, system=None,
        system_name=None, action=PREREQUISITE, action_name=prerequisite.name, effect="record", who=prerequisite.who,
        who_name=catalogue.roles[prerequisite.who].name, links=prerequisite.links,
        depends_on=tuple(graph.PREREQUISITE_PREFIX + other for other in needed),
        conditions=check_conditions(catalogue, prerequisite.when, answers), quote=prerequisite.quote,
        note=prerequisite.unblocked_by)
