"""Requests and tasks change only here: each change is one action function (write + audit + event).

Modules check who may do what (their policy) before calling these; these check what the state machines
allow, keep the due time, and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core import deadlines, workflow
from app.provisioning.core.calendar import add_business_time, business_time_between, due_after
from app.provisioning.core.events import RequestChanged, TaskChanged
from app.provisioning.core.kinds import kind_of
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask, TaskDependency

MAX_REASON_LENGTH = 2000
MAX_REFERENCE_LENGTH = 200


# Actions that carry a text for the other side (True: it is required); the last one stays on the request.
REASONED_ACTIONS = {"reject": True, "ask_requester": True, "cancel": False, "answer": False}


class TransitionRefused(Conflict):
    code = "transition_refused"


async def load_request(session: AsyncSession, request_id: int, *, for_update: bool = False) -> ProvisioningRequest:
    statement = select(ProvisioningRequest).where(ProvisioningRequest.id == request_id)
    if for_update:
        statement = statement.with_for_update()
    found = (await session.execute(statement)).scalar_one_or_none()
    if found is None:
        raise NotFound(_("There is no such request."))
    return found


async def create_request(uow: UnitOfWork, *, actor: Actor, kind: str, organisation_id: int) -> ProvisioningRequest:
    if actor.user_id is None:
        raise ValidationFailed(_("Only a signed-in person can make a request."))
    session = uow.session
    request = ProvisioningRequest(kind=kind, organisation_id=organisation_id, requester_id=actor.user_id,
                                  state=workflow.DRAFT, created_at=session_now(session), version=1)
    session.add(request)
    await session.flush()
    event = await audit.record(session, actor=actor, action="provisioning.request.created",
                               object_type="provisioning_request", object_id=request.id,
                               after={"kind": kind, "organisation_id": organisation_id, "state": workflow.DRAFT})
    uow.emit(RequestChanged(event.seq, request.id, kind, request.state, "create"))
    return request


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationFailed(_("Write the reason or question: the other side reads it to know what to do."),
                               details={"field": "reason"})
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationFailed(_("The reason is too long (at most {limit} characters)."),
                               details={"field": "reason"}, limit=MAX_REASON_LENGTH)
    return text or None


async def transition(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, action: str,
                     reason: str | None = None) -> ProvisioningRequest:
    """Moves a (locked) request along its state machine; anything not in the table is refused with 409."""
    target = workflow.next_request_state(request.state, action, kind_of(request.kind).extra_transitions)
    if target is None:
        raise TransitionRefused(_("This request cannot go that way from where it is now; reload the page."),
                                details={"state": request.state, "action": action})
    session = uow.session
    now = session_now(session)
    before = _snapshot(request)
    if action in REASONED_ACTIONS:
        request.reason = _clean_reason(reason, required=REASONED_ACTIONS[action])
    await _keep_time(session, request, action, now)
    request.state = target
    request.version += 1
    event = await audit.record(session, actor=actor, action=f"provisioning.request.{action}",
                               object_type="provisioning_request", object_id=request.id,
                               before=before, after=_snapshot(request))
    uow.emit(RequestChanged(event.seq, request.id, request.kind, request.state, action))
    return request


async def _keep_time(session: AsyncSession, request: ProvisioningRequest, action: str, now: datetime) -> None:
    kind = kind_of(request.kind)
    if action in {"submit", "resubmit"}:
        calendar = await deadlines.calendar_of(session, request.organisation_id)
        request.submitted_at, request.reason = now, None
        request.due_at = due_after(calendar, now, kind.business_days)
        request.answered_at = request.overdue_notified_at = None
    elif action == "ask_requester":
        request.waiting_since = now
    elif action == "answer" and request.waiting_since is not None:
        calendar = await deadlines.calendar_of(session, request.organisation_id)
        if request.due_at is not None and request.answered_at is None:
            paused = business_time_between(calendar, request.waiting_since, now)
            request.due_at = add_business_time(calendar, request.due_at, paused)
        request.waiting_since = None
    if action in kind.deadline_met_by and request.answered_at is None:
        request.answered_at = now
    if action in {"complete", "cancel"}:
        request.closed_at = now


def _snapshot(request: ProvisioningRequest) -> dict[str, object]:
    return {"state": request.state, "reason": request.reason,
            "due_at": request.due_at.isoformat() if request.due_at else None}


async def add_plan(uow: UnitOfWork, *, request: ProvisioningRequest,
                   specs: list[workflow.TaskSpec]) -> list[ProvisioningTask]:
    """Creates a request's tasks; a plan with a cycle or an unknown prerequisite is refused before any write."""
    ordered = workflow.ordered_plan(specs)
    session = uow.session
    now = session_now(session)
    created: dict[str, ProvisioningTask] = {}
    for position, spec in enumerate(ordered):
        task = ProvisioningTask(request_id=request.id, key=spec.key, position=position,
                                target_system=spec.target_system, action=spec.action,
                                assignee_role=spec.assignee_role, state=workflow.PENDING, updated_at=now)
        session.add(task)
        created[spec.key] = task
    await session.flush()
    for spec in ordered:
        for prerequisite in spec.depends_on:
            session.add(TaskDependency(task_id=created[spec.key].id, prerequisite_id=created[prerequisite].id))
    await session.flush()
    return [created[spec.key] for spec in ordered]


async def tasks_of(session: AsyncSession, request_id: int) -> list[ProvisioningTask]:
    statement = select(ProvisioningTask).where(ProvisioningTask.request_id == request_id) \
        .order_by(ProvisioningTask.position)
    return list((await session.execute(statement)).scalars())


async def prerequisites_of(session: AsyncSession, task_id: int) -> list[ProvisioningTask]:
    statement = select(ProvisioningTask).join(TaskDependency, TaskDependency.prerequisite_id == ProvisioningTask.id) \
        .where(TaskDependency.task_id == task_id).order_by(ProvisioningTask.position)
    return list((await session.execute(statement)).scalars())


async def advance_task(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, task: ProvisioningTask,
                       action: str, external_reference: str | None = None, note: str | None = None,
                       complete_when_settled: bool = True) -> bool:
    """Moves one task; True when that settled the last open task and so completed the request.

    ``note`` (already checked by the caller) replaces the task's note, e.g. why it does not apply.
    ``complete_when_settled=False``: the caller decides whether the request is done (an IT order for a leaver is not
    while their access register still lists a system); then the return value says only whether every task is settled.
    """
    if request.state != workflow.IN_PROGRESS:
        raise TransitionRefused(_("The tasks of this request cannot change now: it is not in progress."),
                                details={"state": request.state})
    target = workflow.next_task_state(task.state, action)
    if target is None:
        raise TransitionRefused(_("This task cannot go that way from where it is now; reload the page."),
                                details={"state": task.state, "action": action})
    session = uow.session
    if action in workflow.TASK_ACTIONS_NEEDING_PREREQUISITES:
        waiting_on = [item.key for item in await prerequisites_of(session, task.id)
                      if item.state not in workflow.SETTLED_TASK_STATES]
        if waiting_on:
            raise TransitionRefused(_("This task has to wait: the tasks before it are not done yet."),
                                    details={"waiting_on": waiting_on})
    reference = (external_reference or "").strip()
    if action == "await_external" and not reference:
        raise ValidationFailed(_("Give the external reference (the ticket or order number) to wait on."),
                               details={"field": "external_reference"})
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise ValidationFailed(_("The reference is too long (at most {limit} characters)."),
                               details={"field": "external_reference"}, limit=MAX_REFERENCE_LENGTH)
    before = {"state": task.state, "external_reference": task.external_reference, "note": task.note}
    task.state = target
    task.external_reference = reference or task.external_reference
    task.note = note if note is not None else task.note
    task.updated_at, task.updated_by = session_now(session), actor.username
    event = await audit.record(session, actor=actor, action=f"provisioning.task.{action}",
                               object_type="provisioning_task", object_id=task.id, before=before,
                               after={"state": task.state, "external_reference": task.external_reference,
                                      "note": task.note, "request_id": request.id, "key": task.key})
    uow.emit(TaskChanged(event.seq, request.id, task.id, task.state, action))
    remaining = [item for item in await tasks_of(session, request.id) if item.state not in workflow.SETTLED_TASK_STATES]
    if remaining:
        return False
    if complete_when_settled:
        await transition(uow, actor=actor, request=request, action="complete")
    return True
