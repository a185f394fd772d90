"""The answers an order gives to its event's questions, checked against the catalogue before any task is made.

Values arrive as Python values (a form or JSON layer has already parsed them): yes/no as booleans, lists as lists of
text, dates as ``date`` or ISO text. Every problem names the question, so a page can show it next to the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.orders.catalogue.definitions import Catalogue, Event, Question

AnswerValue = bool | str | int | date | tuple[str, ...]
Answers = Mapping[str, AnswerValue]
MAX_TEXT = 200
MAX_ITEMS = 50
MAX_NUMBER = 100_000


@dataclass(frozen=True)
class AnswerProblem:
    question: str  # the question's key; "-" for the event itself
    message: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


class AnswersInvalid(ValidationFailed):
    code = "order_answers_invalid"

    def __init__(self, problems: Sequence[AnswerProblem]) -> None:
        super().__init__(_("Some answers need correcting."), details={"problems": [
            {"question": problem.question, "message": problem.message, "params": dict(problem.params)}
            for problem in problems]})
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return "; ".join(f"{problem.question}: {problem.message.format(**problem.params)}" for problem in self.problems)


def event_of(catalogue: Catalogue, event_key: str) -> Event:
    event = catalogue.events.get(event_key)
    if event is None:
        raise AnswersInvalid([AnswerProblem("-", _("Unknown event {value}; known: {known}."),
                                            {"value": event_key, "known": ", ".join(catalogue.events)})])
    return event


def validate_answers(catalogue: Catalogue, event_key: str, raw: Mapping[str, object]) -> Answers:
    """The answers of ``raw`` that the event asks, cleaned; refuses missing, unknown and ill-typed answers."""
    event = event_of(catalogue, event_key)
    problems = [AnswerProblem(key, _("This question is not asked for {event}."), {"event": event.name})
                for key in raw if key not in event.asks]
    answers: dict[str, AnswerValue] = {}
    for key in event.asks:
        question = catalogue.questions[key]
        value = raw.get(key)
        if value is None or value == "":
            if question.required:
                problems.append(AnswerProblem(key, _("Answer this question.")))
            continue
        cleaned = _clean(question, value)
        if isinstance(cleaned, AnswerProblem):
            problems.append(cleaned)
        else:
            answers[key] = cleaned
    if problems:
        raise AnswersInvalid(problems)
    return MappingProxyType(answers)


def _clean(question: Question, value: object) -> AnswerValue | AnswerProblem:
    key = question.key
    if question.type == "yes_no":
        return value if isinstance(value, bool) else AnswerProblem(key, _("Answer yes or no."))
    if question.type == "choice":
        choices = [choice.key for choice in question.choices]
        if value in choices:
            return str(value)
        return AnswerProblem(key, _("Choose one of: {choices}."),
                             {"choices": ", ".join(choice.label for choice in question.choices)})
    if question.type == "number":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_NUMBER:
            return value
        return AnswerProblem(key, _("Give a whole number from 0 to {maximum}."), {"maximum": MAX_NUMBER})
    if question.type == "date":
        return _date(key, value)
    if question.type == "list":
        return _items(question, value)
    if isinstance(value, str) and value.strip() and len(value.strip()) <= MAX_TEXT:
        return value.strip()
    return AnswerProblem(key, _("Give a text of at most {limit} characters."), {"limit": MAX_TEXT})


def _date(key: str, value: object) -> date | AnswerProblem:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    return AnswerProblem(key, _("Give a date as YYYY-MM-DD."))


def _items(question: Question, value: object) -> tuple[str, ...] | AnswerProblem:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return AnswerProblem(question.key, _("Give a list."))
    items = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > MAX_TEXT:
            return AnswerProblem(question.key, _("Each item is a text of at most {limit} characters."),
                                 {"limit": MAX_TEXT})
        if item.strip() in items:
            return AnswerProblem(question.key, _("{item} is listed twice."), {"item": item.strip()})
        items.append(item.strip())
    if len(items) < question.min_items:
        return AnswerProblem(question.key, _("List at least {count}."), {"count": question.min_items})
    if len(items) > MAX_ITEMS:
        return AnswerProblem(question.key, _("List at most {count}."), {"count": MAX_ITEMS})
    return tuple(items)
