"""Conditions tested against an order's answers, each kept with its outcome so that the checklist can say why a
task applies or not ("Yrke: Audionom; answered Annan yrkesroll")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.kit.i18n import _, translate
from app.provisioning.orders.answers import Answers
from app.provisioning.orders.catalogue.definitions import Catalogue, Condition

YES, NO = _("yes"), _("no")
EXPLAINED = _("{question}: {expected} (answered {answer})")
NOT_ANSWERED = _("not answered")
OR = _(" or ")


@dataclass(frozen=True)
class ConditionCheck:
    question: str
    label: str
    expected: tuple[str, ...]  # labels of the accepted answers (message ids for yes and no)
    answer: str | None  # the label of the answer given, None when unanswered
    met: bool

    def explain(self, language: str = "en") -> str:
        expected = translate(language, OR).join(translate(language, label) for label in self.expected)
        answer = translate(language, self.answer if self.answer is not None else NOT_ANSWERED)
        return translate(language, EXPLAINED, question=self.label, expected=expected, answer=answer)


def check_conditions(catalogue: Catalogue, conditions: Iterable[Condition],
                     answers: Answers) -> tuple[ConditionCheck, ...]:
    return tuple(_check(catalogue, condition, answers) for condition in conditions)


def _check(catalogue: Catalogue, condition: Condition, answers: Answers) -> ConditionCheck:
    question = catalogue.questions[condition.question]
    answer = answers.get(condition.question)
    return ConditionCheck(
        question=question.key, label=question.label,
        expected=tuple(_label(catalogue, condition.question, value) for value in condition.values),
        answer=None if answer is None else _label(catalogue, condition.question, answer),
        met=answer is not None and answer in condition.values)


def _label(catalogue: Catalogue, question: str, value: object) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    return catalogue.questions[question].choice_label(str(value))


def all_met(checks: Iterable[ConditionCheck]) -> bool:
    return all(check.met for check in checks)
