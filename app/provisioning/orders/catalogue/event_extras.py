"""Reading an event's lead times (how long before its date it must be ordered) and its start-up checks."""

from __future__ import annotations

from typing import cast

import yaml

from app.kit.i18n import _
from app.provisioning.orders.catalogue.declarations import (
    UNKNOWN_QUESTION,
    UNKNOWN_SYSTEM,
    UNKNOWN_TASK,
    Known,
    read_conditions,
    references,
)
from app.provisioning.orders.catalogue.definitions import CHECK_KINDS, Check, CheckKind, LeadTime
from app.provisioning.orders.catalogue.nodes import Reader

# What each kind of check reads: a yes it was done, a list of names, a count out of another count.
CHECK_TYPES = {"confirmed": "yes_no", "named": "list", "share": "number"}
CHECK_FIELDS = ("of", "percent", "system", "when", "quote", "question", "tasks")
NOT_ASKED = _("The question {value} is not among the event's asks.")


def read_lead_time(reader: Reader, known: Known, asks: tuple[str, ...], node: yaml.Node, path: str) -> LeadTime | None:
    fields = reader.fields(node, path, optional=("when", "min_weeks", "max_weeks", "quote"))
    if fields is None:
        return None
    least = reader.integer(fields["min_weeks"], f"{path}.min_weeks", maximum=104) if "min_weeks" in fields else None
    most = reader.integer(fields["max_weeks"], f"{path}.max_weeks", maximum=104) if "max_weeks" in fields else None
    when = read_conditions(reader, known, fields["when"], f"{path}.when") if "when" in fields else ()
    _asked(reader, asks, [condition.question for condition in when], fields.get("when"), f"{path}.when")
    if "min_weeks" not in fields and "max_weeks" not in fields:
        reader.report(node, f"{path}.max_weeks", _("A lead time gives min_weeks, max_weeks or both."))
    elif least is not None and most is not None and least > most:
        reader.report(fields["min_weeks"], f"{path}.min_weeks", _("min_weeks is more than max_weeks."))
    quote = reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None
    return LeadTime(least, most, when, quote)


def read_check(reader: Reader, known: Known, asks: tuple[str, ...], task_keys: list[str], node: yaml.Node,
               path: str) -> Check | None:
    fields = reader.fields(node, path, required=("key", "name", "kind"), optional=CHECK_FIELDS)
    if fields is None or not {"key", "name", "kind"} <= fields.keys():
        return None
    key, name = reader.key(fields["key"], f"{path}.key"), reader.text(fields["name"], f"{path}.name")
    kind = reader.one_of(fields["kind"], f"{path}.kind", CHECK_KINDS)
    if kind is None:
        return None
    if (kind == "tasks_done") != ("tasks" in fields) or (kind == "tasks_done") == ("question" in fields):
        reader.report(node, f"{path}.kind", _("A tasks_done check names tasks; every other check names a question."))
        return None
    question = (_check_question(reader, known, asks, fields["question"], f"{path}.question", kind)
                if "question" in fields else None)
    tasks = references(reader, fields.get("tasks"), f"{path}.tasks", task_keys,
                       UNKNOWN_TASK)
    of = _check_question(reader, known, asks, fields["of"], f"{path}.of", kind) if "of" in fields else None
    percent = reader.integer(fields["percent"], f"{path}.percent", minimum=1, maximum=100) if "percent" in fields \
        else None
    share_fields = fields.keys() & {"of", "percent"}
    if (kind == "share" and len(share_fields) < 2) or (kind != "share" and share_fields):
        reader.report(node, f"{path}.kind", _("A share check, and only it, gives of and percent."))
    system = (reader.reference(fields["system"], f"{path}.system", known.declared["systems"],
                               UNKNOWN_SYSTEM) if "system" in fields else None)
    when = read_conditions(reader, known, fields["when"], f"{path}.when") if "when" in fields else ()
    _asked(reader, asks, [condition.question for condition in when], fields.get("when"), f"{path}.when")
    quote = reader.text(fields["quote"], f"{path}.quote") if "quote" in fields else None
    if not (key and name) or (question is None and not tasks):
        return None
    return Check(key, name, cast(CheckKind, kind), question, tasks, of, percent, system, when, quote)


def _check_question(reader: Reader, known: Known, asks: tuple[str, ...], node: yaml.Node, path: str,
                    kind: str) -> str | None:
    question = reader.reference(node, path, known.declared["questions"], UNKNOWN_QUESTION)
    if question is None:
        return None
    _asked(reader, asks, [question], node, path)
    expected = CHECK_TYPES[kind]
    declared = known.questions.get(question)
    if declared and declared.type != expected:
        reader.report(node, path, _("A {kind} check reads a {expected} question; {value} is not one."),
                      kind=kind, expected=expected, value=question)
        return None
    return question


def _asked(reader: Reader, asks: tuple[str, ...], questions: list[str], node: yaml.Node | None, path: str) -> None:
    for question in questions:
        if question not in asks and node is not None:
            reader.report(node, path, NOT_ASKED, value=question)
