"""Issue 23 item 7: each step around an employee assignment tells the next person (seed 001's flow). The manager is
told when IT support creates the assignment; IT support may reject after taking a request (with the reason, the
manager told); ending an assignment in bedboard asks IT support to end it in HSA, a request tracked to done. Through
the pages, on both databases, the notices read in Swedish. (A revised catalogue change going back to the head of
operations is in test_role_changes.py and test_roles_change_pages.py.)"""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.roles import kinds
from app.provisioning.roles.models import EmployeeAssignment
from tests.provisioning.roles_world import TODAY, RolesWorld, make_roles_world, user_id
from tests.provisioning.test_roles_pages import active_assignment, ask_for_assignment, switch_to
from tests.web import BrowserFactory, log_in, post_form

SV = {"accept-language": "sv"}


async def notices(services: AppServices, username: str) -> list[tuple[str, dict[str, object]]]:
    recipient = await user_id(services, username)
    async with services.session_factory() as session:
        rows = await session.execute(select(Notification.message, Notification.params)
                                     .where(Notification.user_id == recipient).order_by(Notification.id))
        return [(message, params) for message, params in rows.all()]


async def asked(client: httpx.AsyncClient, world: RolesWorld) -> int:
    """The ward's manager (logged in) asks for an assignment; the request's number."""
    answer = await ask_for_assignment(client, world, [world.ward])
    assert answer.status_code == 303, answer.text
    page = await client.get(answer.headers["location"])
    found = re.search(r'href="/roles/requests/(\d+)"', page.text)
    assert found is not None
    return int(found.group(1))


async def test_the_manager_and_the_employee_are_told_when_it_support_creates_it(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "mgr.ward")
    number = await asked(client, world)
    async with new_client() as support:
        await log_in(support, "it.support")
        assert (await post_form(support, f"/roles/requests/{number}/take", {})).status_code == 303
        done = await post_form(support, f"/roles/requests/{number}/done", {"external_reference": "HSA-1"})
        assert done.status_code == 303
    assert await notices(services, "mgr.ward") == [(
        "IT support created employee assignment #{number} for {employee}: their login tickets show it with each "
        "competence role linked to its units.", {"number": number, "employee": "Anna Berg"})]
    assert [message for message, _params in await notices(services, "anna")] == [
        "Your employee assignment is created: see your login tickets."]
    inbox = await client.get("/notifications", headers=SV)
    assert f"IT-supporten har skapat medarbetaruppdrag #{number} för Anna Berg" in inbox.text


async def test_it_support_rejects_a_request_it_has_taken_and_the_manager_is_told_why(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "mgr.ward")
    number = await asked(client, world)
    async with new_client() as support:
        await log_in(support, "it.support")
        assert (await post_form(support, f"/roles/requests/{number}/take", {})).status_code == 303
        taken = await support.get(f"/roles/requests/{number}")
        assert f'action="/roles/requests/{number}/reject"' in taken.text
        assert (await post_form(support, f"/roles/requests/{number}/reject", {"reason": " "})).status_code == 422
        rejected = await post_form(support, f"/roles/requests/{number}/reject",
                                   {"reason": "Anna saknar HSA-id i katalogen"})
        assert rejected.status_code == 303
    async with services.session_factory() as session:
        request = await session.get_one(ProvisioningRequest, number)
        task = await session.scalar(select(ProvisioningTask).where(ProvisioningTask.request_id == number))
        assignment = await session.scalar(select(EmployeeAssignment).where(EmployeeAssignment.request_id == number))
    assert (request.state, request.reason) == (workflow.REJECTED, "Anna saknar HSA-id i katalogen")
    assert task is not None
    assert (task.state, task.note) == (workflow.FAILED, "Anna saknar HSA-id i katalogen")
    assert assignment is not None
    assert assignment.state == "ended"
    inbox = await client.get("/notifications", headers=SV)
    assert "Anna saknar HSA-id i katalogen" in inbox.text
    page = await client.get(f"/roles/requests/{number}", headers=SV)
    assert 'data-testid="request-state">Avslaget<' in page.text


async def test_ending_an_assignment_asks_it_support_to_end_it_in_hsa_tracked_to_done(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    assignment = await active_assignment(services, world, [world.ward])
    employee = f"/roles/employees/{world.employee_id}"
    await log_in(client, "mgr.ward")
    ended = await post_form(client, f"{employee}/assignments/{assignment}/end", {})
    assert ended.status_code == 303
    assert "done=ended_in_bedboard" in ended.headers["location"]
    async with services.session_factory() as session:
        row = await session.get_one(EmployeeAssignment, assignment)
        assert row.state == "ended"
        assert row.end_request_id is not None
        end = await session.get_one(ProvisioningRequest, row.end_request_id)
    assert (end.kind, end.state) == (kinds.ASSIGNMENT_END.code, workflow.SUBMITTED)
    page = await client.get(employee, headers=SV)
    assert re.search(rf'data-testid="end-in-hsa-{assignment}">Avsluta i HSA: <a href="/roles/requests/{end.id}">'
                     rf'#{end.id}</a> Inskickat<', page.text), page.text
    again = await post_form(client, f"{employee}/assignments/{assignment}/end", {})
    assert again.status_code == 409
    assert [params.get("number") for _message, params in await notices(services, "it.support")][-1] == end.id

    async with new_client() as support:
        await log_in(support, "it.support")
        queue = await support.get("/roles/requests", headers=SV)
        assert f'href="/roles/requests/{end.id}"' in queue.text
        assert "Avsluta i HSA" in queue.text
        detail = await support.get(f"/roles/requests/{end.id}", headers=SV)
        assert f'action="/roles/requests/{end.id}/reject"' not in detail.text
        early = await post_form(support, f"/roles/requests/{end.id}/done", {})
        assert early.status_code == 409
        assert (await post_form(support, f"/roles/requests/{end.id}/take", {})).status_code == 303
        done = await post_form(support, f"/roles/requests/{end.id}/done", {"external_reference": "HSA-ärende 99"})
        assert done.status_code == 303
    async with services.session_factory() as session:
        assert (await session.get_one(ProvisioningRequest, end.id)).state == workflow.DONE
    told = await notices(services, "mgr.ward")
    assert told[-1] == ("IT support ended {employee}'s employee assignment in HSA (request #{number}).",
                        {"employee": "Anna Berg", "number": end.id})
    after = await client.get(employee, headers=SV)
    assert re.search(rf'data-testid="end-in-hsa-{assignment}">.*#{end.id}</a> Klart<', after.text)
    await switch_to(client, "mgr.clinic")  # another manager neither sees nor ends it
    assert (await client.get(f"/roles/requests/{end.id}")).status_code == 403
    assert TODAY.year == 2026
