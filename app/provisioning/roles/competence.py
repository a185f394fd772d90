"""Giving and taking competence roles: only the nearest manager, only roles of the catalogue's current version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.roles import scope
from app.provisioning.roles.catalogue.versions import current_roles
from app.provisioning.roles.models import HeldRole, RoleCatalogue
from app.provisioning.roles.people import load_employee, require_nearest_manager


async def held_roles(session: AsyncSession, employee_id: int) -> list[HeldRole]:
    statement = select(HeldRole).where(HeldRole.employee_id == employee_id, HeldRole.removed_at.is_(None)) \
        .order_by(HeldRole.role_key)
    return list((await session.execute(statement)).scalars())


async def assign_role(session: AsyncSession, *, actor: Actor, employee_id: int, catalogue_id: int,
                      role_key: str) -> HeldRole:
    employee = await load_employee(session, employee_id, for_update=True)
    await require_nearest_manager(session, actor, employee)
    catalogue = await session.get(RoleCatalogue, catalogue_id)
    if catalogue is None:
        raise NotFound(_("There is no such role catalogue."))
    if catalogue.care_area_id not in await scope.region_of_unit(session, employee.unit_id):
        # The page offers the catalogues of the employee's region; another region's roles are not theirs to give.
        raise PermissionDenied(scope.OUTSIDE, details={"catalogue_id": catalogue_id})
    if role_key not in {role.key for role in await current_roles(session, catalogue_id)}:
        raise ValidationFailed(_("{role} is not a role of the catalogue's current version."), role=role_key,
                               details={"field": "role_key"})
    if any(held.role_key == role_key and held.catalogue_id == catalogue_id
           for held in await held_roles(session, employee_id)):
        raise Conflict(_("The employee already holds {role}."), role=role_key)
    held = HeldRole(employee_id=employee_id, catalogue_id=catalogue_id, role_key=role_key,
                    assigned_by=actor.username, assigned_at=session_now(session))
    session.add(held)
    await session.flush()
    await audit.record(session, actor=actor, action="roles.competence_assigned", object_type="employee",
                       object_id=employee_id, after={"role": role_key, "catalogue_id": catalogue_id})
    return held


async def remove_role(session: AsyncSession, *, actor: Actor, employee_id: int, held_id: int) -> HeldRole:
    employee = await load_employee(session, employee_id, for_update=True)
    await require_nearest_manager(session, actor, employee)
    held = await session.get(HeldRole, held_id)
    if held is None or held.employee_id != employee_id or held.removed_at is not None:
        raise NotFound(_("The employee does not hold this role."))
    held.removed_at, held.removed_by = session_now(session), actor.username
    await audit.record(session, actor=actor, action="roles.competence_removed", object_type="employee",
                       object_id=employee_id, before={"role": held.role_key}, after=None)
    return held
