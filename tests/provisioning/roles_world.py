"""A small Region Gävleborg for roles tests: care areas with units, their managers, IT support, a catalogue
steward, a contact person, heads of operations, and one employee with an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.state import AppServices
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import Employee, RoleUnit
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of

REGION, CARDIOLOGY, DIGITAL, PRIMARY = "RG", "VO-KARD", "VO-DIGITAL", "VO-PRIMAR"
HSA_WARD = "SE2321000198-E1KA"
HSA_CLINIC = "SE2321000198-E2KA"
HSA_PRIMARY = "SE2321000198-E3VC"
NURSE = "Kardiologi / Sjuksköterska / Hjärtsvikt"
DOCTOR = "Kardiologi / Läkare"


@dataclass(frozen=True)
class RolesWorld:
    region: int
    cardiology: int
    digital: int
    primary: int
    ward: int
    clinic: int
    primary_unit: int
    catalogue_id: int
    employee_id: int


async def add_organisation(services: AppServices, code: str, kind: str, parent_id: int | None) -> int:
    async with services.unit_of_work() as uow:
        organisation = Organisation(code=code, name=f"{code} name", kind=kind, parent_id=parent_id)
        uow.session.add(organisation)
        await uow.session.flush()
        return organisation.id


async def user_id(services: AppServices, username: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found


async def _unit(services: AppServices, code: str, parent: int, hsa_id: str, manager: str) -> int:
    unit = await add_organisation(services, code, "unit", parent)
    await make_user(services, manager, role="manager", organisation=code)
    manager_id = await user_id(services, manager)
    async with services.unit_of_work() as uow:
        uow.session.add(RoleUnit(organisation_id=unit, hsa_id=hsa_id, manager_user_id=manager_id))
    return unit


def role(specialty: str, profession: str, capability: str, units: list[str]) -> dict[str, Any]:
    return {"op": "add_role", "specialty": specialty, "profession": profession, "capability": capability,
            "units": units}


async def make_roles_world(services: AppServices) -> RolesWorld:
    region = await add_organisation(services, REGION, "region", None)
    cardiology = await add_organisation(services, CARDIOLOGY, "care_area", region)
    digital = await add_organisation(services, DIGITAL, "care_area", region)
    primary = await add_organisation(services, PRIMARY, "care_area", region)
    ward = await _unit(services, "KARD-AVD", cardiology, HSA_WARD, "mgr.ward")
    clinic = await _unit(services, "KARD-MOT", cardiology, HSA_CLINIC, "mgr.clinic")
    primary_unit = await _unit(services, "VC-NORR", primary, HSA_PRIMARY, "mgr.primary")
    await make_user(services, "it.support", role="it_support", organisation=REGION)
    await make_user(services, "steward", role="catalogue_steward", organisation=REGION)
    await make_user(services, "contact", role="catalogue_contact", organisation=CARDIOLOGY)
    await make_user(services, "head.kard", role="head_of_operations", organisation=CARDIOLOGY)
    await make_user(services, "head.digital", role="head_of_operations", organisation=DIGITAL)
    await make_user(services, "anna", role="employee", organisation="KARD-AVD")
    await make_user(services, "admin", role="admin", organisation="SAMB")
    steward = await actor_of(services, "steward")
    anna = await user_id(services, "anna")
    async with services.unit_of_work() as uow:
        created = await catalogue.create_catalogue(uow.session, actor=steward, care_area_id=cardiology,
                                                   approver_care_area_id=cardiology)
        roles = catalogue.apply_operations([], [role("Kardiologi", "Sjuksköterska", "Hjärtsvikt", [HSA_WARD]),
                                                role("Kardiologi", "Läkare", "", [HSA_WARD, HSA_CLINIC])],
                                           known_units={HSA_WARD, HSA_CLINIC, HSA_PRIMARY})
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=created.id, roles=roles,
                                    reason="First catalogue")
        employee = Employee(full_name="Anna Berg", personal_number="19811218-9876", unit_id=ward,
                            user_id=anna, created_at=uow.session.info["clock"].now())
        uow.session.add(employee)
        await uow.session.flush()
        return RolesWorld(region, cardiology, digital, primary, ward, clinic, primary_unit, created.id, employee.id)


async def actor(services: AppServices, username: str) -> Actor:
    return await actor_of(services, username)


TODAY = date(2026, 3, 14)
