"""Ending an employee assignment in HSA too (seed 001's login ticket rests on HSA's copy of the assignment): when the
nearest manager or IT support ends one in bedboard, a request asks IT support to end it in HSA; they take it, end
it there and mark it done, and the manager who ended it is told. The employee's page shows where it stands.
"""

from __future__ import annotations

from sqlalchemy import select

from accounts import permissions
from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.notifications.notify import notify, users_with_role
from app.provisioning.core import service
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.workflow import TaskSpec
from app.provisioning.roles import kinds, scope, support_steps
from app.provisioning.roles.models import Employee, EmployeeAssignment

END_TASK = TaskSpec("end_assignment", "hsa", "end_assignment", "it_support")


async def ask_to_end(uow: UnitOfWork, *, actor: Actor, assignment: EmployeeAssignment,
                     employee: Employee) -> ProvisioningRequest:
    """The request for IT support of the care area's region, submitted at once; IT support is told."""
    session = uow.session
    request = await service.create_request(uow, actor=actor, kind=kinds.ASSIGNMENT_END.code,
                                           organisation_id=assignment.care_area_id)
    assignment.end_request_id = request.id
    await service.transition(uow, actor=actor, request=request, action="submit")
    support = await users_with_role(session, "it_support", await scope.region_of_area(session, assignment.care_area_id))
    area = await session.get(Organisation, assignment.care_area_id)
    await notify(session, recipients=support,
                 message=_("{employee}'s employee assignment in {care_area} was ended in bedboard: end it in HSA "
                           "(request #{number})."),
                 params={"employee": employee.full_name, "care_area": area.name if area else "",
                         "number": request.id}, link=kinds.DETAIL.format(number=request.id))
    return request


async def _end_request(uow: UnitOfWork, actor: Actor, request_id: int) -> ProvisioningRequest:
    if not permissions.may(actor, permissions.ROLES_SUPPORT):
        raise PermissionDenied(_("Only IT support ends employee assignments in HSA."))
    request = await service.load_request(uow.session, request_id, for_update=True)
    if request.kind != kinds.ASSIGNMENT_END.code:
        raise PermissionDenied(_("This request is not the end of an employee assignment."))
    await scope.require_support(uow.session, actor, request.organisation_id, request_id=request.id)
    return request


async def take_end(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    request = await _end_request(uow, actor, request_id)
    await support_steps.take(uow, actor=actor, request=request, task=END_TASK)
    return request


async def complete_end(uow: UnitOfWork, *, actor: Actor, request_id: int,
                       external_reference: str | None = None) -> ProvisioningRequest:
    """Ended in HSA: the task is done, the request too, and whoever ended it in bedboard is told."""
    session = uow.session
    request = await _end_request(uow, actor, request_id)
    await support_steps.complete(uow, actor=actor, request=request, task=END_TASK,
                                 external_reference=external_reference)
    assignment = await session.scalar(select(EmployeeAssignment).where(EmployeeAssignment.end_request_id == request.id))
    employee = await session.get(Employee, assignment.employee_id) if assignment is not None else None
    requester = await session.get(User, request.requester_id)
    await notify(session, recipients=[requester] if requester else [],
                 message=_("IT support ended {employee}'s employee assignment in HSA (request #{number})."),
                 params={"employee": employee.full_name if employee else "", "number": request.id},
                 link=f"/roles/employees/{employee.id}" if employee else None)
    return request
