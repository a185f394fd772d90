"""Start-up checks (seed 004): whether the administrators are named, the expert users about 10% of the staff, the
courses booked. Each is read from the order's answers or, for ``tasks_done``, from which of its tasks are done, so
a later slice re-evaluates them as tasks complete; a freshly generated checklist has none done.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from app.kit.i18n import _
from app.provisioning.orders.answers import Answers
from app.provisioning.orders.catalogue.definitions import Catalogue, Check, Event
from app.provisioning.orders.conditions import all_met, check_conditions

if TYPE_CHECKING:
    from app.provisioning.orders.checklist import GeneratedTask

CheckStatus = Literal["met", "not_met", "open", "not_applicable"]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: CheckStatus
    message: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


def evaluate_checks(catalogue: Catalogue, event: Event, answers: Answers, tasks: Sequence[GeneratedTask],
                    done: Collection[str] = frozenset()) -> tuple[CheckResult, ...]:
    """Every check of the event; ``done`` holds the keys of the checklist's tasks that are done."""
    return tuple(_evaluate(catalogue, check, answers, tasks, done) for check in event.checks)


def _evaluate(catalogue: Catalogue, check: Check, answers: Answers, tasks: Sequence[GeneratedTask],
              done: Collection[str]) -> CheckResult:
    if not all_met(check_conditions(catalogue, check.when, answers)):
        return CheckResult(check, "not_applicable", _("Not needed for these answers."))
    if check.kind == "tasks_done":
        return _tasks_done(check, tasks, done)
    answer = answers.get(check.question or "")
    if check.kind == "confirmed":
        if answer is None:
            return CheckResult(check, "open", _("Not answered yet."))
        return CheckResult(check, "met", _("Confirmed.")) if answer is True else CheckResult(
            check, "not_met", _("Answered no."))
    if check.kind == "named":
        if isinstance(answer, tuple) and answer:
            return CheckResult(check, "met", _("Named: {names}."), {"names": ", ".join(answer)})
        return CheckResult(check, "open", _("No one is named yet."))
    return _share(check, answer, answers.get(check.of or ""))


def _share(check: Check, count: object, total: object) -> CheckResult:
    if not isinstance(count, int) or not isinstance(total, int):
        return CheckResult(check, "open", _("Not answered yet."))
    # "About 10%": rounded half up, and at least one person once there is any staff.
    needed = max(1, (total * (check.percent or 0) + 50) // 100) if total else 0
    params = {"count": count, "total": total, "percent": check.percent or 0, "needed": needed}
    if count >= needed:
        return CheckResult(check, "met", _("{count} of {total}: at least about {percent}% ({needed})."), params)
    return CheckResult(check, "not_met", _("{count} of {total}: about {percent}% means {needed}."), params)


def _tasks_done(check: Check, tasks: Sequence[GeneratedTask], done: Collection[str]) -> CheckResult:
    relevant = [task for task in tasks if task.rule in check.tasks and task.applies and task.kind == "task"]
    if not relevant:
        return CheckResult(check, "not_applicable", _("Not needed for these answers."))
    pending = [task for task in relevant if task.key not in done]
    if not pending:
        return CheckResult(check, "met", _("Done."))
    names = ", ".join(f"{task.system_name or task.action_name}: {task.action_name}" for task in pending)
    return CheckResult(check, "open", _("Still to do: {tasks}."), {"tasks": names})
