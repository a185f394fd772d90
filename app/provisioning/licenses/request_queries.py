"""One licence request as its page shows it: collaborators or the licence it is about, tasks with their
prerequisites, the audit history, and what the person looking at it may do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask, TaskDependency
from app.provisioning.core.request_pages import HistoryEntry, RequestFacts, request_facts, request_history
from app.provisioning.licenses import kinds, scope
from app.provisioning.licenses.collaborators import GENDERS
from app.provisioning.licenses.models import Collaborator, License, LicenseSubject
from app.provisioning.licenses.plans import TASK_ACTION_LABELS
from app.provisioning.licenses.queries import organisation_names

# The referent's own steps: "await_external" and "confirm" let them wait on the node administrator.
REFERENT_TASK_ACTIONS: Final = ("complete", "await_external", "confirm")
HISTORY_LABELS: Final = {
    "provisioning.request.created": _("Created"),
    "provisioning.request.submit": _("Submitted"),
    "provisioning.request.resubmit": _("Corrected and submitted again"),
    "provisioning.request.accept": _("Accepted"),
    "provisioning.request.reject": _("Rejected"),
    "provisioning.request.start": _("Work started"),
    "provisioning.request.ask_requester": _("Question to the requester"),
    "provisioning.request.answer": _("Answered"),
    "provisioning.request.complete": _("Done"),
    "provisioning.request.cancel": _("Cancelled"),
    "provisioning.task.complete": _("Step done"),
    "provisioning.task.await_external": _("Step waits for external confirmation"),
    "provisioning.task.confirm": _("Step confirmed"),
    "provisioning.task.skip": _("Step not applicable"),
    "provisioning.task.fail": _("Step failed"),
    "provisioning.task.retry": _("Step retried"),
}


@dataclass(frozen=True)
class CollaboratorView:
    position: int
    full_name: str
    run: str
    gender: str
    gender_label: str
    license_id: int | None


@dataclass(frozen=True)
class SubjectView:
    license_id: int
    full_name: str
    run: str
    description: str
    resolution: str | None


@dataclass(frozen=True)
class TaskView:
    id: int
    label: str
    person: str
    assignee_role: str
    state: str
    state_label: str
    external_reference: str | None
    # Each task it waits for: its label (a message id, translated on the page) and the person it is for.
    prerequisites: list[tuple[str, str]]
    ready: bool
    actions: list[str]


@dataclass(frozen=True)
class Allowed:
    """The forms the page offers; the services check the same rules again when a form is sent."""

    accept: bool = False
    reject: bool = False
    ask: bool = False
    resolve: bool = False
    resubmit: bool = False
    cancel: bool = False
    answer: bool = False


@dataclass(frozen=True)
class RequestView(RequestFacts):
    kind: str
    kind_label: str
    role: str
    organisation_name: str
    requester_name: str
    collaborators: list[CollaboratorView]
    subject: SubjectView | None
    tasks: list[TaskView]
    history: tuple[HistoryEntry, ...]
    allowed: Allowed = field(default_factory=Allowed)


async def request_view(session: AsyncSession, actor: Actor, request_id: int, now: datetime) -> RequestView:
    """The request if the actor may see it (its organisation and, for the help desk, tickets only)."""
    reach = await scope.reach_of(session, actor)
    request = await service.load_request(session, request_id)
    if request.kind not in kinds.LICENSE_KINDS:
        raise PermissionDenied(scope.OUTSIDE)
    scope.require_request(reach, organisation_id=request.organisation_id, kind=request.kind)
    requester = await session.get(User, request.requester_id)
    names = await organisation_names(session, [request.organisation_id])
    tasks = await _tasks(session, request, reach.role)
    return RequestView(
        **await request_facts(session, request, now), kind=request.kind,
        kind_label=kinds.LICENSE_KINDS[request.kind].label, role=reach.role,
        organisation_name=names.get(request.organisation_id, ""),
        requester_name=requester.display_name if requester else "",
        collaborators=await _collaborators(session, request.id), subject=await _subject(session, request.id),
        tasks=tasks, history=await request_history(session, request.id, labels=HISTORY_LABELS,
                                                   task_ids=[task.id for task in tasks]),
        allowed=_allowed(request, reach.role))


def _allowed(request: ProvisioningRequest, role: str) -> Allowed:
    state, handler = request.state, kinds.LICENSE_KINDS[request.kind].handler_role
    if role == kinds.REFERENT:
        return Allowed(resubmit=state == workflow.REJECTED and request.kind == kinds.NEW.code,
                       cancel=workflow.next_request_state(state, "cancel") is not None,
                       answer=state == workflow.WAITING_FOR_REQUESTER)
    if role != handler:
        return Allowed()
    return Allowed(accept=state == workflow.SUBMITTED, reject=state == workflow.SUBMITTED,
                   ask=state == workflow.IN_PROGRESS,
                   resolve=state == workflow.IN_PROGRESS and request.kind == kinds.SUPPORT.code)


async def _collaborators(session: AsyncSession, request_id: int) -> list[CollaboratorView]:
    rows = await session.execute(select(Collaborator).where(Collaborator.request_id == request_id)
                                 .order_by(Collaborator.position))
    labels = {str(code): label for code, label in GENDERS.items()}
    return [CollaboratorView(row.position, row.full_name, row.run, row.gender, labels.get(row.gender, row.gender),
                             row.license_id) for row in rows.scalars()]


async def _subject(session: AsyncSession, request_id: int) -> SubjectView | None:
    subject = await session.get(LicenseSubject, request_id)
    if subject is None:
        return None
    licence = await session.get(License, subject.license_id)
    return SubjectView(subject.license_id, licence.full_name if licence else "", licence.run if licence else "",
                       subject.description, subject.resolution)


async def _tasks(session: AsyncSession, request: ProvisioningRequest, role: str) -> list[TaskView]:
    tasks = await service.tasks_of(session, request.id)
    by_id = {task.id: task for task in tasks}
    people = {row.run: row.full_name for row in (await session.execute(
        select(Collaborator).where(Collaborator.request_id == request.id))).scalars()}
    needs: dict[int, list[int]] = {}
    if tasks:
        links = await session.execute(select(TaskDependency.task_id, TaskDependency.prerequisite_id)
                                      .where(TaskDependency.task_id.in_(list(by_id))))
        for task_id, prerequisite_id in links.all():
            needs.setdefault(task_id, []).append(prerequisite_id)
    views = []
    for task in tasks:
        before = [by_id[item] for item in needs.get(task.id, []) if item in by_id]
        ready = all(item.state in workflow.SETTLED_TASK_STATES for item in before)
        views.append(TaskView(task.id, TASK_ACTION_LABELS.get(task.action, task.action),
                              people.get(task.key.split(":", 1)[0], ""), task.assignee_role, task.state,
                              workflow.TASK_STATE_LABELS[task.state], task.external_reference,
                              [_task_name(item, people) for item in before], ready,
                              _task_actions(request, task, role, ready)))
    return views


def _task_name(task: ProvisioningTask, people: dict[str, str]) -> tuple[str, str]:
    """The label stays a message id: the page translates it, as it does the task's own label."""
    return TASK_ACTION_LABELS.get(task.action, task.action), people.get(task.key.split(":", 1)[0], "")


def _task_actions(request: ProvisioningRequest, task: ProvisioningTask, role: str, ready: bool) -> list[str]:
    if request.state != workflow.IN_PROGRESS or task.assignee_role != role or role != kinds.REFERENT or not ready:
        return []
    return [action for action in REFERENT_TASK_ACTIONS if workflow.next_task_state(task.state, action)]

