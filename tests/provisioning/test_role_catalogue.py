"""Role catalogues as versioned data: role names, operations with every problem at once, versions and diffs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.errors import Conflict, NotFound, ValidationFailed
from app.kit.state import AppServices
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.catalogue.versions import (
    CatalogueChangeInvalid,
    CatalogueRole,
    RelinkedRole,
    apply_operations,
    make_role,
    role_key,
    role_part_problems,
)
from app.provisioning.roles.models import RoleUnit

HJARTA, AKUT, PRIMAR, NY = "SE2321000198-1001", "SE2321000198-1002", "SE2321000198-2001", "SE2321000198-3001"
STEWARD = Actor(username="stina", source="web", user_id=9001, roles=frozenset({"catalogue_steward"}))
CONTACT = Actor(username="kalle", source="web", user_id=9002, roles=frozenset({"catalogue_contact"}))
NURSE = make_role("Kardiologi", "Sjuksköterska", "Hjärtsvikt", [HJARTA])
DOCTOR = make_role("Kardiologi", "Läkare", "", [HJARTA, AKUT])


@dataclass(frozen=True)
class RoleWorld:
    region_id: int
    cardiology_id: int  # a care area of specialist care
    digital_id: int  # the digital-care area, whose head of operations approves the primary-care catalogue
    units: dict[str, int]  # HSA-id -> organisation id


async def _organisation(services: AppServices, code: str, kind: str, parent_id: int | None,
                        hsa_id: str | None = None) -> int:
    async with services.unit_of_work() as uow:
        organisation = Organisation(code=code, name=f"{kind} {code}", kind=kind, parent_id=parent_id)
        uow.session.add(organisation)
        await uow.session.flush()
        if hsa_id is not None:
            uow.session.add(RoleUnit(organisation_id=organisation.id, hsa_id=hsa_id))
        return organisation.id


async def make_role_world(services: AppServices) -> RoleWorld:
    region = await _organisation(services, "RG", "region", None)
    cardiology = await _organisation(services, "VO-KARD", "care_area", region)
    digital = await _organisation(services, "VO-DIG", "care_area", region)
    units = {hsa_id: await _organisation(services, hsa_id, "unit", area, hsa_id)
             for hsa_id, area in ((HJARTA, cardiology), (AKUT, cardiology), (PRIMAR, digital))}
    return RoleWorld(region, cardiology, digital, units)


async def make_catalogue(services: AppServices, world: RoleWorld, roles: list[CatalogueRole] | None = None) -> int:
    async with services.unit_of_work() as uow:
        made = await catalogue.create_catalogue(uow.session, actor=STEWARD, care_area_id=world.cardiology_id,
                                                approver_care_area_id=world.cardiology_id)
        if roles:
            await catalogue.new_version(uow.session, actor=STEWARD, catalogue_id=made.id, roles=roles,
                                        reason="Första versionen")
        return made.id


async def audit_events(services: AppServices, action: str) -> list[AuditEvent]:
    async with services.unit_of_work() as uow:
        return list((await uow.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                               .order_by(AuditEvent.seq))).scalars())


# --- Pure --------------------------------------------------------------------------------------------------


def test_a_role_is_named_by_its_parts() -> None:
    assert role_key("Kardiologi", "Sjuksköterska", "Hjärtsvikt") == "Kardiologi / Sjuksköterska / Hjärtsvikt"
    assert role_key(" Kardiologi ", "Läkare  ST", "") == "Kardiologi / Läkare ST"
    assert DOCTOR.units == tuple(sorted((HJARTA, AKUT)))


def test_role_parts_are_checked_all_at_once() -> None:
    problems = role_part_problems("", " ", "x" * 101)
    assert [(problem.field, problem.message) for problem in problems] == [
        ("specialty", "Enter the specialty."), ("profession", "Enter the profession."),
        ("capability", "A part of a role has at most {max} characters.")]
    assert [problem.field for problem in role_part_problems("Kardiologi", "Läkare/ST", None)] == ["profession"]
    assert [problem.field for problem in role_part_problems(3, "Läkare", "")] == ["specialty"]
    assert role_part_problems("Kardiologi", "Läkare", None) == []


def test_operations_make_the_next_state() -> None:
    roles = apply_operations([NURSE, DOCTOR], [
        {"op": "add_unit", "hsa_id": NY, "name": "Hjärtmottagningen Hudiksvall"},
        {"op": "add_role", "specialty": "Kardiologi", "profession": "Undersköterska", "capability": "",
         "units": [NY, HJARTA]},
        {"op": "remove_role", "role": DOCTOR.key},
        {"op": "relink_role", "role": NURSE.key, "units": [AKUT]},
    ], known_units={HJARTA, AKUT})
    assert [(role.key, role.units) for role in roles] == [
        ("Kardiologi / Sjuksköterska / Hjärtsvikt", (AKUT,)),
        ("Kardiologi / Undersköterska", tuple(sorted((HJARTA, NY)))),
    ]


def test_every_problem_of_a_change_is_reported_with_its_operation() -> None:
    with pytest.raises(CatalogueChangeInvalid) as raised:
        apply_operations([NURSE], [
            {"op": "add_role", "specialty": "Kardiologi", "profession": "Sjuksköterska", "capability": "Hjärtsvikt",
             "units": []},
            {"op": "remove_role", "role": "Kardiologi / Kurator"},
            {"op": "relink_role", "role": "Ortopedi / Läkare", "units": [PRIMAR]},
            "add_role",
            {"op": "rename_role"},
            {"op": "add_role", "specialty": "", "profession": "Läkare", "units": "SE2321000198-1001"},
            {"op": "add_unit", "hsa_id": HJARTA, "name": "Igen"},
        ], known_units={HJARTA})
    problems: list[Any] = [(problem.index, problem.field) for problem in raised.value.problems]
    assert problems == [(0, "specialty"), (1, "role"), (2, "role"), (2, "units"), (3, "op"), (4, "op"),
                        (5, "specialty"), (5, "units"), (6, "hsa_id")]
    assert raised.value.details["problems"][0]["params"] == {"role": NURSE.key}
    assert raised.value.code == "role_catalogue_change_invalid"


def test_an_empty_change_is_refused() -> None:
    with pytest.raises(CatalogueChangeInvalid):
        apply_operations([NURSE], [], known_units=set())


def test_the_diff_names_added_removed_and_relinked_roles() -> None:
    relinked_doctor = make_role("Kardiologi", "Läkare", "", [AKUT, PRIMAR])
    change = catalogue.diff([NURSE, DOCTOR], [relinked_doctor, make_role("Kardiologi", "Kurator", "", [])])
    assert [role.key for role in change.added] == ["Kardiologi / Kurator"]
    assert change.removed == (NURSE,)
    assert change.relinked == (RelinkedRole(DOCTOR.key, (PRIMAR,), (HJARTA,)),)
    assert change.counts() == {"added": 1, "removed": 1, "relinked": 1}
    assert catalogue.diff([NURSE], [NURSE]).is_empty
    assert change.fingerprint() != catalogue.diff([NURSE], [NURSE]).fingerprint()


# --- Stored ------------------------------------------------------------------------------------------------


async def test_a_new_catalogue_is_empty_and_audited(services: AppServices) -> None:
    world = await make_role_world(services)
    catalogue_id = await make_catalogue(services, world)
    async with services.unit_of_work() as uow:
        assert await catalogue.current_roles(uow.session, catalogue_id) == []
        assert await catalogue.versions(uow.session, catalogue_id) == []
        with pytest.raises(Conflict):
            await catalogue.create_catalogue(uow.session, actor=STEWARD, care_area_id=world.cardiology_id,
                                             approver_care_area_id=world.digital_id)
    async with services.unit_of_work() as uow:
        with pytest.raises(ValidationFailed) as raised:
            await catalogue.create_catalogue(uow.session, actor=STEWARD, care_area_id=world.region_id,
                                             approver_care_area_id=world.digital_id)
        assert raised.value.details == {"field": "care_area_id"}
    [event] = await audit_events(services, "roles.catalogue_created")
    assert event.after == {"care_area_id": world.cardiology_id, "approver_care_area_id": world.cardiology_id}


async def test_versions_keep_every_state(services: AppServices) -> None:
    world = await make_role_world(services)
    catalogue_id = await make_catalogue(services, world, [NURSE])
    async with services.unit_of_work() as uow:
        second = await catalogue.new_version(uow.session, actor=STEWARD, catalogue_id=catalogue_id,
                                             roles=[DOCTOR, NURSE], reason="Läkare  på akuten")
        assert (second.number, second.reason, second.created_by) == (2, "Läkare på akuten", "stina")
    async with services.unit_of_work() as uow:
        assert await catalogue.current_roles(uow.session, catalogue_id) == [DOCTOR, NURSE]
        assert await catalogue.version_roles(uow.session, catalogue_id, 1) == [NURSE]
        assert await catalogue.version_roles(uow.session, catalogue_id, 0) == []
        change = await catalogue.compare_versions(uow.session, catalogue_id, 2, 1)
        assert (change.added, change.removed) == ((), (DOCTOR,))
        assert [version.number for version in await catalogue.versions(uow.session, catalogue_id)] == [2, 1]
        with pytest.raises(NotFound):
            await catalogue.version_roles(uow.session, catalogue_id, 3)
        with pytest.raises(NotFound):
            await catalogue.current_roles(uow.session, catalogue_id + 100)
    events = await audit_events(services, "roles.catalogue_version_created")
    assert [event.after for event in events][-1] == {"version": 2, "reason": "Läkare på akuten", "roles": 2,
                                                     "links": 3, "added": 1, "removed": 0, "relinked": 0}
    assert events[-1].object_id == str(catalogue_id)


async def test_a_version_needs_a_reason_and_a_change(services: AppServices) -> None:
    world = await make_role_world(services)
    catalogue_id = await make_catalogue(services, world, [NURSE])
    async with services.unit_of_work() as uow:
        with pytest.raises(ValidationFailed) as raised:
            await catalogue.new_version(uow.session, actor=STEWARD, catalogue_id=catalogue_id, roles=[DOCTOR],
                                        reason="  ")
        assert raised.value.details == {"field": "reason"}
        with pytest.raises(ValidationFailed) as raised:
            await catalogue.new_version(uow.session, actor=STEWARD, catalogue_id=catalogue_id, roles=[NURSE],
                                        reason="Samma igen")
        assert raised.value.message == "Nothing changed: the catalogue already is exactly this."


async def test_a_unit_is_created_with_its_hsa_id(services: AppServices) -> None:
    world = await make_role_world(services)
    async with services.unit_of_work() as uow:
        unit_id = await catalogue.create_unit(uow.session, actor=STEWARD, care_area_id=world.cardiology_id,
                                              hsa_id=f" {NY} ", name=" Hjärtmottagningen  Hudiksvall ")
    async with services.unit_of_work() as uow:
        unit = await uow.session.get(Organisation, unit_id)
        assert unit is not None
        assert (unit.kind, unit.parent_id, unit.name) == ("unit", world.cardiology_id, "Hjärtmottagningen Hudiksvall")
        assert await catalogue.region_unit_ids(uow.session, world.cardiology_id) == {HJARTA, AKUT, PRIMAR, NY}
        with pytest.raises(Conflict):
            await catalogue.create_unit(uow.session, actor=STEWARD, care_area_id=world.digital_id, hsa_id=NY,
                                        name="Igen")
        with pytest.raises(ValidationFailed):
            await catalogue.create_unit(uow.session, actor=STEWARD, care_area_id=world.digital_id, hsa_id="nej",
                                        name="Fel")
    [event] = await audit_events(services, "roles.unit_created")
    assert event.after == {"hsa_id": NY, "name": "Hjärtmottagningen Hudiksvall", "care_area_id": world.cardiology_id}
