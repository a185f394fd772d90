"""Demo data for the roles module (seed 001): Region Gävleborg with a cardiology care area, the digital-care
area whose head of operations approves the shared primary-care catalogue, and primary care; unit managers, IT
support, an e-health steward, a contact person, two heads of operations and an employee with an account.

The employee holds a competence role and an active assignment, so her login-ticket page has a choice; a second
employee waits for IT support, and a catalogue change waits for the head of operations.
Loaded once: when the region already has a unit with an HSA-id, nothing is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.sessions import actor_for
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.demo_data import Demo, DemoOrganisation, DemoUser
from app.provisioning.core.models import OrganisationCalendar
from app.provisioning.core.setup import set_calendar
from app.provisioning.roles import assigning, changing, competence
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import Employee, RoleUnit

REGION_CODE = "RG"
CARDIOLOGY, DIGITAL, PRIMARY = "VO-KARD", "VO-DIGITAL", "VO-PRIMAR"
ORGANISATION_NUMBER = "2321000198"  # Region Gävleborg's, so that every demo HSA-id has a valid check digit
# (code, name, care area, HSA-id's own part, manager's username)
UNITS = (
    ("KARD-AVD", "Kardiologavdelning Gävle", CARDIOLOGY, "E1KA", "chef.kardavd"),
    ("KARD-MOT", "Hjärtmottagning Gävle", CARDIOLOGY, "E2KA", "chef.kardmot"),
    ("VC-NORR", "Hälsocentralen Norr", PRIMARY, "E3VC", "chef.vcnorr"),
    ("VC-SODER", "Hälsocentralen Söder (privat)", PRIMARY, "E4VC", None),
)
NURSE = ("Kardiologi", "Sjuksköterska", "Hjärtsvikt")
DOCTOR = ("Kardiologi", "Läkare", "")
GP = ("Allmänmedicin", "Läkare", "")
DISTRICT_NURSE = ("Allmänmedicin", "Distriktssköterska", "")


def hsa_id(own_part: str) -> str:
    return f"SE{ORGANISATION_NUMBER}-{own_part}"


def roles_organisations() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code), parents first."""
    rows: list[tuple[str, str, str, str | None]] = [
        (REGION_CODE, "Region Gävleborg", "region", None),
        (CARDIOLOGY, "VO Kardiologi", "care_area", REGION_CODE),
        (DIGITAL, "VO Digital vård", "care_area", REGION_CODE),
        (PRIMARY, "Primärvård (offentlig och privat)", "care_area", REGION_CODE),
    ]
    rows += [(code, name, "unit", area) for code, name, area, _own, _manager in UNITS]
    return rows


def roles_users() -> list[tuple[str, str, str, str]]:
    """(username, display name, role, organisation code)."""
    return [
        ("chef.kardavd", "Karin Sund, chef kardiologavdelningen (demo)", "manager", "KARD-AVD"),
        ("chef.kardmot", "Mats Öberg, chef hjärtmottagningen (demo)", "manager", "KARD-MOT"),
        ("chef.vcnorr", "Lena Holm, chef Hälsocentralen Norr (demo)", "manager", "VC-NORR"),
        ("it.gavleborg", "IT-support Region Gävleborg (demo)", "it_support", REGION_CODE),
        ("ehalsa.gavleborg", "E-hälsoutvecklare (demo)", "catalogue_steward", REGION_CODE),
        ("kontakt.kard", "Kontaktperson VO Kardiologi (demo)", "catalogue_contact", CARDIOLOGY),
        ("vc.kard", "Verksamhetschef VO Kardiologi (demo)", "head_of_operations", CARDIOLOGY),
        ("vc.digital", "Verksamhetschef VO Digital vård (demo)", "head_of_operations", DIGITAL),
        ("anna.berg", "Anna Berg (demo)", "employee", "KARD-AVD"),
        # The region's own administrator and auditor: they manage and read its tree only (issue 23).
        ("admin.gavleborg", "Administratör Region Gävleborg (demo)", "admin", REGION_CODE),
        ("audit.gavleborg", "Revisor Region Gävleborg (demo)", "auditor", REGION_CODE),
    ]


async def ensure_roles_demo(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    session = uow.session
    region_id = organisations[REGION_CODE]
    if await session.get(OrganisationCalendar, region_id) is not None:
        return
    # The region's holidays and its time zone (the organisation's, inherited by its care areas and units).
    await set_calendar(session, actor=actor, organisation_code=REGION_CODE, country="SE", subdivision=None,
                       timezone="Europe/Stockholm")
    for code, _name, _area, own_part, manager in UNITS:
        manager_id = await _user_id(session, manager) if manager else None
        session.add(RoleUnit(organisation_id=organisations[code], hsa_id=hsa_id(own_part),
                             manager_user_id=manager_id))
        await session.flush()
        await audit.record(session, actor=actor, action="roles.unit_created", object_type="organisation",
                           object_id=organisations[code], after={"hsa_id": hsa_id(own_part),
                                                                    "manager_user_id": manager_id})
    steward = await _actor(session, "ehalsa.gavleborg")
    if steward is None:
        return
    cardiology = await _catalogue(session, steward, organisations[CARDIOLOGY], organisations[CARDIOLOGY], [
        (NURSE, ["E1KA"]), (DOCTOR, ["E1KA", "E2KA"]), (("Kardiologi", "Undersköterska", ""), ["E1KA"])])
    # Seed 001: the shared primary-care catalogue is owned by the head of operations of digital care.
    await _catalogue(session, steward, organisations[PRIMARY], organisations[DIGITAL], [
        (GP, ["E3VC", "E4VC"]), (DISTRICT_NURSE, ["E3VC", "E4VC"])])
    await _people(uow, organisations, cardiology)


async def _catalogue(session: AsyncSession, steward: Actor, care_area_id: int, approver_id: int,
                     roles: list[tuple[tuple[str, str, str], list[str]]]) -> int:
    created = await catalogue.create_catalogue(session, actor=steward, care_area_id=care_area_id,
                                               approver_care_area_id=approver_id)
    await catalogue.new_version(session, actor=steward, catalogue_id=created.id, reason="Första versionen",
                                roles=[catalogue.make_role(*parts, [hsa_id(unit) for unit in units])
                                       for parts, units in roles])
    return created.id


async def _people(uow: UnitOfWork, organisations: Mapping[str, int], cardiology: int) -> None:
    """Anna holds a role and an active assignment; Erik's assignment waits for IT support; a change waits."""
    session = uow.session
    manager, support = await _actor(session, "chef.kardavd"), await _actor(session, "it.gavleborg")
    contact = await _actor(session, "kontakt.kard")
    if manager is None or support is None or contact is None:
        return
    now = session_now(session)
    ward, area = organisations["KARD-AVD"], organisations[CARDIOLOGY]
    anna = Employee(full_name="Anna Berg", personal_number="19811218-9876", unit_id=ward,
                    user_id=await _user_id(session, "anna.berg"), created_at=now)
    erik = Employee(full_name="Erik Lund", personal_number="19900315-9879", unit_id=ward, created_at=now)
    session.add_all([anna, erik])
    await session.flush()
    await competence.assign_role(session, actor=manager, employee_id=anna.id, catalogue_id=cardiology,
                                 role_key=catalogue.role_key(*NURSE))
    started = now.date() - timedelta(days=30)
    asked = await assigning.request_assignment(uow, actor=manager, employee_id=anna.id, care_area_id=area,
                                               unit_ids=[ward], valid_from=started, valid_to=None,
                                               systems=["Clinic24", "NPÖ", "Pascal"])
    await assigning.accept_for_support(uow, actor=support, request_id=asked.id)
    await assigning.complete_creation(uow, actor=support, request_id=asked.id, external_reference="HSA-4711")
    await assigning.request_assignment(uow, actor=manager, employee_id=erik.id, care_area_id=area,
                                       unit_ids=[ward, organisations["KARD-MOT"]], valid_from=now.date(),
                                       valid_to=None, systems=["Clinic24"])
    await changing.propose(uow, actor=contact, catalogue_id=cardiology,
                           description="Undersköterskor på hjärtmottagningen behöver logga in där.",
                           operations=[{"op": "relink_role", "role": "Kardiologi / Undersköterska",
                                        "units": [hsa_id("E1KA"), hsa_id("E2KA")]}])


async def _user_id(session: AsyncSession, username: str) -> int | None:
    return await session.scalar(select(User.id).where(User.username == username))


async def _actor(session: AsyncSession, username: str) -> Actor | None:
    user = await session.scalar(select(User).where(User.username == username))
    return None if user is None else await actor_for(session, user, source="cli", client_address=None)


DEMO = Demo(
    organisations=[DemoOrganisation(*row) for row in roles_organisations()],
    users=[DemoUser(*row) for row in roles_users()],
    after_users=ensure_roles_demo,
)
