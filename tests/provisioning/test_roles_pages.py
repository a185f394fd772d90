"""The roles module's people pages and login-ticket API through HTTP, on both databases: the nearest manager's
forms, refusals of everyone else, IT support's requests, the employee's tickets, Swedish."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles import assigning, competence
from app.provisioning.roles.models import EmployeeAssignment, HeldRole
from tests.beds.test_openapi import schema_errors
from tests.provisioning.roles_world import (
    DOCTOR,
    HSA_CLINIC,
    HSA_WARD,
    NURSE,
    TODAY,
    RolesWorld,
    actor,
    make_roles_world,
)
from tests.web import BrowserFactory, csrf_from, log_in, post_form


async def active_assignment(services: AppServices, world: RolesWorld, units: list[int]) -> int:
    async with services.unit_of_work() as uow:
        request = await assigning.request_assignment(
            uow, actor=await actor(services, "mgr.ward"), employee_id=world.employee_id,
            care_area_id=world.cardiology, unit_ids=units, valid_from=TODAY - timedelta(days=30), valid_to=None,
            systems=["Clinic24"])
    support = await actor(services, "it.support")
    async with services.unit_of_work() as uow:
        await assigning.accept_for_support(uow, actor=support, request_id=request.id)
    async with services.unit_of_work() as uow:
        return (await assigning.complete_creation(uow, actor=support, request_id=request.id)).id


async def written(services: AppServices) -> tuple[int, int, int]:
    """Audit events other than refusals, roles held, assignments: what a refused attempt must leave alone."""
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action != "accounts.authorization_refused"))
        held = await session.scalar(select(func.count()).select_from(HeldRole).where(HeldRole.removed_at.is_(None)))
        made = await session.scalar(select(func.count()).select_from(EmployeeAssignment))
    return int(events or 0), int(held or 0), int(made or 0)


async def refusals(services: AppServices) -> list[str]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "accounts.authorization_refused").order_by(AuditEvent.seq)))


async def switch_to(client: httpx.AsyncClient, username: str) -> None:
    """Logs the browser out, then in as someone else."""
    await post_form(client, "/logout", {})
    await log_in(client, username)


def role_value(world: RolesWorld, key: str) -> str:
    return f"{world.catalogue_id}:{key}"


async def test_the_manager_gives_a_role_and_the_employee_sees_the_new_choice(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await active_assignment(services, world, [world.ward])
    employee = f"/roles/employees/{world.employee_id}"
    async with new_client() as anna:
        await log_in(anna, "anna")
        before = await anna.get("/roles/tickets")
        assert before.status_code == 200
        assert "No competence role: only your nearest manager can give you one." in before.text

        await log_in(client, "mgr.ward")
        staff = await client.get("/roles/staff")
        assert f'href="{employee}">Anna Berg<' in staff.text
        page = await client.get(employee)
        assert page.status_code == 200
        assert f'<option value="{role_value(world, NURSE)}">{NURSE}</option>' in page.text
        assert '<optgroup label="Kardiologi">' in page.text
        given = await post_form(client, f"{employee}/roles", {"role": role_value(world, NURSE)})
        assert (given.status_code, given.headers["location"]) == (303, f"{employee}?done=assigned#roles")
        assert "The competence role is given." in (await client.get(f"{employee}?done=assigned")).text

        after = await anna.get("/roles/tickets")
        choices = re.search(r'data-testid="ticket-choices">(.*?)</form>', after.text, re.S)
        assert choices
        assert "KARD-AVD name" in choices.group(1)
        assert HSA_WARD in choices.group(1)
        assert NURSE in choices.group(1)
        picked = await anna.get("/roles/tickets", params={"choice": f"{world.ward}:{NURSE}"})
        assert f"You would log in to KARD-AVD name ({HSA_WARD}) as {NURSE}." in picked.text
        wrong = await anna.get("/roles/tickets", params={"choice": f"{world.clinic}:{NURSE}"})
        assert "That choice is not among the login tickets." in wrong.text


async def test_another_manager_is_refused_on_every_form_and_nothing_changes(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    assignment = await active_assignment(services, world, [world.ward])
    async with services.unit_of_work() as uow:
        held = await competence.assign_role(uow.session, actor=await actor(services, "mgr.ward"),
                                            employee_id=world.employee_id, catalogue_id=world.catalogue_id,
                                            role_key=NURSE)
    employee = f"/roles/employees/{world.employee_id}"
    await log_in(client, "mgr.clinic")
    before = await written(services)
    assert (await client.get(employee)).status_code == 403
    attempts = {
        f"{employee}/roles": {"role": role_value(world, DOCTOR)},
        f"{employee}/roles/{held.id}/remove": {},
        f"{employee}/assignments": {"care_area_id": str(world.cardiology), "unit_ids": str(world.clinic),
                                    "valid_from": TODAY.isoformat(), "systems": "Clinic24"},
        f"{employee}/assignments/{assignment}/end": {},
    }
    for path, form in attempts.items():
        response = await post_form(client, path, form)
        assert response.status_code == 403, (path, response.text)
        assert "nearest manager" in response.text
    assert await written(services) == before
    refused = await refusals(services)
    assert refused.count(employee) == 1
    assert {f"{employee}/roles", f"{employee}/assignments"} <= set(refused)
    assert (await client.get(f"{employee}/tickets")).status_code == 403
    assert (await client.get(f"/api/v1/roles/login-tickets/{world.employee_id}")).status_code == 403


async def test_it_support_sees_the_employee_page_without_its_forms(client: httpx.AsyncClient,
                                                                   services: AppServices) -> None:
    world = await make_roles_world(services)
    employee = f"/roles/employees/{world.employee_id}"
    await log_in(client, "it.support")
    page = await client.get(employee)
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.text
    assert f'action="{employee}/roles"' not in page.text
    assert (await post_form(client, f"{employee}/roles", {"role": role_value(world, NURSE)})).status_code == 403
    await switch_to(client, "admin")
    assert (await client.get(employee)).status_code == 403  # no roles permission at all
    await switch_to(client, "anna")
    assert (await client.get(employee)).status_code == 403  # the employee has their tickets page


async def ask_for_assignment(client: httpx.AsyncClient, world: RolesWorld, units: list[int]) -> httpx.Response:
    token = await csrf_from(client, "/account")
    return await client.post(f"/roles/employees/{world.employee_id}/assignments", data={
        "csrf_token": token, "care_area_id": str(world.cardiology), "unit_ids": [str(unit) for unit in units],
        "valid_from": (TODAY - timedelta(days=1)).isoformat(), "valid_to": "", "systems": ["Clinic24", "NPÖ"]})


async def test_it_support_takes_and_completes_an_assignment_request(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "mgr.ward")
    mixed = await ask_for_assignment(client, world, [world.ward, world.primary_unit])
    assert mixed.status_code == 422
    assert "Every unit must belong to the chosen care area." in mixed.text
    asked = await ask_for_assignment(client, world, [world.ward, world.clinic])
    assert asked.status_code == 303
    async with services.session_factory() as session:
        request_id = await session.scalar(select(ProvisioningRequest.id))
    page = await client.get(f"/roles/employees/{world.employee_id}")
    assert f'href="/roles/requests/{request_id}"' in page.text
    assert "Requested" in page.text

    async with new_client() as support:
        await log_in(support, "it.support")
        queue = await support.get("/roles/requests")
        assert f'href="/roles/requests/{request_id}">#{request_id}<' in queue.text
        assert "Anna Berg" in queue.text
        detail = await support.get(f"/roles/requests/{request_id}")
        assert f"KARD-AVD name ({HSA_WARD})" in detail.text
        assert "Clinic24, NPÖ" in detail.text
        too_early = await post_form(support, f"/roles/requests/{request_id}/done", {"external_reference": "x"})
        assert too_early.status_code == 409
        taken = await post_form(support, f"/roles/requests/{request_id}/take", {})
        assert (taken.status_code, taken.headers["location"]) == (303, f"/roles/requests/{request_id}?done=taken")
        done = await post_form(support, f"/roles/requests/{request_id}/done", {"external_reference": "HSA-4711"})
        assert done.status_code == 303
        finished = await support.get(f"/roles/requests/{request_id}")
        assert 'data-testid="request-state">Done<' in finished.text
        assert 'data-testid="assignment-state">Active<' in finished.text
        assert "HSA-4711" in finished.text
    given = await post_form(client, f"/roles/employees/{world.employee_id}/roles", {"role": role_value(world, DOCTOR)})
    assert given.status_code == 303
    async with new_client() as anna:
        await log_in(anna, "anna")
        tickets = await anna.get("/roles/tickets")
    assert f'value="{world.ward}:{DOCTOR}"' in tickets.text
    assert f'value="{world.clinic}:{DOCTOR}"' in tickets.text
    assert HSA_CLINIC in tickets.text


async def test_it_support_rejects_a_request_with_its_reason(client: httpx.AsyncClient, services: AppServices,
                                                            new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "mgr.ward")
    assert (await ask_for_assignment(client, world, [world.ward])).status_code == 303
    async with services.session_factory() as session:
        request_id = await session.scalar(select(ProvisioningRequest.id))
    async with new_client() as support:
        await log_in(support, "it.support")
        empty = await post_form(support, f"/roles/requests/{request_id}/reject", {"reason": "  "})
        assert empty.status_code == 422
        rejected = await post_form(support, f"/roles/requests/{request_id}/reject",
                                   {"reason": "Anna already has this assignment in Pascal."})
        assert rejected.status_code == 303
    async with services.session_factory() as session:
        request = await session.get(ProvisioningRequest, request_id)
        assignment = await session.scalar(select(EmployeeAssignment))
        told = list(await session.scalars(select(Notification.params)))
    assert request is not None
    assert request.state == workflow.REJECTED
    assert assignment is not None
    assert assignment.state == assigning.ENDED
    assert {"number": request_id, "reason": "Anna already has this assignment in Pascal."} in told
    page = await client.get(f"/roles/requests/{request_id}")  # the manager who asked may read it
    assert 'data-testid="request-reason">Anna already has this assignment in Pascal.<' in page.text
    assert 'action="/roles/requests' not in page.text


async def test_the_login_tickets_api(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await active_assignment(services, world, [world.ward, world.clinic])
    async with services.unit_of_work() as uow:
        await competence.assign_role(uow.session, actor=await actor(services, "mgr.ward"),
                                     employee_id=world.employee_id, catalogue_id=world.catalogue_id, role_key=NURSE)
    path = f"/api/v1/roles/login-tickets/{world.employee_id}"
    assert (await client.get(path)).status_code == 401
    await log_in(client, "anna")
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert not schema_errors("LoginTickets", body)
    assert body["employee"] == {"id": world.employee_id, "full_name": "Anna Berg"}
    assert body["choices"] == [{"unit_id": world.ward, "unit": "KARD-AVD name", "hsa_id": HSA_WARD, "role": NURSE}]
    assert body["gaps"] == [{"code": "unit_without_linked_role",
                             "message": f"No competence role linked to unit KARD-MOT name ({HSA_CLINIC}).",
                             "params": {"unit": "KARD-MOT name", "hsa_id": HSA_CLINIC}}]
    swedish = await client.get(path, headers={"accept-language": "sv-SE,sv;q=0.9"})
    assert swedish.json()["gaps"][0]["message"] != body["gaps"][0]["message"]
    await switch_to(client, "it.support")
    assert (await client.get(path)).json() == body
    missing = await client.get("/api/v1/roles/login-tickets/999999")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    await switch_to(client, "mgr.clinic")
    refused = await client.get(path)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert path in await refusals(services)


async def test_the_pages_speak_swedish(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    client.headers["accept-language"] = "sv-SE,sv;q=0.9,en;q=0.5"
    await log_in(client, "anna")
    tickets = await client.get("/roles/tickets")
    assert "Dina inloggningsbiljetter" in tickets.text
    assert "Inget aktivt medarbetaruppdrag" in tickets.text
    await switch_to(client, "mgr.ward")
    staff = await client.get("/roles/staff")
    assert "Min personal" in staff.text
    page = await client.get(f"/roles/employees/{world.employee_id}")
    assert "Kompetensroller" in page.text
    assert "Medarbetaruppdrag" in page.text
