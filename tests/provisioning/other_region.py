"""A second region beside roles_world's Region Gävleborg, with something of every kind in it: an employee with a
personnummer and an account, assignment requests waiting, taken and done, and catalogue changes waiting for the
head of operations, for review and under review. Region-scope tests aim the first region's people at these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.kit.state import AppServices
from app.provisioning.roles import assigning, changing
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import Employee, RoleUnit
from tests.factories import make_user
from tests.provisioning.roles_world import TODAY, actor, add_organisation, role, user_id

REGION_X, AREA_X, UNIT_X = "RX", "VO-X", "X-AVD"
HSA_X = "SE2321000198-E9XA"
ROLE_X = "Kirurgi / Läkare"
NAME_X, PERSONNUMMER_X = "Bo Ek", "19121212-1212"


@dataclass(frozen=True)
class OtherRegion:
    region: int
    area: int
    unit: int
    catalogue_id: int
    employee_id: int
    submitted: int  # an assignment request waiting for IT support
    taken: int  # one IT support has taken (its task is pending)
    active_assignment: int  # the assignment of a completed request: the employee may log in with it
    change_submitted: int  # a catalogue change waiting for the head of operations
    change_accepted: int  # approved, waiting for the steward to start the review
    change_in_review: int  # under the steward's review


async def _assignment_request(services: AppServices, employee_id: int, area: int, unit: int) -> int:
    async with services.unit_of_work() as uow:
        request = await assigning.request_assignment(
            uow, actor=await actor(services, "mgr.x"), employee_id=employee_id, care_area_id=area, unit_ids=[unit],
            valid_from=TODAY - timedelta(days=30), valid_to=None, systems=["Clinic24"])
        return request.id


async def _change(services: AppServices, catalogue_id: int, steps: int) -> int:
    """A change proposed by the care area's contact; ``steps``: 1 approved, 2 also under review."""
    async with services.unit_of_work() as uow:
        request = await changing.propose(uow, actor=await actor(services, "contact.x"), catalogue_id=catalogue_id,
                                         description="Ny roll",
                                         operations=[role("Kirurgi", "Sjuksköterska", "", [HSA_X])])
    if steps >= 1:
        async with services.unit_of_work() as uow:
            await changing.approve(uow, actor=await actor(services, "head.x"), request_id=request.id)
    if steps >= 2:
        async with services.unit_of_work() as uow:
            await changing.start_review(uow, actor=await actor(services, "steward.x"), request_id=request.id)
    return request.id


async def make_other_region(services: AppServices) -> OtherRegion:
    """Call after ``make_roles_world`` (which creates the SAMB admin and the first region)."""
    region = await add_organisation(services, REGION_X, "region", None)
    area = await add_organisation(services, AREA_X, "care_area", region)
    unit = await add_organisation(services, UNIT_X, "unit", area)
    for username, role_name, organisation in (
            ("mgr.x", "manager", UNIT_X), ("it.x", "it_support", REGION_X),
            ("steward.x", "catalogue_steward", REGION_X), ("head.x", "head_of_operations", AREA_X),
            ("contact.x", "catalogue_contact", AREA_X),
            ("bo", "employee", UNIT_X)):
        await make_user(services, username, role=role_name, organisation=organisation)
    manager, account = await user_id(services, "mgr.x"), await user_id(services, "bo")
    async with services.unit_of_work() as uow:
        uow.session.add(RoleUnit(organisation_id=unit, hsa_id=HSA_X, manager_user_id=manager))
    steward = await actor(services, "steward.x")
    async with services.unit_of_work() as uow:
        created = await catalogue.create_catalogue(uow.session, actor=steward, care_area_id=area,
                                                   approver_care_area_id=area)
        roles = catalogue.apply_operations([], [role("Kirurgi", "Läkare", "", [HSA_X])], known_units={HSA_X})
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=created.id, roles=roles, reason="Första")
        employee = Employee(full_name=NAME_X, personal_number=PERSONNUMMER_X, unit_id=unit,
                            user_id=account, created_at=uow.session.info["clock"].now())
        uow.session.add(employee)
        await uow.session.flush()
        catalogue_id, employee_id = created.id, employee.id
    submitted = await _assignment_request(services, employee_id, area, unit)
    taken = await _assignment_request(services, employee_id, area, unit)
    done = await _assignment_request(services, employee_id, area, unit)
    support = await actor(services, "it.x")
    for request_id in (taken, done):
        async with services.unit_of_work() as uow:
            await assigning.accept_for_support(uow, actor=support, request_id=request_id)
    async with services.unit_of_work() as uow:
        active = await assigning.complete_creation(uow, actor=support, request_id=done)
        active_id = active.id
    return OtherRegion(region, area, unit, catalogue_id, employee_id, submitted, taken, active_id,
                       await _change(services, catalogue_id, 0), await _change(services, catalogue_id, 1),
                       await _change(services, catalogue_id, 2))
