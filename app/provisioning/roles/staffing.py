"""Is every role of the catalogue staffed where it is linked? (Seed 001: "make sure that all the professions of
one's catalogue that are linked to the units are staffed, assigned in the competence portal".)

A (role, unit) pair linked in a catalogue's current version is staffed when some employee holds the role and has
an active employee assignment, valid today, that covers the unit. The other side: an employee holding a role that
is linked to none of the units of their assignments cannot log in as it anywhere (mismatched). A handful of
queries, then sets in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.provisioning.roles.catalogue.versions import roles_from_stored
from app.provisioning.roles.models import (
    AssignmentUnit,
    CatalogueVersion,
    Employee,
    EmployeeAssignment,
    HeldRole,
    RoleCatalogue,
    RoleUnit,
)


@dataclass(frozen=True)
class UnstaffedRole:
    catalogue_id: int
    role_key: str
    hsa_id: str
    unit_id: int | None  # None: the catalogue links an HSA-id no unit has
    unit_name: str


@dataclass(frozen=True)
class MismatchedRole:
    employee_id: int
    full_name: str
    catalogue_id: int
    role_key: str
    in_catalogue: bool  # False: the role is no longer in the catalogue's current version


@dataclass(frozen=True)
class StaffingReport:
    today: date
    unstaffed: tuple[UnstaffedRole, ...]
    mismatched: tuple[MismatchedRole, ...]


Linked = dict[tuple[int, str], frozenset[str]]  # (catalogue, role key) -> HSA-ids


async def _linked(session: AsyncSession, care_area_id: int | None) -> Linked:
    statement = select(CatalogueVersion.catalogue_id, CatalogueVersion.roles).join(RoleCatalogue, and_(
        RoleCatalogue.id == CatalogueVersion.catalogue_id, RoleCatalogue.current_version == CatalogueVersion.number))
    if care_area_id is not None:
        statement = statement.where(RoleCatalogue.care_area_id == care_area_id)
    return {(catalogue_id, role.key): frozenset(role.units)
            for catalogue_id, stored in await session.execute(statement) for role in roles_from_stored(stored)}


async def _held(session: AsyncSession, care_area_id: int | None) -> dict[int, set[tuple[int, str]]]:
    statement = select(HeldRole.employee_id, HeldRole.catalogue_id, HeldRole.role_key).where(
        HeldRole.removed_at.is_(None))
    if care_area_id is not None:
        statement = statement.join(RoleCatalogue, RoleCatalogue.id == HeldRole.catalogue_id).where(
            RoleCatalogue.care_area_id == care_area_id)
    held: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for employee_id, catalogue_id, key in await session.execute(statement):
        held[employee_id].add((catalogue_id, key))
    return held


async def _assigned_units(session: AsyncSession, today: date) -> dict[int, set[str]]:
    """Employee -> the HSA-ids of the units their active assignments valid today cover."""
    statement = select(EmployeeAssignment.employee_id, RoleUnit.hsa_id) \
        .join(AssignmentUnit, AssignmentUnit.assignment_id == EmployeeAssignment.id) \
        .join(RoleUnit, RoleUnit.organisation_id == AssignmentUnit.unit_id) \
        .where(EmployeeAssignment.state == "active", EmployeeAssignment.valid_from <= today,
               or_(EmployeeAssignment.valid_to.is_(None), EmployeeAssignment.valid_to >= today))
    units: dict[int, set[str]] = defaultdict(set)
    for employee_id, hsa_id in await session.execute(statement):
        units[employee_id].add(hsa_id)
    return units


async def staffing_report(session: AsyncSession, care_area_id: int | None, today: date) -> StaffingReport:
    """Every catalogue's (or one care area's) unstaffed links and mismatched held roles on ``today``."""
    linked = await _linked(session, care_area_id)
    held = await _held(session, care_area_id)
    assigned = await _assigned_units(session, today)
    staffed = {(role, hsa_id) for employee_id, roles in held.items() for role in roles
               for hsa_id in assigned.get(employee_id, set()) & linked.get(role, frozenset())}
    gaps = sorted((role, hsa_id) for role, units in linked.items() for hsa_id in units if (role, hsa_id) not in staffed)
    mismatches = sorted((employee_id, role) for employee_id, roles in held.items() for role in roles
                        if not linked.get(role, frozenset()) & assigned.get(employee_id, set()))
    units = {hsa_id: (unit_id, name) for hsa_id, unit_id, name in await session.execute(
        select(RoleUnit.hsa_id, RoleUnit.organisation_id, Organisation.name)
        .join(Organisation, Organisation.id == RoleUnit.organisation_id))}
    names = dict((await session.execute(select(Employee.id, Employee.full_name).where(
        Employee.id.in_({employee_id for employee_id, _role in mismatches})))).all()) if mismatches else {}
    return StaffingReport(
        today,
        tuple(UnstaffedRole(catalogue_id, key, hsa_id, *units.get(hsa_id, (None, hsa_id)))
              for (catalogue_id, key), hsa_id in gaps),
        tuple(MismatchedRole(employee_id, names.get(employee_id, ""), catalogue_id, key, (catalogue_id, key) in linked)
              for employee_id, (catalogue_id, key) in mismatches))
