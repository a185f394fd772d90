"""IT support's view of employee-assignment requests: the queue (open first, overdue first) and one request with
its employee, units, systems, its one task and its history. Read only; ``assigning`` decides the writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied
from app.kit.i18n import _
from app.provisioning.core import deadlines, service, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.request_pages import HistoryEntry, RequestFacts, Zones, request_facts, request_history
from app.provisioning.roles import assigning, ending, kinds, scope
from app.provisioning.roles.models import AssignmentUnit, Employee, EmployeeAssignment, RoleUnit
from app.provisioning.roles.staff_queries import ASSIGNMENT_STATE_LABELS, identity_of

LIST_LIMIT: Final = 500
NOT_YOURS = _("Only IT support and the manager who asked may see this request.")
HISTORY_LABELS: Final = {
    "provisioning.request.created": _("Created"),
    "provisioning.request.submit": _("Submitted"),
    "provisioning.request.accept": _("Taken by IT support"),
    "provisioning.request.reject": _("Rejected"),
    "provisioning.request.start": _("Work started"),
    "provisioning.request.complete": _("Done"),
    "provisioning.request.cancel": _("Cancelled"),
    "provisioning.task.complete": _("Assignment created"),
    "provisioning.task.fail": _("The assignment could not be created"),
}
# The end of an assignment in HSA: the same page, its own words.
END_HISTORY_LABELS: Final = {**HISTORY_LABELS, "provisioning.task.complete": _("Assignment ended in HSA")}
TASK_LABEL: Final = _("Create the employee assignment")
END_TASK_LABEL: Final = _("End the employee assignment in HSA")
SUPPORT_KINDS: Final = (kinds.ASSIGNMENT.code, kinds.ASSIGNMENT_END.code)
KIND_LABELS: Final = {kinds.ASSIGNMENT.code: _("Create"), kinds.ASSIGNMENT_END.code: _("End in HSA")}


def _of_request(request_id: int | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """The assignment a request made, or ended in HSA."""
    return or_(EmployeeAssignment.request_id == request_id, EmployeeAssignment.end_request_id == request_id)


@dataclass(frozen=True)
class RequestRow:
    id: int
    employee_id: int
    employee_name: str
    care_area_name: str
    requester_name: str
    kind_label: str
    state: str
    state_label: str
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
    zone: ZoneInfo


async def support_queue(session: AsyncSession, actor: Actor, now: datetime) -> list[RequestRow]:
    """Open requests first, overdue ones first among them, then by due time; then the closed ones, newest first."""
    reach = await scope.support_reach(session, actor)
    if not reach:
        raise PermissionDenied(NOT_YOURS)
    statement = (select(ProvisioningRequest, Employee, Organisation.name, User.display_name)
                 .join(EmployeeAssignment, _of_request(ProvisioningRequest.id))
                 .join(Employee, Employee.id == EmployeeAssignment.employee_id)
                 .join(Organisation, Organisation.id == ProvisioningRequest.organisation_id)
                 .join(User, User.id == ProvisioningRequest.requester_id)
                 .where(ProvisioningRequest.kind.in_(SUPPORT_KINDS),
                        ProvisioningRequest.organisation_id.in_(sorted(reach)))
                 .order_by(ProvisioningRequest.id.desc()).limit(LIST_LIMIT))
    zones = Zones(session)
    rows = [RequestRow(request.id, employee.id, employee.full_name, area_name, requester,
                       KIND_LABELS[request.kind], request.state,
                       workflow.REQUEST_STATE_LABELS[request.state], request.submitted_at, request.due_at,
                       deadlines.is_overdue(request, now), await zones.of(request.organisation_id))
            for request, employee, area_name, requester in (await session.execute(statement)).all()]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (row.state not in workflow.OPEN_STATES, not row.overdue,
                                         row.due_at or far if row.state in workflow.OPEN_STATES else far, -row.id))


@dataclass(frozen=True)
class TaskView:
    label: str
    state: str
    state_label: str
    external_reference: str | None


@dataclass(frozen=True)
class AssignmentRequestView(RequestFacts):
    requester_name: str
    employee_id: int
    employee_name: str
    employee_identity: str
    care_area_name: str
    units: tuple[tuple[str, str], ...]  # (name, HSA-id)
    valid_from: date
    valid_to: date | None
    systems: tuple[str, ...]
    assignment_state_label: str
    task: TaskView | None
    history: tuple[HistoryEntry, ...]
    ends: bool  # the request ends the assignment in HSA (ending.py) rather than creating it
    may_take: bool
    may_complete: bool
    may_reject: bool


async def assignment_request(session: AsyncSession, actor: Actor, request_id: int,
                             now: datetime) -> AssignmentRequestView:
    request = await service.load_request(session, request_id)
    if request.kind not in SUPPORT_KINDS:
        raise NotFound(_("There is no such request."))
    ends = request.kind == kinds.ASSIGNMENT_END.code
    support = await scope.supports(session, actor, request.organisation_id)
    if not support and request.requester_id != actor.user_id:
        raise PermissionDenied(NOT_YOURS, details={"request_id": request_id})
    assignment = await session.scalar(select(EmployeeAssignment).where(_of_request(request.id)))
    if assignment is None:
        raise NotFound(_("There is no such request."))
    employee = await session.get(Employee, assignment.employee_id)
    area = await session.get(Organisation, assignment.care_area_id)
    requester = await session.get(User, request.requester_id)
    units = await session.execute(select(Organisation.name, RoleUnit.hsa_id)
                                  .join(AssignmentUnit, AssignmentUnit.unit_id == Organisation.id)
                                  .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
                                  .where(AssignmentUnit.assignment_id == assignment.id).order_by(Organisation.name))
    tasks = await service.tasks_of(session, request.id)
    task_key = ending.END_TASK.key if ends else assigning.CREATE_TASK.key
    task = next((item for item in tasks if item.key == task_key), None)
    state = request.state
    return AssignmentRequestView(
        **await request_facts(session, request, now), requester_name=requester.display_name if requester else "",
        employee_id=assignment.employee_id, employee_name=employee.full_name if employee else "",
        employee_identity=identity_of(employee) if employee else "", care_area_name=area.name if area else "",
        units=tuple((name, hsa_id) for name, hsa_id in units.all()), valid_from=assignment.valid_from,
        valid_to=assignment.valid_to, systems=tuple(assignment.systems),
        assignment_state_label=ASSIGNMENT_STATE_LABELS.get(assignment.state, assignment.state),
        task=None if task is None else TaskView(END_TASK_LABEL if ends else TASK_LABEL, task.state,
                                                workflow.TASK_STATE_LABELS[task.state], task.external_reference),
        history=await request_history(session, request.id, labels=END_HISTORY_LABELS if ends else HISTORY_LABELS,
                                      task_ids=[item.id for item in tasks]),
        ends=ends,
        may_take=support and state == workflow.SUBMITTED,
        may_complete=support and state == workflow.IN_PROGRESS and task is not None
        and task.state == workflow.PENDING,
        # Also after taking it, until it is created (kinds.ASSIGNMENT); an end in HSA is not refused.
        may_reject=support and not ends and state in (workflow.SUBMITTED, workflow.ACCEPTED, workflow.IN_PROGRESS))

