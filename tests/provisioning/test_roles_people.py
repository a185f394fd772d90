"""The nearest-manager rule, employee assignments through IT support, and login tickets."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles import assigning, competence, people, tickets
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import Employee, EmployeeAssignment, HeldRole
from tests.provisioning.roles_world import (
    DOCTOR,
    HSA_CLINIC,
    HSA_WARD,
    NURSE,
    TODAY,
    RolesWorld,
    actor,
    make_roles_world,
    user_id,
)


async def _written(services: AppServices) -> tuple[int, int]:
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
        held = await session.scalar(select(func.count()).select_from(HeldRole).where(HeldRole.removed_at.is_(None)))
    return int(events or 0), int(held or 0)


async def _assign(services: AppServices, world: RolesWorld, username: str, role_key: str) -> HeldRole:
    async with services.unit_of_work() as uow:
        return await competence.assign_role(uow.session, actor=await actor(services, username),
                                            employee_id=world.employee_id, catalogue_id=world.catalogue_id,
                                            role_key=role_key)


def _assign_as(services: AppServices, world: RolesWorld, username: str,
               role_key: str) -> Callable[[], Awaitable[object]]:
    return functools.partial(_assign, services, world, username, role_key)


async def _refused(services: AppServices, attempt: Callable[[], Awaitable[object]]) -> None:
    before = await _written(services)
    with pytest.raises(PermissionDenied):
        await attempt()
    assert await _written(services) == before


async def test_only_the_nearest_manager_assigns_and_removes(services: AppServices) -> None:
    world = await make_roles_world(services)
    for username in ("mgr.clinic", "it.support", "admin", "anna", "steward"):
        await _refused(services, _assign_as(services, world, username, NURSE))
    held = await _assign(services, world, "mgr.ward", NURSE)
    assert held.role_key == NURSE

    async def remove_as(username: str) -> None:
        async with services.unit_of_work() as uow:
            await competence.remove_role(uow.session, actor=await actor(services, username),
                                         employee_id=world.employee_id, held_id=held.id)

    await _refused(services, lambda: remove_as("mgr.clinic"))
    await remove_as("mgr.ward")
    assert (await _written(services))[1] == 0

    # A manager named for the employee takes the unit manager's place.
    named_manager = await user_id(services, "mgr.clinic")
    async with services.unit_of_work() as uow:
        employee = await uow.session.get(Employee, world.employee_id)
        assert employee is not None
        employee.manager_user_id = named_manager
    await _refused(services, lambda: _assign(services, world, "mgr.ward", DOCTOR))
    assert (await _assign(services, world, "mgr.clinic", DOCTOR)).role_key == DOCTOR


async def test_a_role_outside_the_current_catalogue_cannot_be_given(services: AppServices) -> None:
    world = await make_roles_world(services)
    with pytest.raises(ValidationFailed, match="is not a role"):
        await _assign(services, world, "mgr.ward", "Kardiologi / Undersköterska")


async def _active_assignment(services: AppServices, world: RolesWorld, units: list[int],
                             valid_to: date | None = None) -> int:
    async with services.unit_of_work() as uow:
        request = await assigning.request_assignment(
            uow, actor=await actor(services, "mgr.ward"), employee_id=world.employee_id,
            care_area_id=world.cardiology, unit_ids=units, valid_from=TODAY - timedelta(days=30), valid_to=valid_to,
            systems=["Clinic24", "NPÖ"])
    support = await actor(services, "it.support")
    async with services.unit_of_work() as uow:
        await assigning.accept_for_support(uow, actor=support, request_id=request.id)
    async with services.unit_of_work() as uow:
        created = await assigning.complete_creation(uow, actor=support, request_id=request.id,
                                                    external_reference="HSA-4711")
    return created.id


async def _tickets(services: AppServices, world: RolesWorld, username: str = "anna",
                   today: date = TODAY) -> tickets.LoginTickets:
    async with services.session_factory() as session:
        return await tickets.login_tickets(session, actor=await actor(services, username),
                                           employee_id=world.employee_id, today=today)


async def test_an_assignment_is_asked_by_the_manager_and_made_by_it_support(services: AppServices) -> None:
    world = await make_roles_world(services)

    async def ask_as(username: str) -> None:
        async with services.unit_of_work() as uow:
            await assigning.request_assignment(
                uow, actor=await actor(services, username), employee_id=world.employee_id,
                care_area_id=world.cardiology, unit_ids=[world.ward], valid_from=TODAY, valid_to=None,
                systems=["Clinic24"])

    for username in ("mgr.clinic", "it.support", "anna"):
        await _refused(services, functools.partial(ask_as, username))
    with pytest.raises(ValidationFailed, match="belong to the chosen care area"):
        async with services.unit_of_work() as uow:
            await assigning.request_assignment(
                uow, actor=await actor(services, "mgr.ward"), employee_id=world.employee_id,
                care_area_id=world.cardiology, unit_ids=[world.primary_unit], valid_from=TODAY, valid_to=None,
                systems=["Clinic24"])
    assignment_id = await _active_assignment(services, world, [world.ward])
    async with services.session_factory() as session:
        row = await session.get(EmployeeAssignment, assignment_id)
        assert row is not None
        request = await session.get(ProvisioningRequest, row.request_id)
    assert row.state == assigning.ACTIVE
    assert row.systems == ["Clinic24", "NPÖ"]
    assert request is not None
    assert request.state == workflow.DONE


async def test_login_tickets_from_partial_links(services: AppServices) -> None:
    world = await make_roles_world(services)
    assert [gap.message for gap in (await _tickets(services, world)).gaps] == [
        "No active employee assignment: ask your manager for one.",
        "No competence role: only your nearest manager can give you one."]
    await _active_assignment(services, world, [world.ward, world.clinic])
    await _assign(services, world, "mgr.ward", NURSE)
    await _assign(services, world, "mgr.ward", DOCTOR)
    found = await _tickets(services, world)
    assert sorted((choice.hsa_id, choice.role_key) for choice in found.choices) == [
        (HSA_WARD, DOCTOR), (HSA_WARD, NURSE), (HSA_CLINIC, DOCTOR)]
    assert found.gaps == ()
    # IT support may look too, to check; another manager may not.
    assert len((await _tickets(services, world, "it.support")).choices) == 3
    with pytest.raises(PermissionDenied):
        await _tickets(services, world, "mgr.clinic")


async def test_an_expired_assignment_gives_no_choice(services: AppServices) -> None:
    world = await make_roles_world(services)
    await _active_assignment(services, world, [world.ward], valid_to=TODAY - timedelta(days=1))
    await _assign(services, world, "mgr.ward", NURSE)
    found = await _tickets(services, world)
    assert found.choices == ()
    assert [gap.message for gap in found.gaps] == ["No active employee assignment: ask your manager for one."]


async def test_a_role_removed_from_the_catalogue_disappears_with_its_reason(services: AppServices) -> None:
    world = await make_roles_world(services)
    await _active_assignment(services, world, [world.ward, world.clinic])
    await _assign(services, world, "mgr.ward", NURSE)
    await _assign(services, world, "mgr.ward", DOCTOR)
    steward = await actor(services, "steward")
    async with services.unit_of_work() as uow:
        current = await catalogue.current_roles(uow.session, world.catalogue_id)
        roles = catalogue.apply_operations(current, [{"op": "remove_role", "role": NURSE},
                                                     {"op": "relink_role", "role": DOCTOR, "units": [HSA_WARD]}],
                                           known_units={HSA_WARD, HSA_CLINIC})
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=world.catalogue_id, roles=roles,
                                    reason="Heart failure nurses move to the clinic's own catalogue")
    found = await _tickets(services, world)
    assert [(choice.hsa_id, choice.role_key) for choice in found.choices] == [(HSA_WARD, DOCTOR)]
    assert [(gap.message, gap.params) for gap in found.gaps] == [
        ("The role {role} is no longer in its catalogue.", {"role": NURSE}),
        ("No competence role linked to unit {unit} ({hsa_id}).", {"unit": "KARD-MOT name", "hsa_id": HSA_CLINIC})]



async def _register(services: AppServices, world: RolesWorld, *, personal_number: str | None,
                    hsa_person_id: str | None) -> Employee:
    async with services.unit_of_work() as uow:
        return await people.register_employee(uow.session, actor=await actor(services, "mgr.ward"),
                                              full_name="Bo  Lind", unit_id=world.ward,
                                              personal_number=personal_number, hsa_person_id=hsa_person_id)


@pytest.mark.parametrize(("identity", "field", "reason"), [
    ({"personal_number": "19900315-9878", "hsa_person_id": None}, "personal_number", "check digit"),
    ({"personal_number": None, "hsa_person_id": "se2321000198-p1"}, "hsa_person_id", "capital"),
    ({"personal_number": None, "hsa_person_id": "SE2321000199-P1"}, "hsa_person_id", "wrong check digit"),
    ({"personal_number": " ", "hsa_person_id": ""}, "personal_number", "personal identity number or the HSA"),
])
async def test_an_employee_is_recorded_only_with_a_valid_identifier(
        services: AppServices, identity: dict[str, str | None], field: str, reason: str) -> None:
    world = await make_roles_world(services)
    with pytest.raises(ValidationFailed) as refused:
        await _register(services, world, personal_number=identity["personal_number"],
                        hsa_person_id=identity["hsa_person_id"])
    assert refused.value.details["field"] == field
    assert reason in refused.value.message.format(**refused.value.params)


async def test_an_employee_is_recorded_once_per_identifier(services: AppServices) -> None:
    world = await make_roles_world(services)
    recorded = await _register(services, world, personal_number="199003159879 ", hsa_person_id=None)
    assert (recorded.full_name, recorded.personal_number) == ("Bo Lind", "19900315-9879")
    with pytest.raises(ValidationFailed, match="personal identity number is already recorded"):
        await _register(services, world, personal_number="900315-9879", hsa_person_id=None)
    await _register(services, world, personal_number=None, hsa_person_id=" SE2321000198-P42 ")
    with pytest.raises(ValidationFailed, match="HSA person id is already recorded"):
        await _register(services, world, personal_number=None, hsa_person_id="SE2321000198-P42")
