"""What the roles module's people pages show: a manager's staff, one employee (roles held, the roles that may be
given, assignments), and the login tickets with their picker. Read only; the services check every write again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import Conflict, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core import deadlines, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles import assigning, scope, tickets
from app.provisioning.roles.catalogue.versions import current_roles
from app.provisioning.roles.competence import held_roles
from app.provisioning.roles.models import AssignmentUnit, Employee, EmployeeAssignment, RoleCatalogue, RoleUnit
from app.provisioning.roles.people import load_employee, nearest_manager_id

NOT_HIS_MANAGER = _("Only the employee's nearest manager or IT support may see this page.")
ASSIGNMENT_STATE_LABELS = {
    assigning.REQUESTED: _("Requested"),
    assigning.ACTIVE: _("Active"),
    assigning.ENDED: _("Ended"),
}


@dataclass(frozen=True)
class UnitOption:
    id: int
    name: str
    hsa_id: str


@dataclass(frozen=True)
class StaffRow:
    id: int
    full_name: str
    identity: str
    unit_name: str


@dataclass(frozen=True)
class HeldView:
    id: int
    role_key: str
    care_area_name: str
    assigned_by: str
    assigned_at: datetime


@dataclass(frozen=True)
class RoleGroup:
    """One <optgroup>: the roles of one specialty of one catalogue; each value is "catalogue id:role key"."""

    label: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AssignmentView:
    id: int
    care_area_name: str
    units: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    systems: tuple[str, ...]
    state: str
    state_label: str
    request_id: int | None
    request_state_label: str | None
    # Ended in bedboard: the request to end it in HSA too (ending.py) and where it stands.
    end_request_id: int | None = None
    end_state_label: str | None = None


@dataclass(frozen=True)
class AreaOption:
    id: int
    name: str
    units: tuple[UnitOption, ...]


@dataclass(frozen=True)
class EmployeeView:
    id: int
    full_name: str
    identity: str
    unit_name: str
    manager_name: str
    may_manage: bool  # the nearest manager: the forms; IT support sees the page without them
    held: tuple[HeldView, ...]
    role_groups: tuple[RoleGroup, ...]
    assignments: tuple[AssignmentView, ...]
    areas: tuple[AreaOption, ...]
    home_area_id: int | None
    systems: tuple[str, ...]
    zone: ZoneInfo


def identity_of(employee: Employee) -> str:
    return employee.personal_number or employee.hsa_person_id or ""


async def _names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))
    return {organisation_id: name for organisation_id, name in rows.all()}


async def managed_units(session: AsyncSession, actor: Actor) -> list[UnitOption]:
    """The units whose manager the actor is: where they may record employees."""
    statement = (select(Organisation.id, Organisation.name, RoleUnit.hsa_id)
                 .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
                 .where(RoleUnit.manager_user_id == actor.user_id).order_by(Organisation.name))
    return [UnitOption(*row) for row in (await session.execute(statement)).all()]


async def staff_of(session: AsyncSession, actor: Actor) -> list[StaffRow]:
    """The employees whose nearest manager the actor is: named for them, or managing their unit."""
    me = actor.user_id
    statement = (select(Employee, Organisation.name)
                 .join(Organisation, Organisation.id == Employee.unit_id)
                 .outerjoin(RoleUnit, RoleUnit.organisation_id == Employee.unit_id)
                 .where(or_(Employee.manager_user_id == me,
                            and_(Employee.manager_user_id.is_(None), RoleUnit.manager_user_id == me)))
                 .order_by(Employee.full_name, Employee.id))
    return [StaffRow(employee.id, employee.full_name, identity_of(employee), unit_name)
            for employee, unit_name in (await session.execute(statement)).all()]


async def employee_of_user(session: AsyncSession, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    found: int | None = await session.scalar(select(Employee.id).where(Employee.user_id == user_id))
    return found


async def account_to_link(session: AsyncSession, username: str) -> int | None:
    """The bedboard account named on the form to record an employee, if any: one account, one employee."""
    name = username.strip()
    if not name:
        return None
    user_id: int | None = await session.scalar(select(User.id).where(User.username == name))
    if user_id is None:
        raise ValidationFailed(_("There is no bedboard account named {username}."), username=name,
                               details={"field": "username"})
    if await employee_of_user(session, user_id) is not None:
        raise Conflict(_("The account {username} already belongs to a recorded employee."), username=name,
                       details={"field": "username"})
    return user_id


async def employee_view(session: AsyncSession, actor: Actor, employee_id: int) -> EmployeeView:
    employee = await load_employee(session, employee_id)
    nearest = await nearest_manager_id(session, employee)
    may_manage = (actor.user_id is not None and nearest == actor.user_id
                  and permissions.may(actor, permissions.ROLES_MANAGE_STAFF))
    if not (may_manage or await scope.supports(session, actor, employee.unit_id)):
        raise PermissionDenied(NOT_HIS_MANAGER, details={"employee_id": employee_id})
    unit = await session.get(Organisation, employee.unit_id)
    home_area = unit.parent_id if unit is not None else None
    manager = await session.get(User, nearest) if nearest is not None else None
    rows = await _assignments(session, employee_id)
    areas = await _areas(session, home_area)
    held = await held_roles(session, employee_id)
    catalogues = await _catalogues(session, {home_area, *(row.care_area_id for row in rows)} - {None})
    names = await _names(session, [*catalogues.values(), *(area.id for area in areas)])
    held_views = tuple(HeldView(item.id, item.role_key, names.get(catalogues.get(item.catalogue_id, 0), ""),
                                item.assigned_by, item.assigned_at) for item in held)
    taken = {(item.catalogue_id, item.role_key) for item in held}
    groups = await _role_groups(session, catalogues, names, taken)
    return EmployeeView(
        employee.id, employee.full_name, identity_of(employee), unit.name if unit else "",
        manager.display_name if manager else "", may_manage, held_views, groups,
        await _assignment_views(session, rows), tuple(areas), home_area, assigning.known_systems(),
        (await deadlines.calendar_of(session, employee.unit_id)).zone)


async def _catalogues(session: AsyncSession, care_area_ids: set[int | None]) -> dict[int, int]:
    """catalogue id -> its care area, for the given care areas."""
    wanted = [area for area in care_area_ids if area is not None]
    if not wanted:
        return {}
    rows = await session.execute(select(RoleCatalogue.id, RoleCatalogue.care_area_id)
                                 .where(RoleCatalogue.care_area_id.in_(wanted)))
    return {catalogue_id: area_id for catalogue_id, area_id in rows.all()}


async def _role_groups(session: AsyncSession, catalogues: dict[int, int], names: dict[int, str],
                       taken: set[tuple[int, str]]) -> tuple[RoleGroup, ...]:
    groups: list[RoleGroup] = []
    several = len(catalogues) > 1
    for catalogue_id, area_id in sorted(catalogues.items(), key=lambda item: names.get(item[1], "")):
        by_specialty: dict[str, list[tuple[str, str]]] = {}
        for role in await current_roles(session, catalogue_id):
            if (catalogue_id, role.key) not in taken:
                by_specialty.setdefault(role.specialty, []).append((f"{catalogue_id}:{role.key}", role.key))
        for specialty, options in sorted(by_specialty.items()):
            label = f"{names.get(area_id, '')} · {specialty}" if several else specialty
            groups.append(RoleGroup(label, tuple(options)))
    return tuple(groups)


async def _assignments(session: AsyncSession, employee_id: int) -> list[EmployeeAssignment]:
    statement = (select(EmployeeAssignment).where(EmployeeAssignment.employee_id == employee_id)
                 .order_by(EmployeeAssignment.valid_from.desc(), EmployeeAssignment.id.desc()))
    return list((await session.execute(statement)).scalars())


async def _assignment_views(session: AsyncSession, rows: list[EmployeeAssignment]) -> tuple[AssignmentView, ...]:
    if not rows:
        return ()
    ids = [row.id for row in rows]
    units: dict[int, list[str]] = {}
    linked = await session.execute(select(AssignmentUnit.assignment_id, Organisation.name)
                                   .join(Organisation, Organisation.id == AssignmentUnit.unit_id)
                                   .where(AssignmentUnit.assignment_id.in_(ids)).order_by(Organisation.name))
    for assignment_id, name in linked.all():
        units.setdefault(assignment_id, []).append(name)
    request_ids = [found for row in rows for found in (row.request_id, row.end_request_id) if found is not None]
    found = await session.execute(select(ProvisioningRequest.id, ProvisioningRequest.state)
                                  .where(ProvisioningRequest.id.in_(request_ids)))
    states = {request_id: state for request_id, state in found.all()}
    names = await _names(session, [row.care_area_id for row in rows])
    return tuple(AssignmentView(
        row.id, names.get(row.care_area_id, ""), tuple(units.get(row.id, [])), row.valid_from, row.valid_to,
        tuple(row.systems), row.state, ASSIGNMENT_STATE_LABELS.get(row.state, row.state), row.request_id,
        workflow.REQUEST_STATE_LABELS.get(states.get(row.request_id or 0, "")), row.end_request_id,
        workflow.REQUEST_STATE_LABELS.get(states.get(row.end_request_id or 0, ""))) for row in rows)


async def _areas(session: AsyncSession, home_area: int | None) -> list[AreaOption]:
    """The care areas of the employee's region with their units (an assignment may be in any of them)."""
    if home_area is None:
        return []
    area = await session.get(Organisation, home_area)
    region = area.parent_id if area is not None else None
    condition = Organisation.parent_id == region if region is not None else Organisation.id == home_area
    found = list((await session.execute(select(Organisation).where(condition, Organisation.kind == "care_area")
                                        .order_by(Organisation.name))).scalars())
    unit_rows = await session.execute(
        select(Organisation.parent_id, Organisation.id, Organisation.name, RoleUnit.hsa_id)
        .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
        .where(Organisation.parent_id.in_([item.id for item in found])).order_by(Organisation.name))
    units: dict[int, list[UnitOption]] = {}
    for parent_id, unit_id, name, hsa_id in unit_rows.all():
        units.setdefault(parent_id or 0, []).append(UnitOption(unit_id, name, hsa_id))
    return [AreaOption(item.id, item.name, tuple(units.get(item.id, []))) for item in found if units.get(item.id)]


@dataclass(frozen=True)
class TicketsView:
    found: tickets.LoginTickets
    today: date
    chosen: tickets.Choice | None
    choice_refused: bool


def choice_value(choice: tickets.Choice) -> str:
    """A choice as one form value: "unit id:role key" (a role key never starts with a digit and a colon)."""
    return f"{choice.unit_id}:{choice.role_key}"


async def tickets_view(session: AsyncSession, actor: Actor, employee_id: int, now: datetime,
                       picked: str | None) -> TicketsView:
    """The login tickets on the employee's own calendar day; ``picked`` is the picker's choice, if any."""
    employee = await load_employee(session, employee_id)
    today = now.astimezone((await deadlines.calendar_of(session, employee.unit_id)).zone).date()
    found = await tickets.login_tickets(session, actor=actor, employee_id=employee_id, today=today)
    chosen = next((choice for choice in found.choices if choice_value(choice) == picked), None) if picked else None
    return TicketsView(found, today, chosen, bool(picked) and chosen is None)
