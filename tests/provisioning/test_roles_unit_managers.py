"""Issue 23 item 2: the nearest-manager rule administered in the product. A unit's page says when it has no
manager and who can name one; IT support of the region and the head of operations of the care area name a unit's
manager and move an employee (pages and API), audited, refusing anyone who is not a manager of that care area; the
command line refuses an employee as a unit's manager too. On both databases, the pages in Swedish."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.roles.models import Employee, RoleUnit
from tests.provisioning.other_region import make_other_region
from tests.provisioning.roles_world import make_roles_world, user_id
from tests.provisioning.test_roles_pages import switch_to
from tests.provisioning.test_setup_cli import _run
from tests.test_cli import STRONG_PASSWORD, query
from tests.web import csrf_from, log_in, post_form

SV = {"accept-language": "sv"}


async def unit_manager(services: AppServices, unit: int) -> int | None:
    async with services.session_factory() as session:
        return await session.scalar(select(RoleUnit.manager_user_id).where(RoleUnit.organisation_id == unit))


async def audited(services: AppServices, action: str) -> list[dict[str, object] | None]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent.after).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.seq)))


async def test_a_unit_without_a_manager_says_who_names_one_and_it_support_names_one(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(RoleUnit).where(RoleUnit.organisation_id == world.ward)
                                  .values(manager_user_id=None))
    # The manager who lost the unit is not left at a dead end: the staff page says who fixes it, and where.
    await log_in(client, "mgr.ward")
    staff = await client.get("/roles/staff", headers=SV)
    assert 'data-testid="no-units"' in staff.text
    assert 'href="/roles/units"' in staff.text
    await switch_to(client, "it.support")
    listing = await client.get("/roles/units", headers=SV)
    assert listing.status_code == 200
    assert listing.text.count('data-testid="no-manager"') == 1
    page = await client.get(f"/roles/units/{world.ward}", headers=SV)
    assert "Enheten har ingen chef" in page.text
    assert "Kan utse en chef: Head.Kard, It.Support (regionens IT-support, verksamhetschefen för VO-KARD name)." \
        in page.text

    anna, primary_manager = await user_id(services, "anna"), await user_id(services, "mgr.primary")
    for refused in (anna, primary_manager):  # an employee; a manager of another care area
        answer = await post_form(client, f"/roles/units/{world.ward}/manager", {"manager_user_id": str(refused)})
        assert answer.status_code == 422
        answer = await client.post(f"/roles/units/{world.ward}/manager", headers=SV, data={
            "manager_user_id": str(refused), "csrf_token": await csrf_from(client, "/account")})
        assert "är inte chef inom VO-KARD name" in answer.text
    assert await unit_manager(services, world.ward) is None

    clinic_manager = await user_id(services, "mgr.clinic")
    named = await post_form(client, f"/roles/units/{world.ward}/manager", {"manager_user_id": str(clinic_manager)})
    assert named.status_code == 303
    assert await unit_manager(services, world.ward) == clinic_manager
    assert await audited(services, "roles.unit_manager_set") == [
        {"manager_user_id": clinic_manager, "manager": "mgr.clinic"}]
    async with services.session_factory() as session:
        told = list(await session.scalars(select(Notification.params).where(Notification.user_id == clinic_manager)))
    assert {"unit": "KARD-AVD name"} in told
    # The new manager now has the unit's employee and may record more there.
    await switch_to(client, "mgr.clinic")
    staff = await client.get("/roles/staff")
    assert "Anna Berg" in staff.text
    assert 'name="unit_id"' in staff.text


async def test_only_it_support_and_the_head_of_operations_change_managers(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await make_other_region(services)
    clinic_manager = await user_id(services, "mgr.clinic")
    for username in ("mgr.ward", "head.digital", "steward", "it.x"):
        await switch_to(client, username) if username != "mgr.ward" else await log_in(client, username)
        page = await client.get(f"/roles/units/{world.ward}")
        assert 'data-testid="manager-form"' not in page.text
        refused = await post_form(client, f"/roles/units/{world.ward}/manager",
                                  {"manager_user_id": str(clinic_manager)})
        assert refused.status_code == 403, username
    assert await unit_manager(services, world.ward) == await user_id(services, "mgr.ward")
    assert await audited(services, "roles.unit_manager_set") == []
    await switch_to(client, "head.kard")
    page = await client.get(f"/roles/units/{world.ward}")
    assert 'data-testid="manager-form"' in page.text
    assert (await post_form(client, f"/roles/units/{world.ward}/manager",
                            {"manager_user_id": str(clinic_manager)})).status_code == 303
    assert await unit_manager(services, world.ward) == clinic_manager


async def test_the_api_names_a_manager_and_moves_an_employee(client: httpx.AsyncClient,
                                                             services: AppServices) -> None:
    world = await make_roles_world(services)
    ward_manager, anna = await user_id(services, "mgr.ward"), await user_id(services, "anna")
    await log_in(client, "head.kard")
    headers = {"X-CSRF-Token": await csrf_from(client, "/account")}
    assert (await client.put(f"/api/v1/roles/units/{world.clinic}/manager", json={"manager_user_id": anna},
                             headers=headers)).status_code == 422
    named = await client.put(f"/api/v1/roles/units/{world.clinic}/manager",
                             json={"manager_user_id": ward_manager}, headers=headers)
    assert named.status_code == 200, named.text
    assert named.json() == {"unit_id": world.clinic, "manager_user_id": ward_manager}
    moved = await client.put(f"/api/v1/roles/employees/{world.employee_id}/unit",
                             json={"unit_id": world.clinic, "manager_user_id": None}, headers=headers)
    assert moved.json() == {"employee_id": world.employee_id, "unit_id": world.clinic, "manager_user_id": None}
    wrong = await client.put(f"/api/v1/roles/employees/{world.employee_id}/unit",
                             json={"unit_id": world.clinic, "manager_user_id": anna}, headers=headers)
    assert wrong.status_code == 422
    # Into primary care: the head of cardiology does not administer it.
    away = await client.put(f"/api/v1/roles/employees/{world.employee_id}/unit",
                            json={"unit_id": world.primary_unit}, headers=headers)
    assert away.status_code == 403
    async with services.session_factory() as session:
        employee = await session.get_one(Employee, world.employee_id)
    assert (employee.unit_id, employee.manager_user_id) == (world.clinic, None)
    assert await audited(services, "roles.employee_unit_set") == [{"unit_id": world.clinic, "manager_user_id": None}]
    # The page does the same: IT support names mgr.ward as Anna's own nearest manager at the clinic.
    await switch_to(client, "it.support")
    done = await post_form(client, f"/roles/units/{world.clinic}/employees", {
        "employee_id": str(world.employee_id), "unit_id": str(world.clinic), "manager_user_id": str(ward_manager)})
    assert done.status_code == 303
    page = await client.get(f"/roles/units/{world.clinic}")
    assert "named for the employee" in page.text


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_the_command_line_refuses_an_employee_as_a_units_manager(
        database_url: str, tmp_path: Path, role: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (("--code", "RG", "--name", "Region Gävleborg", "--kind", "region"),
                 ("--code", "VO-KARD", "--name", "VO Kardiologi", "--kind", "care_area", "--parent", "RG"),
                 ("--code", "KARD-AVD", "--name", "Kardiologavdelning", "--kind", "unit", "--parent", "VO-KARD")):
        assert _run(database_url, tmp_path, "organisations", "create", *argv) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG_PASSWORD + "\n"))
    assert _run(database_url, tmp_path, "users", "create", "--organisation", "KARD-AVD", "--role", role,
                "--username", "karin", "--password-stdin") == 0
    code = _run(database_url, tmp_path, "roles", "unit", "--organisation", "KARD-AVD",
                "--hsa-id", "SE2321000198-E1KA", "--manager", "karin")
    managers = query(database_url, "SELECT manager_user_id IS NOT NULL FROM role_units")
    if role == "employee":
        assert code == 1
        assert "is not a manager of VO Kardiologi" in capsys.readouterr().err
        assert managers == []
    else:
        assert code == 0
        assert managers == [(True,)]
