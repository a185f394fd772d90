"""Employees and their nearest manager, the one person who may give or take a competence role (seed 001:
"only the employee's nearest manager can assign the employee a role")."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.hsa_ids import InvalidIdentifier, normalise_hsa_id
from app.provisioning.roles import scope
from app.provisioning.roles.models import Employee, RoleUnit
from app.provisioning.roles.personal_numbers import normalise_personal_number

NOT_NEAREST = _("Only the employee's nearest manager may do this.")


async def load_employee(session: AsyncSession, employee_id: int, *, for_update: bool = False) -> Employee:
    statement = select(Employee).where(Employee.id == employee_id)
    found = (await session.execute(statement.with_for_update() if for_update else statement)).scalar_one_or_none()
    if found is None:
        raise NotFound(_("There is no such employee."))
    return found


async def nearest_manager_id(session: AsyncSession, employee: Employee) -> int | None:
    """The manager named for the employee, else the manager of the employee's unit."""
    if employee.manager_user_id is not None:
        return employee.manager_user_id
    unit = await session.get(RoleUnit, employee.unit_id)
    return None if unit is None else unit.manager_user_id


async def require_nearest_manager(session: AsyncSession, actor: Actor, employee: Employee) -> None:
    """Anyone else, an administrator or IT support included, is refused (the refusal is audited by the
    error handler, in its own transaction)."""
    nearest = await nearest_manager_id(session, employee)
    if actor.user_id is None or nearest != actor.user_id or not permissions.may(actor, permissions.ROLES_MANAGE_STAFF):
        raise PermissionDenied(NOT_NEAREST, details={"employee_id": employee.id})


async def _require_account_of_region(session: AsyncSession, user_id: int | None, unit_id: int) -> None:
    """The account linked to an employee sees their login tickets: only an account of the unit's region may be
    linked, so that a manager cannot show one region's tickets to another region's account."""
    if user_id is None:
        return
    user = await session.get(User, user_id)
    if user is None or user.organisation_id not in await scope.region_of_unit(session, unit_id):
        raise ValidationFailed(_("There is no bedboard account named {username}."),
                               username=user.username if user else "", details={"field": "username"})


def _checked(field: str, text: str, normalise: Callable[[str], str]) -> str:
    """The identifier as stored, or the rule it breaks as a validation error on its field."""
    try:
        return normalise(text)
    except InvalidIdentifier as error:
        raise error.on_field(field) from error


async def register_employee(session: AsyncSession, *, actor: Actor, full_name: str, personal_number: str | None,
                            hsa_person_id: str | None, unit_id: int, manager_user_id: int | None = None,
                            user_id: int | None = None) -> Employee:
    """The unit's manager or IT support records an employee of a unit."""
    unit = await session.get(RoleUnit, unit_id)
    organisation = await session.get(Organisation, unit_id)
    if unit is None or organisation is None:
        raise ValidationFailed(_("Choose a unit with an HSA-id."), details={"field": "unit_id"})
    if not (await scope.supports(session, actor, unit_id)
            or (permissions.may(actor, permissions.ROLES_MANAGE_STAFF) and unit.manager_user_id == actor.user_id)):
        raise PermissionDenied(_("Only the unit's manager or IT support may record its employees."),
                               details={"unit_id": unit_id})
    await _require_account_of_region(session, user_id, unit_id)
    name = " ".join(full_name.split())
    if not 1 <= len(name) <= 200:
        raise ValidationFailed(_("Enter the employee's name (at most 200 characters)."), details={"field": "full_name"})
    number = None
    if personal_number and personal_number.strip():
        today = session_now(session).date()
        number = _checked("personal_number", personal_number, lambda text: normalise_personal_number(text, today))
    person_id = None
    if hsa_person_id and hsa_person_id.strip():
        person_id = _checked("hsa_person_id", hsa_person_id, normalise_hsa_id)
    if number is None and person_id is None:
        raise ValidationFailed(_("Give the personal identity number or the HSA person id."),
                               details={"field": "personal_number"})
    if number is not None and await session.scalar(select(Employee.id).where(Employee.personal_number == number)):
        raise ValidationFailed(_("An employee with this personal identity number is already recorded."),
                               details={"field": "personal_number"})
    if person_id is not None and await session.scalar(select(Employee.id).where(Employee.hsa_person_id == person_id)):
        raise ValidationFailed(_("An employee with this HSA person id is already recorded."),
                               details={"field": "hsa_person_id"})
    employee = Employee(full_name=name, personal_number=number, hsa_person_id=person_id, unit_id=unit_id,
                        manager_user_id=manager_user_id, user_id=user_id, created_at=session_now(session))
    session.add(employee)
    await session.flush()
    await audit.record(session, actor=actor, action="roles.employee_registered", object_type="employee",
                       object_id=employee.id, after={"full_name": name, "unit_id": unit_id,
                                                     "manager_user_id": manager_user_id})
    return employee
