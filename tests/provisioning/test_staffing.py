"""Unstaffed roles and roles held where they cannot be used, on a small world and on a generated catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.state import AppServices
from app.provisioning.roles.models import (
    AssignmentUnit,
    CatalogueVersion,
    Employee,
    EmployeeAssignment,
    HeldRole,
    RoleCatalogue,
    RoleUnit,
)
from app.provisioning.roles.staffing import MismatchedRole, UnstaffedRole, staffing_report
from tests.provisioning.test_role_catalogue import (
    AKUT,
    DOCTOR,
    HJARTA,
    NURSE,
    PRIMAR,
    make_catalogue,
    make_role_world,
)

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _ids(session: AsyncSession, model: Any, key: Any, keys: list[Any]) -> dict[Any, int]:
    rows = await session.execute(select(key, model.id).where(key.in_(keys)))
    return {key_value: id_ for key_value, id_ in rows}


async def _staff(session: AsyncSession, people: list[dict[str, Any]], unit_id: int) -> None:
    """Employees by name, each with held roles (catalogue, key, removed?) and assignments (state, from, to, units)."""
    await session.execute(insert(Employee), [{"full_name": person["name"], "unit_id": unit_id, "created_at": NOW}
                                             for person in people])
    employees = await _ids(session, Employee, Employee.full_name, [person["name"] for person in people])
    await session.execute(insert(HeldRole), [
        {"employee_id": employees[person["name"]], "catalogue_id": catalogue_id, "role_key": key,
         "assigned_by": "chef", "assigned_at": NOW, "removed_by": "chef" if removed else None,
         "removed_at": NOW if removed else None}
        for person in people for catalogue_id, key, removed in person["roles"]])
    assignments = [(employees[person["name"]], *assignment) for person in people
                   for assignment in person["assignments"]]
    await session.execute(insert(EmployeeAssignment), [
        {"employee_id": employee_id, "care_area_id": unit_id, "valid_from": valid_from, "valid_to": valid_to,
         "systems": ["Clinic24"], "state": state, "created_at": NOW}
        for employee_id, state, valid_from, valid_to, _units in assignments])
    made = (await session.execute(select(EmployeeAssignment.employee_id, EmployeeAssignment.id)
                                  .order_by(EmployeeAssignment.id))).all()
    # One assignment per employee in these worlds: the employee finds it.
    by_employee = dict(made)
    await session.execute(insert(AssignmentUnit), [
        {"assignment_id": by_employee[employee_id], "unit_id": unit} for employee_id, *_rest, units in assignments
        for unit in units])


def _person(name: str, roles: list[tuple[int, str, bool]], state: str = "active", valid_from: date = TODAY,
            valid_to: date | None = None, units: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"name": name, "roles": roles, "assignments": [(state, valid_from, valid_to, units)]}


async def test_the_report_names_gaps_and_mismatches(services: AppServices) -> None:
    world = await make_role_world(services)
    catalogue_id = await make_catalogue(services, world, [NURSE, DOCTOR])
    units = world.units
    async with services.unit_of_work() as uow:
        await _staff(uow.session, [
            _person("Anna", [(catalogue_id, NURSE.key, False)], units=(units[HJARTA],)),
            _person("Bo", [(catalogue_id, DOCTOR.key, False)], units=(units[PRIMAR],)),
            _person("Cia", [(catalogue_id, DOCTOR.key, False)], state="ended", units=(units[AKUT],)),
            _person("Dan", [(catalogue_id, DOCTOR.key, True)], units=(units[AKUT],)),
        ], units[HJARTA])
    async with services.unit_of_work() as uow:
        report = await staffing_report(uow.session, None, TODAY)
        employees = await _ids(uow.session, Employee, Employee.full_name, ["Bo", "Cia"])
    assert report.unstaffed == (
        UnstaffedRole(catalogue_id, DOCTOR.key, HJARTA, units[HJARTA], f"unit {HJARTA}"),
        UnstaffedRole(catalogue_id, DOCTOR.key, AKUT, units[AKUT], f"unit {AKUT}"),
    )
    assert report.mismatched == (MismatchedRole(employees["Bo"], "Bo", catalogue_id, DOCTOR.key, True),
                                 MismatchedRole(employees["Cia"], "Cia", catalogue_id, DOCTOR.key, True))


UNITS, ROLES = 50, 200


def _hsa(number: int) -> str:
    return f"SE2321000198-{7000 + number}"


async def _generated_world(session: AsyncSession) -> tuple[int, int, list[int]]:
    """A care area with 50 units and a catalogue of 200 roles, role i linked to units i % 50 and (i + 1) % 50,
    and a second care area whose catalogue has one role."""
    area = Organisation(code="VO-GEN", name="Genererad", kind="care_area")
    other = Organisation(code="VO-ANNAN", name="Annan", kind="care_area")
    session.add_all([area, other])
    await session.flush()
    await session.execute(insert(Organisation), [
        {"code": _hsa(number), "name": f"Enhet {number}", "kind": "unit", "parent_id": area.id}
        for number in range(UNITS)])
    by_code = await _ids(session, Organisation, Organisation.code, [_hsa(number) for number in range(UNITS)])
    units = [by_code[_hsa(number)] for number in range(UNITS)]
    await session.execute(insert(RoleUnit), [{"organisation_id": unit_id, "hsa_id": _hsa(number)}
                                             for number, unit_id in enumerate(units)])
    catalogues = [RoleCatalogue(care_area_id=care_area.id, approver_care_area_id=care_area.id, current_version=1)
                  for care_area in (area, other)]
    session.add_all(catalogues)
    await session.flush()
    roles = [{"specialty": f"Spec{number // 20}", "profession": f"Yrke{number:03d}", "capability": "",
              "units": sorted({_hsa(number % UNITS), _hsa((number + 1) % UNITS)})} for number in range(ROLES)]
    session.add_all([
        CatalogueVersion(catalogue_id=catalogues[0].id, number=1, created_at=NOW, created_by="t", reason="gen",
                         roles=sorted(roles, key=lambda role: role["profession"])),
        CatalogueVersion(catalogue_id=catalogues[1].id, number=1, created_at=NOW, created_by="t", reason="gen",
                         roles=[{"specialty": "Annan", "profession": "Läkare", "capability": "", "units": [_hsa(0)]}]),
    ])
    await session.flush()
    return area.id, catalogues[0].id, units


def _key(number: int) -> str:
    return f"Spec{number // 20} / Yrke{number:03d}"


async def test_a_generated_catalogue_counts_exactly(services: AppServices) -> None:
    async with services.unit_of_work() as uow:
        area_id, catalogue_id, units = await _generated_world(uow.session)
        day = timedelta(days=1)
        people = (
            # Role j staffed on unit j % 50 (100 links), roles 0-19 also on (j + 1) % 50 (20 more).
            [_person(f"A{j}", [(catalogue_id, _key(j), False)], units=(units[j % UNITS],)) for j in range(100)]
            + [_person(f"B{k}", [(catalogue_id, _key(k), False)], units=(units[(k + 1) % UNITS],)) for k in range(20)]
            # Held where the role is not linked: 20 mismatched.
            + [_person(f"C{r}", [(catalogue_id, _key(r), False)], units=(units[(r + 25) % UNITS],))
               for r in range(150, 170)]
            # No assignment that counts today (ended, expired, not yet valid, requested): 40 mismatched.
            + [_person(f"D{r}", [(catalogue_id, _key(r), False)], state="ended", units=(units[r % UNITS],))
               for r in range(170, 180)]
            + [_person(f"E{r}", [(catalogue_id, _key(r), False)], valid_from=TODAY - 9 * day,
                       valid_to=TODAY - day, units=(units[r % UNITS],)) for r in range(180, 190)]
            + [_person(f"F{r}", [(catalogue_id, _key(r), False)], valid_from=TODAY + day, units=(units[r % UNITS],))
               for r in range(190, 200)]
            + [_person(f"G{r}", [(catalogue_id, _key(r), False)], state="requested", units=(units[r % UNITS],))
               for r in range(100, 110)]
            # A role taken away staffs nothing and is no mismatch.
            + [_person(f"H{r}", [(catalogue_id, _key(r), True)], units=(units[r % UNITS],)) for r in range(190, 200)]
            # A role no longer in the catalogue: 10 mismatched.
            + [_person(f"I{n}", [(catalogue_id, "Borttagen / Roll", False)], units=(units[0],)) for n in range(10)]
        )
        await _staff(uow.session, people, units[0])
    async with services.unit_of_work() as uow:
        report = await staffing_report(uow.session, area_id, TODAY)
        everything = await staffing_report(uow.session, None, TODAY)
    assert len(report.unstaffed) == 2 * ROLES - 120
    assert len(report.mismatched) == 20 + 40 + 10
    assert sum(not mismatch.in_catalogue for mismatch in report.mismatched) == 10
    assert {gap.role_key for gap in report.unstaffed if gap.role_key.endswith(("Yrke000", "Yrke019"))} == set()
    assert [gap.hsa_id for gap in report.unstaffed if gap.role_key == _key(20)] == [_hsa(21)]
    assert len(everything.unstaffed) == len(report.unstaffed) + 1
    assert everything.mismatched == report.mismatched
