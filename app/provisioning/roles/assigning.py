"""Employee assignments: the manager asks, IT support creates it (a provisioning request with its task)."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, users_with_role
from app.provisioning.core import service
from app.provisioning.core.catalogues import load_document
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.workflow import TaskSpec
from app.provisioning.roles import ending, kinds, scope, support_steps
from app.provisioning.roles.models import AssignmentUnit, EmployeeAssignment, RoleUnit
from app.provisioning.roles.people import load_employee, nearest_manager_id

ACTIVE: Final = "active"
REQUESTED: Final = "requested"
ENDED: Final = "ended"
CREATE_TASK = TaskSpec("create_assignment", "hsa", "create_assignment", "it_support")


def known_systems() -> tuple[str, ...]:
    """The systems an assignment opens (the seed names NPÖ, Pascal and Clinic24), kept as data."""
    systems: list[str] = load_document("roles")["systems"]
    return tuple(systems)


async def request_assignment(uow: UnitOfWork, *, actor: Actor, employee_id: int, care_area_id: int,
                             unit_ids: list[int], valid_from: date, valid_to: date | None,
                             systems: list[str]) -> ProvisioningRequest:
    """The employee's nearest manager asks IT support for an assignment in one care area."""
    session = uow.session
    employee = await load_employee(session, employee_id)
    if not permissions.may(actor, permissions.ROLES_MANAGE_STAFF) or \
            await nearest_manager_id(session, employee) != actor.user_id:
        raise PermissionDenied(_("Only the employee's nearest manager may ask for an assignment."))
    if care_area_id not in await scope.region_of_unit(session, employee.unit_id):
        # The form offers the care areas of the employee's region only; another region's is not one to choose.
        raise ValidationFailed(_("Choose a care area."), details={"field": "care_area_id"})
    await _check(session, care_area_id, unit_ids, valid_from, valid_to, systems)
    request = await service.create_request(uow, actor=actor, kind=kinds.ASSIGNMENT.code, organisation_id=care_area_id)
    assignment = EmployeeAssignment(employee_id=employee_id, care_area_id=care_area_id, valid_from=valid_from,
                                    valid_to=valid_to, systems=sorted(set(systems)), state=REQUESTED,
                                    request_id=request.id, created_at=request.created_at)
    session.add(assignment)
    await session.flush()
    for unit_id in sorted(set(unit_ids)):
        session.add(AssignmentUnit(assignment_id=assignment.id, unit_id=unit_id))
    await audit.record(session, actor=actor, action="roles.assignment_requested", object_type="employee",
                       object_id=employee_id, after={"assignment_id": assignment.id, "care_area_id": care_area_id,
                                                     "unit_ids": sorted(set(unit_ids)), "systems": assignment.systems,
                                                     "valid_from": valid_from.isoformat(),
                                                     "valid_to": valid_to.isoformat() if valid_to else None})
    await service.transition(uow, actor=actor, request=request, action="submit")
    support = await users_with_role(session, "it_support", await scope.region_of_area(session, care_area_id))
    await notify(session, recipients=support, message=_("Employee assignment #{number} waits for IT support."),
                 params={"number": request.id}, link=kinds.DETAIL.format(number=request.id))
    return request


async def _check(session: AsyncSession, care_area_id: int, unit_ids: list[int], valid_from: date,
                 valid_to: date | None, systems: list[str]) -> None:
    area = await session.get(Organisation, care_area_id)
    if area is None or area.kind != "care_area":
        raise ValidationFailed(_("Choose a care area."), details={"field": "care_area_id"})
    if not unit_ids:
        raise ValidationFailed(_("Choose at least one unit."), details={"field": "unit_ids"})
    units = list((await session.execute(select(Organisation.id).join(RoleUnit, RoleUnit.organisation_id ==
                                                                     Organisation.id)
                                        .where(Organisation.id.in_(unit_ids),
                                               Organisation.parent_id == care_area_id))).scalars())
    if len(units) != len(set(unit_ids)):
        raise ValidationFailed(_("Every unit must belong to the chosen care area."), details={"field": "unit_ids"})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(_("The end date comes before the start date."), details={"field": "valid_to"})
    unknown = sorted(set(systems) - set(known_systems()))
    if unknown or not systems:
        raise ValidationFailed(_("Choose the systems among: {systems}."), systems=", ".join(known_systems()),
                               details={"field": "systems"})


async def accept_for_support(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    """IT support takes the request: its task (create the assignment) appears."""
    request = await _support_request(uow, actor, request_id)
    await support_steps.take(uow, actor=actor, request=request, task=CREATE_TASK)
    return request


async def complete_creation(uow: UnitOfWork, *, actor: Actor, request_id: int,
                            external_reference: str | None = None) -> EmployeeAssignment:
    """IT support has created the assignment: its task is done, the request completes, it becomes active."""
    session = uow.session
    request = await _support_request(uow, actor, request_id)
    await support_steps.complete(uow, actor=actor, request=request, task=CREATE_TASK,
                                 external_reference=external_reference)
    assignment = await session.scalar(select(EmployeeAssignment).where(EmployeeAssignment.request_id == request.id))
    assert assignment is not None
    assignment.state = ACTIVE
    await audit.record(session, actor=actor, action="roles.assignment_activated", object_type="employee",
                       object_id=assignment.employee_id, after={"assignment_id": assignment.id})
    await _tell_created(session, request, assignment)
    return assignment


async def _tell_created(session: AsyncSession, request: ProvisioningRequest, assignment: EmployeeAssignment) -> None:
    """The next people of the seed's flow: the manager who asked (and the nearest manager, if another) gives the
    competence role the login ticket also needs; the employee can log in once both are there."""
    employee = await load_employee(session, assignment.employee_id)
    managers = {user_id for user_id in (request.requester_id, await nearest_manager_id(session, employee))
                if user_id is not None}
    recipients = [user for user_id in sorted(managers) if (user := await session.get(User, user_id)) is not None]
    await notify(session, recipients=recipients,
                 message=_("IT support created employee assignment #{number} for {employee}: their login tickets "
                           "show it with each competence role linked to its units."),
                 params={"number": request.id, "employee": employee.full_name},
                 link=f"/roles/employees/{employee.id}")
    account = await session.get(User, employee.user_id) if employee.user_id is not None else None
    if account is not None:
        await notify(session, recipients=[account], message=_("Your employee assignment is created: see your login "
                                                              "tickets."), params={}, link="/roles/tickets")


async def _support_request(uow: UnitOfWork, actor: Actor, request_id: int) -> ProvisioningRequest:
    if not permissions.may(actor, permissions.ROLES_SUPPORT):
        raise PermissionDenied(_("Only IT support creates employee assignments."))
    request = await service.load_request(uow.session, request_id, for_update=True)
    if request.kind != kinds.ASSIGNMENT.code:
        raise PermissionDenied(_("This request is not an employee assignment."))
    # The queue lists only the region's requests; taking, completing or rejecting is checked again here.
    await scope.require_support(uow.session, actor, request.organisation_id, request_id=request.id)
    return request


async def end_assignment(uow: UnitOfWork, *, actor: Actor, assignment_id: int,
                         employee_id: int | None = None) -> EmployeeAssignment:
    """``employee_id``: the employee the page names; an assignment of anyone else is not found."""
    session = uow.session
    assignment = await session.get(EmployeeAssignment, assignment_id, with_for_update=True)
    if assignment is None or employee_id not in (None, assignment.employee_id):
        raise ValidationFailed(_("There is no such assignment."))
    employee = await load_employee(session, assignment.employee_id)
    if not (await scope.supports(session, actor, assignment.care_area_id)
            or await nearest_manager_id(session, employee) == actor.user_id):
        raise PermissionDenied(_("Only the nearest manager or IT support may end an assignment."),
                               details={"assignment_id": assignment.id})
    before = assignment.state
    if before == ENDED:
        raise Conflict(_("This assignment has already ended."), details={"assignment_id": assignment.id})
    assignment.state = ENDED
    await audit.record(session, actor=actor, action="roles.assignment_ended", object_type="employee",
                       object_id=assignment.employee_id, before={"state": before},
                       after={"assignment_id": assignment.id, "state": ENDED})
    if before == ACTIVE:
        # It exists in HSA: IT support is asked to end it there too, tracked to done (ending.py).
        await ending.ask_to_end(uow, actor=actor, assignment=assignment, employee=employee)
    return assignment
