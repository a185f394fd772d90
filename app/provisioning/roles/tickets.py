"""Login tickets (inloggningsbiljetter): computed, never stored. For every unit of an active assignment,
every competence role the employee holds that the catalogue's current version links to that unit.

When a unit gives no choice, or a role is linked to none of the assigned units, the reason is given, so
the employee (or IT support) knows what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.notifications.notify import organisation_ids_under
from app.provisioning.roles import scope
from app.provisioning.roles.assigning import ACTIVE
from app.provisioning.roles.catalogue.versions import current_roles
from app.provisioning.roles.competence import held_roles
from app.provisioning.roles.login_tokens import is_login_system
from app.provisioning.roles.models import AssignmentUnit, Employee, EmployeeAssignment, RoleUnit
from app.provisioning.roles.people import load_employee, nearest_manager_id


@dataclass(frozen=True)
class Choice:
    unit_id: int
    unit_name: str
    hsa_id: str
    role_key: str


@dataclass(frozen=True)
class Gap:
    """Why something gives no choice: a message id and its parameters."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LoginTickets:
    employee_id: int
    employee_name: str
    choices: tuple[Choice, ...]
    gaps: tuple[Gap, ...]


async def may_see_tickets(session: AsyncSession, actor: Actor, employee: Employee) -> bool:
    """The employee themself, their nearest manager, IT support of the employee's region, or a login system's
    token of that region (``login_tokens``)."""
    if is_login_system(actor):
        return actor.organisation_id is not None and employee.unit_id in await organisation_ids_under(
            session, actor.organisation_id)
    if actor.user_id is None:
        return False
    if await scope.supports(session, actor, employee.unit_id):
        return True
    return actor.user_id in {employee.user_id, await nearest_manager_id(session, employee)}


async def login_tickets(session: AsyncSession, *, actor: Actor, employee_id: int, today: date) -> LoginTickets:
    employee = await load_employee(session, employee_id)
    if not await may_see_tickets(session, actor, employee):
        raise PermissionDenied(_("Only the employee, their nearest manager or IT support may see these tickets."),
                               details={"employee_id": employee.id})
    units = await _assigned_units(session, employee_id, today)
    held = await held_roles(session, employee_id)
    catalogue_ids = {item.catalogue_id for item in held}
    links: dict[tuple[int, str], frozenset[str]] = {}
    for catalogue_id in catalogue_ids:
        for role in await current_roles(session, catalogue_id):
            links[(catalogue_id, role.key)] = frozenset(role.units)
    choices: list[Choice] = []
    gaps: list[Gap] = []
    if not units:
        gaps.append(Gap(_("No active employee assignment: ask your manager for one.")))
    if not held:
        gaps.append(Gap(_("No competence role: only your nearest manager can give you one.")))
    for item in held:
        linked = links.get((item.catalogue_id, item.role_key))
        if linked is None:
            gaps.append(Gap(_("The role {role} is no longer in its catalogue."), {"role": item.role_key}))
            continue
        matching = [unit for unit in units if unit[2] in linked]
        if units and not matching:
            gaps.append(Gap(_("The role {role} is linked to none of your assigned units."), {"role": item.role_key}))
        choices.extend(Choice(unit_id, name, hsa_id, item.role_key) for unit_id, name, hsa_id in matching)
    chosen_units = {choice.unit_id for choice in choices}
    for unit_id, name, hsa_id in units:
        if held and unit_id not in chosen_units:
            gaps.append(Gap(_("No competence role linked to unit {unit} ({hsa_id})."),
                            {"unit": name, "hsa_id": hsa_id}))
    choices.sort(key=lambda choice: (choice.unit_name, choice.role_key))
    return LoginTickets(employee.id, employee.full_name, tuple(choices), tuple(gaps))


async def _assigned_units(session: AsyncSession, employee_id: int, today: date) -> list[tuple[int, str, str]]:
    statement = (select(Organisation.id, Organisation.name, RoleUnit.hsa_id).distinct()
                 .join(AssignmentUnit, AssignmentUnit.unit_id == Organisation.id)
                 .join(EmployeeAssignment, EmployeeAssignment.id == AssignmentUnit.assignment_id)
                 .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
                 .where(EmployeeAssignment.employee_id == employee_id, EmployeeAssignment.state == ACTIVE,
                        EmployeeAssignment.valid_from <= today,
                        or_(EmployeeAssignment.valid_to.is_(None), EmployeeAssignment.valid_to >= today))
                 .order_by(Organisation.name))
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


