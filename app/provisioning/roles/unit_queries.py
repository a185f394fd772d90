"""What the unit pages show: the region's units with their managers (a unit without one flagged), and one unit
with its employees, who may name its manager, and the forms' choices. Read only; ``unit_managers`` decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.notifications.notify import users_with_role
from app.provisioning.roles import scope
from app.provisioning.roles.models import Employee, RoleUnit
from app.provisioning.roles.unit_managers import load_unit, managers_of_area, may_administer


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    hsa_id: str
    care_area_name: str
    manager_name: str | None


@dataclass(frozen=True)
class PersonOption:
    id: int
    name: str


@dataclass(frozen=True)
class UnitEmployee:
    id: int
    full_name: str
    nearest_manager: str | None
    named_manager: bool  # the employee names their own manager instead of the unit's


@dataclass(frozen=True)
class UnitView:
    id: int
    name: str
    hsa_id: str
    care_area_name: str
    manager_id: int | None
    manager_name: str | None
    # Who may name the manager: IT support of the region, the head of operations of the care area.
    fixers: tuple[str, ...]
    may_administer: bool
    candidates: tuple[PersonOption, ...]  # the managers of the care area
    employees: tuple[UnitEmployee, ...]
    destinations: tuple[UnitRow, ...]  # the units an employee of this one may be moved to by this actor
    region_managers: tuple[PersonOption, ...]  # whom a moved employee may name (checked against the unit's area)


async def _region_of_actor(session: AsyncSession, actor: Actor) -> frozenset[int]:
    if actor.organisation_id is None:
        return frozenset()
    return await scope.region_of_unit(session, actor.organisation_id)


async def unit_rows(session: AsyncSession, actor: Actor) -> list[UnitRow]:
    """The units of the actor's region, by care area and name."""
    region = await _region_of_actor(session, actor)
    if not region:
        return []
    area = Organisation.__table__.alias("area")
    statement = (select(Organisation.id, Organisation.name, RoleUnit.hsa_id, area.c.name, User.display_name)
                 .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
                 .outerjoin(area, area.c.id == Organisation.parent_id)
                 .outerjoin(User, User.id == RoleUnit.manager_user_id)
                 .where(Organisation.id.in_(sorted(region)))
                 .order_by(area.c.name, Organisation.name))
    return [UnitRow(row[0], row[1], row[2], row[3] or "", row[4]) for row in (await session.execute(statement)).all()]


def _options(users: list[User]) -> tuple[PersonOption, ...]:
    return tuple(PersonOption(user.id, user.display_name) for user in users)


async def unit_view(session: AsyncSession, actor: Actor, unit_id: int) -> UnitView:
    row, unit = await load_unit(session, unit_id)
    region = await scope.region_of_unit(session, unit.id)
    if actor.organisation_id not in region:
        raise PermissionDenied(scope.OUTSIDE, details={"unit_id": unit_id})
    area = await session.get(Organisation, unit.parent_id) if unit.parent_id is not None else None
    manager = await session.get(User, row.manager_user_id) if row.manager_user_id is not None else None
    support = await users_with_role(session, "it_support", region)
    heads = await users_with_role(session, "head_of_operations", [area.id]) if area is not None else []
    fixers = tuple(sorted({user.display_name for user in [*support, *heads]}))
    administers = await may_administer(session, actor, unit)
    employees = await _employees(session, unit.id, manager)
    destinations = [item for item in await unit_rows(session, actor)
                    if administers and await may_administer(session, actor, await session.get_one(Organisation,
                                                                                                  item.id))]
    region_managers: list[User] = []
    if administers:
        for item in {destination.id for destination in destinations}:
            parent = (await session.get_one(Organisation, item)).parent_id
            region_managers.extend(user for user in await managers_of_area(session, parent)
                                   if user.id not in {found.id for found in region_managers})
    return UnitView(unit.id, unit.name, row.hsa_id, area.name if area else "", row.manager_user_id,
                    manager.display_name if manager else None, fixers, administers,
                    _options(await managers_of_area(session, unit.parent_id)) if administers else (),
                    employees, tuple(destinations),
                    tuple(sorted(_options(region_managers), key=lambda option: option.name.lower())))


async def _employees(session: AsyncSession, unit_id: int, unit_manager: User | None) -> tuple[UnitEmployee, ...]:
    statement = (select(Employee, User.display_name).outerjoin(User, User.id == Employee.manager_user_id)
                 .where(Employee.unit_id == unit_id).order_by(Employee.full_name, Employee.id))
    return tuple(UnitEmployee(employee.id, employee.full_name,
                              named if employee.manager_user_id is not None
                              else (unit_manager.display_name if unit_manager else None),
                              employee.manager_user_id is not None)
                 for employee, named in (await session.execute(statement)).all())
