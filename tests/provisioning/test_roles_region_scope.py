"""The roles module's region boundary (issue 18, defect 1): IT support, stewards, managers, heads of operations,
contacts and employees of Region Gävleborg aimed at another region's requests, employees, tickets, assignments,
catalogues and catalogue changes. Every attempt is 403 (404 for a catalogue, which outside the region is "no such
catalogue"; 422 for a form naming another region's care area), nothing in the database changes, no assignment
becomes active, and a 403 is audited. Through the services and through HTTP, on both databases.

Before the fix, IT support took, completed (so activated: login access) and rejected the other region's requests
and read its employees and their login tickets; a steward started, sent back and applied its catalogue changes
and imported a file into its catalogue; a manager gave their employee a role of its catalogue and asked for an
assignment in its care area.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.kit.db import UnitOfWork
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.forms import carry_file
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles import assigning, changing, competence, people, staff_queries, support
from app.provisioning.roles.catalogue import files as catalogue_io
from app.provisioning.roles.models import EmployeeAssignment
from tests.provisioning.other_region import (
    HSA_X,
    NAME_X,
    PERSONNUMMER_X,
    ROLE_X,
    OtherRegion,
    make_other_region,
)
from tests.provisioning.roles_world import TODAY, RolesWorld, actor, make_roles_world, user_id
from tests.provisioning.scope_cases import Case, allowed_to_its_owner, refused_and_unchanged
from tests.provisioning.snapshot import changed_tables, domain_rows
from tests.web import csrf_from, log_in

IMPORT_FILE = ("\ufeffspecialty;profession;capability;units\r\n"
               f"Kirurgi;Läkare;;{HSA_X}\r\nKirurgi;Kurator;;{HSA_X}\r\n").encode()


@dataclass(frozen=True)
class Worlds:
    home: RolesWorld
    other: OtherRegion


@pytest.fixture
async def worlds(services: AppServices) -> Worlds:
    return Worlds(await make_roles_world(services), await make_other_region(services))


async def request_state(services: AppServices, request_id: int) -> str:
    async with services.session_factory() as session:
        found = await session.get(ProvisioningRequest, request_id)
        assert found is not None
        return found.state


async def assignment_states(services: AppServices, employee_id: int) -> list[str]:
    """No refused attempt may make an assignment active: that is what grants login access."""
    async with services.session_factory() as session:
        return sorted(await session.scalars(select(EmployeeAssignment.state)
                                            .where(EmployeeAssignment.employee_id == employee_id)))


# --- Through the services ----------------------------------------------------------------------------------

Attempt = Callable[[UnitOfWork], Awaitable[object]]

async def test_it_support_of_another_region_may_not_take_complete_or_reject_its_requests(
        services: AppServices, worlds: Worlds) -> None:
    other, home_support = worlds.other, await actor(services, "it.support")
    before = await domain_rows(services)
    attempts: list[Attempt] = [
        lambda uow: assigning.accept_for_support(uow, actor=home_support, request_id=other.submitted),
        lambda uow: assigning.complete_creation(uow, actor=home_support, request_id=other.taken,
                                                external_reference="HSA-123"),
        lambda uow: support.reject_assignment(uow, actor=home_support, request_id=other.submitted, reason="Nej"),
        lambda uow: assigning.end_assignment(uow, actor=home_support, assignment_id=other.active_assignment),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            async with services.unit_of_work() as uow:
                await attempt(uow)
    assert changed_tables(before, await domain_rows(services)) == []
    assert await request_state(services, other.submitted) == workflow.SUBMITTED
    assert await request_state(services, other.taken) == workflow.IN_PROGRESS
    # The region's own IT support still does all of it: the refusals are about the region, not the steps.
    own = await actor(services, "it.x")
    async with services.unit_of_work() as uow:
        await assigning.complete_creation(uow, actor=own, request_id=other.taken)
    async with services.unit_of_work() as uow:
        await support.reject_assignment(uow, actor=own, request_id=other.submitted, reason="Fel enhet")
    assert await request_state(services, other.taken) == workflow.DONE


async def test_it_support_of_another_region_reads_neither_its_employees_nor_their_tickets(
        services: AppServices, worlds: Worlds) -> None:
    other, home_support = worlds.other, await actor(services, "it.support")
    anna, own_support = await actor(services, "anna"), await actor(services, "it.x")
    async with services.session_factory() as session:
        with pytest.raises(PermissionDenied):
            await staff_queries.employee_view(session, home_support, other.employee_id)
        with pytest.raises(PermissionDenied):
            await staff_queries.tickets_view(session, home_support, other.employee_id, services.clock.now(), None)
        with pytest.raises(PermissionDenied):
            await staff_queries.tickets_view(session, anna, other.employee_id, services.clock.now(), None)
        # The region's own IT support sees both; the home region's sees its own employee.
        assert (await staff_queries.employee_view(session, own_support, other.employee_id)).identity == PERSONNUMMER_X
        home = await staff_queries.employee_view(session, home_support, worlds.home.employee_id)
        assert home.full_name == "Anna Berg"


async def test_nobody_records_an_employee_in_another_regions_unit(services: AppServices, worlds: Worlds) -> None:
    before = await domain_rows(services)
    for username in ("it.support", "mgr.ward"):
        attempting = await actor(services, username)
        with pytest.raises(PermissionDenied):
            async with services.unit_of_work() as uow:
                await people.register_employee(uow.session, actor=attempting,
                                               full_name="Eva Lind", personal_number=None,
                                               hsa_person_id="SE2321000198-E9XB", unit_id=worlds.other.unit)
    assert changed_tables(before, await domain_rows(services)) == []


async def test_a_manager_links_no_account_of_another_region_to_an_employee(services: AppServices,
                                                                          worlds: Worlds) -> None:
    """The linked account sees the employee's login tickets: another region's account is "no such account"."""
    manager, account = await actor(services, "mgr.ward"), await user_id(services, "contact.x")
    before = await domain_rows(services)
    with pytest.raises(ValidationFailed) as refused:
        async with services.unit_of_work() as uow:
            await people.register_employee(uow.session, actor=manager, full_name="Eva Lind", personal_number=None,
                                           hsa_person_id="SE2321000198-E9XB", unit_id=worlds.home.ward, user_id=account)
    assert refused.value.details["field"] == "username"
    assert changed_tables(before, await domain_rows(services)) == []


async def test_a_manager_gives_no_role_of_another_regions_catalogue_and_asks_for_no_assignment_there(
        services: AppServices, worlds: Worlds) -> None:
    home, other, manager = worlds.home, worlds.other, await actor(services, "mgr.ward")
    before = await domain_rows(services)
    with pytest.raises(PermissionDenied):
        async with services.unit_of_work() as uow:
            await competence.assign_role(uow.session, actor=manager, employee_id=home.employee_id,
                                         catalogue_id=other.catalogue_id, role_key=ROLE_X)
    with pytest.raises(ValidationFailed) as refused:
        async with services.unit_of_work() as uow:
            await assigning.request_assignment(
                uow, actor=manager, employee_id=home.employee_id, care_area_id=other.area, unit_ids=[other.unit],
                valid_from=TODAY - timedelta(days=1), valid_to=None, systems=["Clinic24"])
    assert refused.value.details["field"] == "care_area_id"
    assert changed_tables(before, await domain_rows(services)) == []


async def test_a_steward_of_another_region_neither_reviews_nor_applies_its_changes_nor_imports(
        services: AppServices, worlds: Worlds) -> None:
    other, home_steward = worlds.other, await actor(services, "steward")
    own_steward = await actor(services, "steward.x")
    async with services.session_factory() as session:
        preview = await catalogue_io.preview_import(session, actor=own_steward,
                                                    catalogue_id=other.catalogue_id, file_name="r.csv",
                                                    content=IMPORT_FILE)
    assert preview.ok  # what the region's own steward could apply, and the other region's steward tries to
    before = await domain_rows(services)
    attempts: list[Attempt] = [
        lambda uow: changing.start_review(uow, actor=home_steward, request_id=other.change_accepted),
        lambda uow: changing.send_back(uow, actor=home_steward, request_id=other.change_in_review, reason="Nej"),
        lambda uow: changing.apply(uow, actor=home_steward, request_id=other.change_in_review),
        lambda uow: catalogue_io.preview_import(uow.session, actor=home_steward, catalogue_id=other.catalogue_id,
                                                file_name="r.csv", content=IMPORT_FILE),
        lambda uow: catalogue_io.apply_import(uow.session, actor=home_steward, catalogue_id=other.catalogue_id,
                                              file_name="r.csv", content=IMPORT_FILE,
                                              fingerprint=preview.fingerprint, reason="Nej"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            async with services.unit_of_work() as uow:
                await attempt(uow)
    assert changed_tables(before, await domain_rows(services)) == []
    async with services.unit_of_work() as uow:
        await changing.apply(uow, actor=own_steward, request_id=other.change_in_review)
    assert await request_state(services, other.change_in_review) == workflow.DONE


# --- Through HTTP: every object-id route of the module --------------------------------------------------------


# Paths and forms are formatted with the other region's ids, ``anna`` (the home employee) and ``fingerprint``.
CASES = [
    # IT support of the home region.
    Case("it.support", "GET", "/roles/requests/{submitted}", 403),
    Case("it.support", "POST", "/roles/requests/{submitted}/take", 403),
    Case("it.support", "POST", "/roles/requests/{taken}/done", 403, (("external_reference", "HSA-1"),)),
    Case("it.support", "POST", "/roles/requests/{submitted}/reject", 403, (("reason", "Nej"),)),
    Case("it.support", "GET", "/roles/employees/{employee_id}", 403),
    Case("it.support", "GET", "/roles/employees/{employee_id}/tickets", 403),
    Case("it.support", "GET", "/api/v1/roles/login-tickets/{employee_id}", 403),
    Case("it.support", "GET", "/roles/catalogues/{catalogue_id}", 404),
    Case("it.support", "GET", "/roles/catalogues/{catalogue_id}/staffing", 404),
    # An employee of the home region.
    Case("anna", "GET", "/roles/employees/{employee_id}/tickets", 403),
    Case("anna", "GET", "/api/v1/roles/login-tickets/{employee_id}", 403),
    # A manager of the home region.
    Case("mgr.ward", "GET", "/roles/employees/{employee_id}", 403),
    Case("mgr.ward", "POST", "/roles/employees/{employee_id}/roles", 403, (("role", "{catalogue_id}:" + ROLE_X),)),
    Case("mgr.ward", "POST", "/roles/employees/{employee_id}/assignments/{active_assignment}/end", 403),
    Case("mgr.ward", "POST", "/roles/employees/{anna}/roles", 403, (("role", "{catalogue_id}:" + ROLE_X),)),
    Case("mgr.ward", "POST", "/roles/employees/{anna}/assignments", 422, (
        ("care_area_id", "{area}"), ("unit_ids", "{unit}"), ("valid_from", "2026-03-01"), ("systems", "Clinic24"))),
    Case("mgr.ward", "POST", "/roles/employees/{anna}/assignments/{active_assignment}/end", 422),
    Case("mgr.ward", "GET", "/roles/catalogues/{catalogue_id}/export.csv", 404),
    # The home region's catalogue steward.
    Case("steward", "GET", "/roles/requests/{change_in_review}", 403),
    Case("steward", "POST", "/roles/changes/{change_accepted}/start-review", 403),
    Case("steward", "POST", "/roles/changes/{change_in_review}/send-back", 403, (("send_back_reason", "Nej"),)),
    Case("steward", "POST", "/roles/changes/{change_in_review}/apply", 403),
    Case("steward", "GET", "/roles/catalogues/{catalogue_id}", 404),
    Case("steward", "GET", "/roles/catalogues/{catalogue_id}/compare?from=0&to=1", 404),
    Case("steward", "GET", "/roles/catalogues/{catalogue_id}/export.json", 404),
    Case("steward", "GET", "/roles/catalogues/{catalogue_id}/staffing.csv", 404),
    Case("steward", "GET", "/roles/catalogues/{catalogue_id}/import", 404),
    Case("steward", "POST", "/roles/catalogues/{catalogue_id}/import/apply", 403, (
        ("content", "{content}"), ("file_name", "r.csv"), ("fingerprint", "{fingerprint}"), ("reason", "Nej"))),
    # A head of operations and a care area contact of the home region.
    Case("head.kard", "GET", "/roles/requests/{change_submitted}", 403),
    Case("head.kard", "POST", "/roles/changes/{change_submitted}/approve", 403),
    Case("head.kard", "POST", "/roles/changes/{change_submitted}/decline", 403, (("decline_reason", "Nej"),)),
    Case("contact", "GET", "/roles/catalogues/{catalogue_id}/changes/new", 403),
    Case("contact", "POST", "/roles/catalogues/{catalogue_id}/changes", 403, (("description", "Ny roll"),)),
    Case("contact", "POST", "/roles/changes/{change_in_review}/revise", 403, (("answer", "Rättat"),)),
]


OWNERS = {"it.support": "it.x", "anna": "bo", "mgr.ward": "mgr.x", "steward": "steward.x", "head.kard": "head.x",
          "contact": "contact.x"}


async def fill(services: AppServices, worlds: Worlds) -> dict[str, Any]:
    """The ids a path names, and what the import form carries: a file and the fingerprint of its own preview."""
    steward = await actor(services, "steward.x")
    async with services.session_factory() as session:
        preview = await catalogue_io.preview_import(session, actor=steward,
                                                    catalogue_id=worlds.other.catalogue_id, file_name="r.csv",
                                                    content=IMPORT_FILE)
    return {**asdict(worlds.other), "anna": worlds.home.employee_id, "fingerprint": preview.fingerprint,
            "content": carry_file(IMPORT_FILE)}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.username} {case.method} {case.path}")
async def test_another_regions_object_is_refused_and_nothing_changes(
        client: httpx.AsyncClient, services: AppServices, worlds: Worlds, case: Case) -> None:
    values = await fill(services, worlds)
    answer = await refused_and_unchanged(client, services, case, values)
    assert NAME_X not in answer.text
    assert PERSONNUMMER_X not in answer.text
    assert await assignment_states(services, worlds.other.employee_id) == ["active", "requested", "requested"]
    if "{anna}" not in case.path:
        # The control: the other region's holder of the same role is let through, so the refusal was the region.
        await allowed_to_its_owner(client, case, values, OWNERS[case.username])


@pytest.mark.parametrize(("username", "owner", "page", "ids"), [
    ("it.support", "it.x", "/roles/requests", ("submitted", "taken")),
    ("steward", "steward.x", "/roles/changes", ("change_accepted", "change_in_review")),
])
async def test_the_lists_show_nothing_of_another_region(client: httpx.AsyncClient, services: AppServices,
                                                        worlds: Worlds, username: str, owner: str, page: str,
                                                        ids: tuple[str, ...]) -> None:
    """The queue and the change list a user starts from: the same reach as the checks above."""
    links = [f'href="/roles/requests/{getattr(worlds.other, name)}"' for name in ids]
    seen = {}
    for who in (username, owner):
        assert (await log_in(client, who)).status_code == 303
        answer = await client.get(page)
        assert answer.status_code == 200
        seen[who] = [link for link in links if link in answer.text]
        await client.post("/logout", data={"csrf_token": await csrf_from(client, "/account")})
    assert seen == {username: [], owner: links}
