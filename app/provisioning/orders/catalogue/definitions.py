"""A loaded catalogue: plain frozen values, every reference already checked by the loader.

Texts (names, labels, quotes) are the catalogue's own, shown as written: a Swedish routine stays Swedish.
``Place`` keeps where a thing was written so that checks made after reading can still name file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

Scope = Literal["person", "organisation"]
QuestionType = Literal["yes_no", "choice", "list", "text", "number", "date"]
ChannelKind = Literal["form", "portal", "email", "in_person", "system"]
CheckKind = Literal["confirmed", "named", "share", "tasks_done"]
# What an action does to someone's access; the access register of a later slice reads it. "none" is a
# "no action" entry: listed so the reader sees the system was considered, with nothing to do.
Effect = Literal["grant", "revoke", "change", "keep", "record", "none"]

SCOPES: Final = ("person", "organisation")
QUESTION_TYPES: Final = ("yes_no", "choice", "list", "text", "number", "date")
CHANNEL_KINDS: Final = ("form", "portal", "email", "in_person", "system")
CHECK_KINDS: Final = ("confirmed", "named", "share", "tasks_done")
EFFECTS: Final = ("grant", "revoke", "change", "keep", "record", "none")


@dataclass(frozen=True)
class Place:
    file: str
    line: int
    field: str


@dataclass(frozen=True)
class Role:
    key: str
    name: str


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    email: str | None


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: QuestionType
    required: bool = True
    choices: tuple[Choice, ...] = ()
    min_items: int = 0
    help: str | None = None
    # A system key: the question is prefilled from the person's access register (a yes/no: whether they have the
    # system; a list: the items they have it for, e.g. the clinics of their care-provider ids).
    from_register: str | None = None
    # A text answer that must be one of the items given to this list question (the main clinic, "huvudpost", among
    # the clinics; issue 23 item 8).
    one_of: str | None = None
    # A date answer that may not be before the day the change takes effect ("planned_date"): a leave cannot end
    # before it starts.
    not_before: str | None = None

    def choice_label(self, key: str) -> str:
        return next((choice.label for choice in self.choices if choice.key == key), key)


@dataclass(frozen=True)
class Action:
    key: str
    name: str
    effect: Effect


@dataclass(frozen=True)
class Link:
    label: str
    url: str | None


@dataclass(frozen=True)
class Channel:
    """How a task is ordered: a form or portal (a link), an e-mail to a contact, a visit, another system."""

    kind: ChannelKind
    label: str
    url: str | None = None
    contact: Contact | None = None


@dataclass(frozen=True)
class System:
    key: str
    name: str
    ordered_by: str
    via: Channel | None
    links: tuple[Link, ...] = ()
    about: str | None = None


@dataclass(frozen=True)
class Condition:
    """Holds when the answer to ``question`` is one of ``values`` (booleans for yes/no, choice keys)."""

    question: str
    values: tuple[bool | str, ...]


@dataclass(frozen=True)
class Prerequisite:
    key: str
    name: str
    unblocked_by: str
    who: str
    when: tuple[Condition, ...] = ()
    requires: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    quote: str | None = None
    place: Place | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TaskRule:
    """What one event does in one system (or, without a system, an organisation-wide step)."""

    key: str
    system: str | None
    action: str
    who: str
    party: str | None = None
    via: Channel | None = None
    links: tuple[Link, ...] = ()
    when: tuple[Condition, ...] = ()
    for_each: str | None = None
    requires: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    as_for: str | None = None  # the event whose handling this one repeats ("Hantering som under ...")
    quote: str | None = None
    handling_quote: str | None = None  # with as_for: the quote of the task repeated, which says how
    note: str | None = None
    place: Place | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Selector:
    """Tasks of the event picked by system, action and/or task key (every given list must match)."""

    systems: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


    def selects(self, task: TaskRule) -> bool:
        return ((not self.systems or task.system in self.systems)
                and (not self.actions or task.action in self.actions)
                and (not self.tasks or task.key in self.tasks))


@dataclass(frozen=True)
class Ordering:
    first: Selector
    then: Selector
    quote: str | None = None
    place: Place | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LeadTime:
    min_weeks: int | None
    max_weeks: int | None
    when: tuple[Condition, ...] = ()
    quote: str | None = None


@dataclass(frozen=True)
class Party:
    key: str
    name: str


@dataclass(frozen=True)
class Check:
    """A start-up requirement: an answer confirmed (yes), people named (a non-empty list), a share of the staff
    (``question`` at least ``percent`` % of ``of``), or tasks of the checklist done (``tasks``)."""

    key: str
    name: str
    kind: CheckKind
    question: str | None = None
    tasks: tuple[str, ...] = ()
    of: str | None = None
    percent: int | None = None
    system: str | None = None
    when: tuple[Condition, ...] = ()
    quote: str | None = None


@dataclass(frozen=True)
class Event:
    key: str
    name: str
    scope: Scope
    asks: tuple[str, ...]
    tasks: tuple[TaskRule, ...]
    ordering: tuple[Ordering, ...] = ()
    lead_times: tuple[LeadTime, ...] = ()
    parties: tuple[Party, ...] = ()
    placed_by: str | None = None
    checks: tuple[Check, ...] = ()
    quote: str | None = None
    note: str | None = None
    place: Place | None = field(default=None, compare=False)


GroupKeeper = Literal["catalogue", "orderer"]
GROUP_KEEPERS: Final = ("catalogue", "orderer")


@dataclass(frozen=True)
class Group:
    """Who fulfils tasks (issue 23 item 4): a group the catalogue's organisation keeps, with members (the region's
    IT, KLK IT), or the ordering organisation itself (the clinic's IT contact, the care provider). A task belongs to
    the group that names its key in ``tasks``, else its system in ``systems``, else its role in ``roles``."""

    key: str
    name: str
    kept_by: GroupKeeper
    roles: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    key: str
    name: str
    source: str
    country: str
    file: str
    roles: Mapping[str, Role]
    contacts: Mapping[str, Contact]
    questions: Mapping[str, Question]
    actions: Mapping[str, Action]
    systems: Mapping[str, System]
    prerequisites: Mapping[str, Prerequisite]
    events: Mapping[str, Event]
    groups: Mapping[str, Group] = field(default_factory=dict)
