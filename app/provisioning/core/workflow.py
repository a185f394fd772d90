"""The state machines of requests and tasks, each one table, and the check that a task plan is a DAG.

Any (state, action) pair missing from a table is refused; nothing else in the code decides whether a
transition is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from app.kit.i18n import _

DRAFT: Final = "draft"
SUBMITTED: Final = "submitted"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
IN_PROGRESS: Final = "in_progress"
WAITING_FOR_REQUESTER: Final = "waiting_for_requester"
DONE: Final = "done"
CANCELLED: Final = "cancelled"

REQUEST_STATE_LABELS: Final = {
    DRAFT: _("Draft"),
    SUBMITTED: _("Submitted"),
    ACCEPTED: _("Accepted"),
    REJECTED: _("Rejected"),
    IN_PROGRESS: _("In progress"),
    WAITING_FOR_REQUESTER: _("Waiting for the requester"),
    DONE: _("Done"),
    CANCELLED: _("Cancelled"),
}

# (from state, action) -> to state. Waiting for the requester is only possible while the work is in
# progress; before that the handler rejects with a reason and the requester corrects and resubmits.
REQUEST_TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    (DRAFT, "submit"): SUBMITTED,
    (REJECTED, "resubmit"): SUBMITTED,
    (SUBMITTED, "accept"): ACCEPTED,
    (SUBMITTED, "reject"): REJECTED,
    (ACCEPTED, "start"): IN_PROGRESS,
    (IN_PROGRESS, "ask_requester"): WAITING_FOR_REQUESTER,
    (WAITING_FOR_REQUESTER, "answer"): IN_PROGRESS,
    (IN_PROGRESS, "complete"): DONE,
    **{(state, "cancel"): CANCELLED
       for state in (DRAFT, SUBMITTED, REJECTED, ACCEPTED, IN_PROGRESS, WAITING_FOR_REQUESTER)},
}

OPEN_STATES: Final = frozenset({SUBMITTED, ACCEPTED, IN_PROGRESS, WAITING_FOR_REQUESTER})
FINAL_STATES: Final = frozenset({DONE, CANCELLED})

PENDING: Final = "pending"
WAITING_EXTERNAL: Final = "waiting_external"
TASK_DONE: Final = "done"
NOT_APPLICABLE: Final = "not_applicable"
FAILED: Final = "failed"

TASK_STATE_LABELS: Final = {
    PENDING: _("Pending"),
    WAITING_EXTERNAL: _("Waiting for external confirmation"),
    TASK_DONE: _("Done"),
    NOT_APPLICABLE: _("Not applicable"),
    FAILED: _("Failed"),
}

TASK_TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    (PENDING, "complete"): TASK_DONE,
    (PENDING, "await_external"): WAITING_EXTERNAL,
    (WAITING_EXTERNAL, "confirm"): TASK_DONE,
    (PENDING, "skip"): NOT_APPLICABLE,
    (PENDING, "fail"): FAILED,
    (WAITING_EXTERNAL, "fail"): FAILED,
    (FAILED, "retry"): PENDING,
}

# Leaving these needs every prerequisite settled; skipping a task or retrying it does not.
TASK_ACTIONS_NEEDING_PREREQUISITES: Final = frozenset({"complete", "await_external", "confirm"})
SETTLED_TASK_STATES: Final = frozenset({TASK_DONE, NOT_APPLICABLE})


def next_request_state(state: str, action: str,
                       extra: Iterable[tuple[str, str, str]] = ()) -> str | None:
    """``extra``: the moves a kind adds to the table (``RequestKind.extra_transitions``)."""
    found = REQUEST_TRANSITIONS.get((state, action))
    return found if found is not None else next((to for origin, move, to in extra
                                                 if (origin, move) == (state, action)), None)


def next_task_state(state: str, action: str) -> str | None:
    return TASK_TRANSITIONS.get((state, action))


def request_actions_from(state: str) -> list[str]:
    return [action for (origin, action) in REQUEST_TRANSITIONS if origin == state]


def task_actions_from(state: str) -> list[str]:
    return [action for (origin, action) in TASK_TRANSITIONS if origin == state]


@dataclass(frozen=True)
class TaskSpec:
    """A task of a plan, before it exists: prerequisites are named by key."""

    key: str
    target_system: str
    action: str
    assignee_role: str
    depends_on: tuple[str, ...] = ()


class PlanError(ValueError):
    """A task plan that cannot run: an unknown prerequisite, a duplicate key or a cycle."""


def ordered_plan(specs: Sequence[TaskSpec]) -> list[TaskSpec]:
    """The plan in an order where every task comes after its prerequisites; refuses what is not a DAG."""
    by_key: dict[str, TaskSpec] = {}
    for spec in specs:
        if spec.key in by_key:
            raise PlanError(f"task {spec.key!r} appears twice")
        by_key[spec.key] = spec
    for spec in specs:
        unknown = [key for key in spec.depends_on if key not in by_key]
        if unknown:
            raise PlanError(f"task {spec.key!r} depends on unknown task(s) {', '.join(unknown)}")
    ordered: list[TaskSpec] = []
    placed: set[str] = set()
    remaining = list(specs)
    while remaining:
        ready = [spec for spec in remaining if set(spec.depends_on) <= placed]
        if not ready:
            raise PlanError("the tasks depend on each other in a cycle: " + _cycle_text(remaining))
        for spec in ready:
            ordered.append(spec)
            placed.add(spec.key)
        remaining = [spec for spec in remaining if spec.key not in placed]
    return ordered


def _cycle_text(stuck: Iterable[TaskSpec]) -> str:
    return ", ".join(sorted(spec.key for spec in stuck))
