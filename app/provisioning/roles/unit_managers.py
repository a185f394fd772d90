"""Who manages a unit and whose employee someone is: the nearest-manager rule's data, administered in the product.

Seed 001 makes the nearest manager the one person who gives competence roles and asks IT support for employee
assignments; a unit without a manager is therefore a dead end (nobody may record its employees or give them a
role). Who may fix that: IT support of the unit's region (they keep the HSA data every login rests on) and the head
of operations of the unit's care area (the verksamhetschef, to whom the unit heads answer). A unit's manager, and a
manager named for one employee, must be a manager of the unit's care area (a user with the role "manager" in the
care area or one of its units): an employee, or another care area's manager, is refused, from the pages, the API
and the command line alike. Every change is audited and the people concerned are told.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.roles import scope
from app.provisioning.roles.models import Employee, RoleUnit
from app.provisioning.roles.people import load_employee

MANAGER_ROLE = "manager"
NOT_ADMINISTRATOR = _("Only IT support of the region or the head of operations of the care area may change who "
                      "manages this unit.")
NOT_A_MANAGER = _("{name} is not a manager of {care_area}: choose a manager of the unit's care area.")


async def load_unit(session: AsyncSession, unit_id: int) -> tuple[RoleUnit, Organisation]:
    unit = await session.get(RoleUnit, unit_id, with_for_update=True)
    organisation = await session.get(Organisation, unit_id)
    if unit is None or organisation is None:
        raise NotFound(_("There is no such unit."))
    return unit, organisation


async def may_administer(session: AsyncSession, actor: Actor, unit: Organisation) -> bool:
    """IT support of the unit's region, or the head of operations of the unit's care area."""
    if await scope.supports(session, actor, unit.id):
        return True
    return (permissions.may(actor, permissions.ROLES_CATALOGUE_APPROVE) and unit.parent_id is not None
            and actor.organisation_id == unit.parent_id)


async def managers_of_area(session: AsyncSession, care_area_id: int | None) -> list[User]:
    """The users who may manage a unit of the care area: role "manager", in the care area or one of its units."""
    if care_area_id is None:
        return []
    found = await users_with_role(session, MANAGER_ROLE, await organisation_ids_under(session, care_area_id))
    return sorted(found, key=lambda user: (user.display_name.lower(), user.id))


async def checked_manager(session: AsyncSession, unit: Organisation, manager_user_id: int) -> User:
    """The user, if a manager of the unit's care area; refused with the rule otherwise."""
    user = await session.get(User, manager_user_id)
    if user is not None and user.id in {found.id for found in await managers_of_area(session, unit.parent_id)}:
        return user
    area = await session.get(Organisation, unit.parent_id) if unit.parent_id is not None else None
    raise ValidationFailed(NOT_A_MANAGER, name=user.display_name if user else str(manager_user_id),
                           care_area=area.name if area else unit.name, details={"field": "manager_user_id"})


async def set_unit_manager(session: AsyncSession, *, actor: Actor, unit_id: int, manager_user_id: int) -> RoleUnit:
    row, unit = await load_unit(session, unit_id)
    if not await may_administer(session, actor, unit):
        raise PermissionDenied(NOT_ADMINISTRATOR, details={"unit_id": unit_id})
    manager = await checked_manager(session, unit, manager_user_id)
    before = row.manager_user_id
    if before == manager.id:
        return row
    row.manager_user_id = manager.id
    await audit.record(session, actor=actor, action="roles.unit_manager_set", object_type="organisation",
                       object_id=unit.id, before={"manager_user_id": before},
                       after={"manager_user_id": manager.id, "manager": manager.username})
    await notify(session, recipients=[manager], message=_("You are now the manager of {unit}: you record its "
                                                          "employees and give them competence roles."),
                 params={"unit": unit.name}, link="/roles/staff")
    return row


async def move_employee(session: AsyncSession, *, actor: Actor, employee_id: int, unit_id: int,
                        manager_user_id: int | None) -> Employee:
    """Sets the employee's unit and, if one is named, their own nearest manager (else the unit's manager is).

    The actor must administer both the unit the employee leaves and the one they join."""
    employee = await load_employee(session, employee_id, for_update=True)
    row, unit = await load_unit(session, unit_id)
    current = await session.get_one(Organisation, employee.unit_id)
    if not (await may_administer(session, actor, current) and await may_administer(session, actor, unit)):
        raise PermissionDenied(NOT_ADMINISTRATOR, details={"employee_id": employee_id, "unit_id": unit_id})
    manager = None if manager_user_id is None else await checked_manager(session, unit, manager_user_id)
    before = {"unit_id": employee.unit_id, "manager_user_id": employee.manager_user_id}
    after = {"unit_id": unit.id, "manager_user_id": manager.id if manager else None}
    if before == after:
        return employee
    employee.unit_id, employee.manager_user_id = unit.id, after["manager_user_id"]
    await audit.record(session, actor=actor, action="roles.employee_unit_set", object_type="employee",
                       object_id=employee.id, before=before, after=after)
    nearest = manager or (await session.get(User, row.manager_user_id) if row.manager_user_id else None)
    if nearest is not None:
        await notify(session, recipients=[nearest], message=_("{employee} now has you as their nearest manager "
                                                              "({unit})."),
                     params={"employee": employee.full_name, "unit": unit.name},
                     link=f"/roles/employees/{employee.id}")
    return employee


async def employees_of_unit(session: AsyncSession, unit_id: int) -> list[Employee]:
    statement = select(Employee).where(Employee.unit_id == unit_id).order_by(Employee.full_name, Employee.id)
    return list((await session.execute(statement)).scalars())
