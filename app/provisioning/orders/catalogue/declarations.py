"""Reading the declarations of a catalogue: roles, contacts, questions, actions, systems and prerequisites.

Whatever is referenced by key is declared in one of these lists; ``Known`` carries what has been declared so far,
so that a reference is checked where it is written and the problem points at that line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import yaml

from app.kit.i18n import _
from app.provisioning.orders.catalogue.definitions import (
    CHANNEL_KINDS,
    EFFECTS,
    QUESTION_TYPES,
    Action,
    Channel,
    ChannelKind,
    Choice,
    Condition,
    Contact,
    Effect,
    Link,
    Prerequisite,
    Question,
    QuestionType,
    Role,
    System,
)
from app.provisioning.orders.catalogue.nodes import Reader

T = TypeVar("T")
UNKNOWN_SYSTEM = _("Unknown system {value}; known: {known}.")
UNKNOWN_ROLE = _("Unknown role {value}; known: {known}.")
UNKNOWN_QUESTION = _("Unknown question {value}; known: {known}.")
UNKNOWN_TASK = _("Unknown task {value} in this event; known: {known}.")
UNKNOWN_PREREQUISITE = _("Unknown prerequisite {value}; known: {known}.")
# The day the change takes effect: a date answer may be checked against it (not_before).
PLANNED_DATE = "planned_date"


@dataclass
class Known:
    """What the file declares: the keys of every list, and the things read so far."""

    roles: dict[str, Role] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    prerequisites: dict[str, Prerequisite] = field(default_factory=dict)
    # Every key each list declares, read before the lists themselves: a reference to a declaration that has a
    # mistake of its own is not reported again (the mistake is, once, where it is).
    declared: dict[str, list[str]] = field(default_factory=dict)


def keyed(reader: Reader, node: yaml.Node, path: str, read: Callable[[yaml.Node, str], T | None],
          key_of: Callable[[T], str]) -> dict[str, T]:
    """A list of things with keys, by key; a key used twice is refused at its second use."""
    found: dict[str, T] = {}
    lines: dict[str, int] = {}
    for where, item in reader.items(node, path):
        thing = read(item, where)
        if thing is None:
            continue
        key = key_of(thing)
        if key in found:
            reader.report(item, f"{where}.key", _("The key {key} is used twice in this list (first on line {first})."),
                          key=key, first=lines[key])
            continue
        found[key], lines[key] = thing, item.start_mark.line + 1
    return found


def declared_keys(node: yaml.Node | None) -> list[str]:
    """The ``key`` of each item of a list, read without complaint (the full read reports what is wrong)."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    keys = []
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            keys += [value.value for key, value in item.value
                     if isinstance(key, yaml.ScalarNode) and key.value == "key" and isinstance(value, yaml.ScalarNode)]
    return list(dict.fromkeys(keys))


def read_role(reader: Reader, node: yaml.Node, path: str) -> Role | None:
    fields = reader.fields(node, path, required=("key", "name"))
    if fields is None or len(fields) < 2:
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    return Role(key, name) if key and name else None


def read_contact(reader: Reader, node: yaml.Node, path: str) -> Contact | None:
    fields = reader.fields(node, path, required=("key", "name"), optional=("email",))
    if fields is None or "key" not in fields or "name" not in fields:
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    email = reader.text(fields["email"], f"{path}.email") if "email" in fields else None
    if email is not None and "@" not in email:
        reader.report(fields["email"], f"{path}.email", _("{value} is not an e-mail address."), value=email)
    return Contact(key, name, email) if key and name else None


def read_question(reader: Reader, known: Known, node: yaml.Node, path: str) -> Question | None:
    fields = reader.fields(node, path, required=("key", "label", "type"),
                           optional=("required", "choices", "min_items", "help", "from_register", "one_of",
                                     "not_before"))
    if fields is None or not {"key", "label", "type"} <= fields.keys():
        return None
    key, label = reader.key(fields["key"], f"{path}.key"), reader.text(fields["label"], f"{path}.label")
    kind = reader.one_of(fields["type"], f"{path}.type", QUESTION_TYPES)
    required = reader.boolean(fields["required"], f"{path}.required") if "required" in fields else True
    min_items = reader.integer(fields["min_items"], f"{path}.min_items") if "min_items" in fields else 0
    help_text = reader.text(fields["help"], f"{path}.help") if "help" in fields else None
    choices: dict[str, Choice] = {}
    if "choices" in fields:
        choices = keyed(reader, fields["choices"], f"{path}.choices",
                        lambda item, where: _choice(reader, item, where), lambda choice: choice.key)
    if kind == "choice" and not choices:
        reader.report(node, f"{path}.choices", _("A choice question lists its choices."))
        return None
    if kind != "choice" and "choices" in fields:
        reader.report(fields["choices"], f"{path}.choices", _("Only a choice question has choices."))
    if "min_items" in fields and kind != "list":
        reader.report(fields["min_items"], f"{path}.min_items", _("Only a list question has min_items."))
    from_register = _from_register(reader, known, fields.get("from_register"), f"{path}.from_register", kind)
    one_of = _one_of(reader, known, fields.get("one_of"), f"{path}.one_of", kind)
    not_before = _not_before(reader, fields.get("not_before"), f"{path}.not_before", kind)
    if not (key and label and kind) or required is None or min_items is None:
        return None
    return Question(key, label, cast(QuestionType, kind), required, tuple(choices.values()), min_items, help_text,
                    from_register, one_of, not_before)


def _one_of(reader: Reader, known: Known, node: yaml.Node | None, path: str, kind: str | None) -> str | None:
    """The list question whose items a text answer must be one of (the main clinic among the clinics)."""
    if node is None:
        return None
    question = reader.reference(node, path, known.declared.get("questions", []), UNKNOWN_QUESTION)
    if kind != "text":
        reader.report(node, path, _("Only a text question is answered with one of a list's items."))
        return None
    return question


def _not_before(reader: Reader, node: yaml.Node | None, path: str, kind: str | None) -> str | None:
    """The day a date answer may not be before: only the day the change takes effect is known to every order."""
    if node is None:
        return None
    day = reader.one_of(node, path, (PLANNED_DATE,))
    if kind != "date":
        reader.report(node, path, _("Only a date question has not_before."))
        return None
    return day


def _from_register(reader: Reader, known: Known, node: yaml.Node | None, path: str, kind: str | None) -> str | None:
    """The system whose access-register entries answer the question: yes when the person has it, or its items."""
    if node is None:
        return None
    system = reader.reference(node, path, known.declared.get("systems", []), UNKNOWN_SYSTEM)
    if kind not in ("yes_no", "list"):
        reader.report(node, path, _("Only a yes/no or a list question can be answered from the access register."))
        return None
    return system


def _choice(reader: Reader, node: yaml.Node, path: str) -> Choice | None:
    fields = reader.fields(node, path, required=("key", "label"))
    if fields is None or len(fields) < 2:
        return None
    key, label = reader.key(fields["key"], f"{path}.key"), reader.text(fields["label"], f"{path}.label")
    return Choice(key, label) if key and label else None


def read_action(reader: Reader, node: yaml.Node, path: str) -> Action | None:
    fields = reader.fields(node, path, required=("key", "name", "effect"))
    if fields is None or len(fields) < 3:
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    effect = reader.one_of(fields["effect"], f"{path}.effect", EFFECTS)
    return Action(key, name, cast(Effect, effect)) if key and name and effect else None


def read_links(reader: Reader, node: yaml.Node, path: str) -> tuple[Link, ...]:
    links = []
    for where, item in reader.items(node, path):
        fields = reader.fields(item, where, required=("label",), optional=("url",))
        if fields is None or "label" not in fields:
            continue
        label = reader.text(fields["label"], f"{where}.label")
        url = _url(reader, fields["url"], f"{where}.url") if "url" in fields else None
        if label:
            links.append(Link(label, url))
    return tuple(links)


def _url(reader: Reader, node: yaml.Node, path: str) -> str | None:
    url = reader.text(node, path)
    if url is not None and not url.startswith(("https://", "http://")):
        reader.report(node, path, _("{value} is not a web address (http:// or https://)."), value=url)
        return None
    return url


def read_channel(reader: Reader, known: Known, node: yaml.Node, path: str) -> Channel | None:
    fields = reader.fields(node, path, required=("kind", "label"), optional=("url", "contact"))
    if fields is None or not {"kind", "label"} <= fields.keys():
        return None
    kind = reader.one_of(fields["kind"], f"{path}.kind", CHANNEL_KINDS)
    label = reader.text(fields["label"], f"{path}.label")
    url = _url(reader, fields["url"], f"{path}.url") if "url" in fields else None
    contact = None
    if "contact" in fields:
        key = reader.reference(fields["contact"], f"{path}.contact", known.declared["contacts"],
                               _("Unknown contact {value}; known: {known}."))
        contact = known.contacts.get(key or "")
    if kind == "email" and "contact" not in fields:
        reader.report(node, f"{path}.contact", _("An e-mail channel names its contact."))
    elif kind != "email" and "contact" in fields:
        reader.report(fields["contact"], f"{path}.contact", _("Only an e-mail channel names a contact."))
    if kind == "email" and "url" in fields:
        reader.report(fields["url"], f"{path}.url", _("An e-mail channel has no web address."))
    return Channel(cast(ChannelKind, kind), label, url, contact) if kind and label else None


def read_system(reader: Reader, known: Known, node: yaml.Node, path: str) -> System | None:
    fields = reader.fields(node, path, required=("key", "name", "ordered_by"), optional=("via", "links", "about"))
    if fields is None or not {"key", "name", "ordered_by"} <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    ordered_by = reader.reference(fields["ordered_by"], f"{path}.ordered_by", known.declared["roles"], UNKNOWN_ROLE)
    via = read_channel(reader, known, fields["via"], f"{path}.via") if "via" in fields else None
    links = read_links(reader, fields["links"], f"{path}.links") if "links" in fields else ()
    about = reader.text(fields["about"], f"{path}.about") if "about" in fields else None
    return System(key, name, ordered_by, via, links, about) if key and name and ordered_by else None


def read_conditions(reader: Reader, known: Known, node: yaml.Node, path: str) -> tuple[Condition, ...]:
    """``when: {question: value or [values]}``: all must hold. Only yes/no and choice answers can be tested."""
    conditions = []
    for key, key_node, value_node in reader.pairs(node, path):
        where = f"{path}.{key}"
        question = known.questions.get(key)
        if question is None:
            if key not in known.declared["questions"]:
                reader.report(key_node, where, UNKNOWN_QUESTION, value=key,
                              known=", ".join(known.declared["questions"]) or "-")
            continue
        if question.type not in ("yes_no", "choice"):
            reader.report(key_node, where, _("Only yes/no and choice answers can be tested; {value} is not one."),
                          value=key)
            continue
        nodes = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        if question.type == "yes_no":
            values: list[bool | str | None] = [reader.boolean(item, where) for item in nodes]
        else:
            choices = [choice.key for choice in question.choices]
            values = [reader.reference(item, where, choices, _("Unknown choice {value}; known: {known}."))
                      for item in nodes]
        if not nodes:
            reader.report(value_node, where, _("List at least one value."))
        elif all(value is not None for value in values):
            conditions.append(Condition(key, tuple(value for value in values if value is not None)))
    return tuple(conditions)


def read_prerequisite(reader: Reader, known: Known, node: yaml.Node, path: str) -> Prerequisite | None:
    fields = reader.fields(node, path, required=("key", "name", "unblocked_by", "who"),
                           optional=("when", "requires", "links", "quote"))
    if fields is None or not {"key", "name", "unblocked_by", "who"} <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    unblocked_by = reader.text(fields["unblocked_by"], f"{path}.unblocked_by")
    who = reader.reference(fields["who"], f"{path}.who", known.declared["roles"], UNKNOWN_ROLE)
    when = read_conditions(reader, known, fields["when"], f"{path}.when") if "when" in fields else ()
    requires = references(reader, fields.get("requires"), f"{path}.requires", known.declared["prerequisites"],
                          UNKNOWN_PREREQUISITE)
    links = read_links(reader, fields["links"], f"{path}.links") if "links" in fields else ()
    quote = reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None
    if not (key and name and unblocked_by and who):
        return None
    return Prerequisite(key, name, unblocked_by, who, when, requires, links, quote, reader.place(node, path))


def references(reader: Reader, node: yaml.Node | None, path: str, known: list[str], unknown: str) -> tuple[str, ...]:
    """An optional list of keys, each of which must be among ``known``."""
    if node is None:
        return ()
    found = [reader.reference(item, where, known, unknown) for where, item in reader.items(node, path)]
    return tuple(key for key in found if key is not None)
