"""IT support's view of employee-assignment requests: the queue (open first, overdue first) and one request with
its employee, units, systems, its one task and its history. Read only; ``assigning`` decides the writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied
from app.kit.i18n import _
from app.provisioning.core import deadlines, service, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.request_pages import HistoryEntry, RequestFacts, Zones, request_facts, request_history
from app.provisioning.roles import assigning, kinds, scope
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
}
TASK_LABEL: Final = _("Create the employee assignment")


@dataclass(frozen=True)
class RequestRow:
    id: int
    employee_id: int
    employee_name: str
    care_area_name: str
    requester_name: str
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
                 .join(EmployeeAssignment, EmployeeAssignment.request_id == ProvisioningRequest.id)
                 .join(Employee, Employee.id == EmployeeAssignment.employee_id)
                 .join(Organisation, Organisation.id == ProvisioningRequest.organisation_id)
                 .join(User, User.id == ProvisioningRequest.requester_id)
                 .where(ProvisioningRequest.kind == kinds.ASSIGNMENT.code,
                        ProvisioningRequest.organisation_id.in_(sorted(reach)))
                 .order_by(ProvisioningRequest.id.desc()).limit(LIST_LIMIT))
    zones = Zones(session)
    rows = [RequestRow(request.id, employee.id, employee.full_name, area_name, requester, request.state,
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
    may_take: bool
    may_complete: bool
    may_reject: bool


async def assignment_request(session: AsyncSession, actor: Actor, request_id: int,
                             now: datetime) -> AssignmentRequestView:
    request = await service.load_request(session, request_id)
    if request.kind != kinds.ASSIGNMENT.code:
        raise NotFound(_("There is no such request."))
    support = await scope.supports(session, actor, request.organisation_id)
    if not support and request.requester_id != actor.user_id:
        raise PermissionDenied(NOT_YOURS, details={"request_id": request_id})
    assignment = await session.scalar(select(EmployeeAssignment).where(EmployeeAssignment.request_id == request.id))
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
    task = next((item for item in tasks if item.key == assigning.CREATE_TASK.key), None)
    state = request.state
    return AssignmentRequestView(
        **await request_facts(session, request, now), requester_name=requester.display_name if requester else "",
        employee_id=assignment.employee_id, employee_name=employee.full_name if employee else "",
        employee_identity=identity_of(employee) if employee else "", care_area_name=area.name if area else "",
        units=tuple((name, hsa_id) for name, hsa_id in units.all()), valid_from=assignment.valid_from,
        valid_to=assignment.valid_to, systems=tuple(assignment.systems),
        assignment_state_label=ASSIGNMENT_STATE_LABELS.get(assignment.state, assignment.state),
        task=None if task is None else TaskView(TASK_LABEL, task.state, workflow.TASK_STATE_LABELS[task.state],
                                                task.external_reference),
        history=await request_history(session, request.id, labels=HISTORY_LABELS,
                                      task_ids=[item.id for item in tasks]),
        may_take=support and state == workflow.SUBMITTED,
        may_complete=support and state == workflow.IN_PROGRESS and task is not None
        and task.state == workflow.PENDING,
        may_reject=support and state == workflow.SUBMITTED)

