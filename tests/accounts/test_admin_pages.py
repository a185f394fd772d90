"""The user-administration pages: the list and its filters, the form's rules, refusals over HTTP."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.accounts.admin_helpers import make_world, organisation_id, user_named, written_state
from tests.factories import make_user
from tests.web import BrowserFactory, log_in, post_form


async def test_the_list_shows_own_authority_and_hospital_users_only(client: httpx.AsyncClient,
                                                                    services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    page = await client.get("/admin/users")
    assert page.status_code == 200
    assert all(f"<td>{name}</td>" in page.text for name in ("coord.samb", "op.h1", "admin.samb"))
    assert "coord.ms" not in page.text
    assert "admin.smurd" not in page.text


async def test_the_list_filters_by_search_organisation_and_role(client: httpx.AsyncClient,
                                                                services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    searched = await client.get("/admin/users", params={"q": "OP.H"})
    assert "<td>op.h1</td>" in searched.text
    assert "<td>coord.samb</td>" not in searched.text
    hospital = await organisation_id(services, "H-1")
    by_organisation = await client.get("/admin/users", params={"organisation": str(hospital)})
    assert "<td>op.h1</td>" in by_organisation.text
    assert "<td>admin.samb</td>" not in by_organisation.text
    by_role = await client.get("/admin/users", params={"role": "coordinator"})
    assert "<td>coord.samb</td>" in by_role.text
    assert "<td>op.h1</td>" not in by_role.text


async def test_passwords_older_than_180_days_are_flagged(client: httpx.AsyncClient, services: AppServices,
                                                         clock: ManualClock) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    assert 'data-testid="password-old"' not in (await client.get("/admin/users")).text
    clock.advance(days=181)
    await log_in(client, "admin.samb")
    assert 'data-testid="password-old"' in (await client.get("/admin/users")).text


@pytest.mark.parametrize("username", ["ab", "Ana.Pop", "ana pop", "ana@pop", "a" * 41, "ană"])
async def test_usernames_follow_the_rules(client: httpx.AsyncClient, services: AppServices, username: str) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    before = await written_state(services)
    page = await post_form(client, "/admin/users", {"display_name": "X", "username": username,
                                                    "role": "coordinator", "hospital_id": ""})
    assert page.status_code == 422
    assert "lowercase letters, digits" in page.text
    assert await written_state(services) == before


async def test_a_username_is_unique_regardless_of_case(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await make_user(services, "Ana.Pop", organisation="SAMB")  # made on the command line, with capitals
    await log_in(client, "admin.samb")
    page = await post_form(client, "/admin/users", {"display_name": "Ana", "username": "ana.pop",
                                                    "role": "coordinator", "hospital_id": ""})
    assert page.status_code == 422
    assert "is taken" in page.text


async def test_an_operator_must_name_a_hospital(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    page = await post_form(client, "/admin/users", {"display_name": "Op", "username": "op.new",
                                                    "role": "operator", "hospital_id": ""})
    assert page.status_code == 422
    assert "choose one" in page.text


async def test_a_refusal_over_http_is_audited_and_changes_nothing(client: httpx.AsyncClient,
                                                                  services: AppServices) -> None:
    await make_world(services)
    target = await user_named(services, "coord.ms")
    await log_in(client, "admin.samb")
    answer = await post_form(client, f"/admin/users/{target.id}/deactivate", {})
    assert answer.status_code == 403
    assert (await user_named(services, "coord.ms")).is_active
    async with services.unit_of_work() as uow:
        event = await uow.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert event is not None
    assert event.action == "accounts.authorization_refused"
    assert (await client.get(f"/admin/users/{target.id}")).status_code == 403


async def test_non_admins_cannot_open_the_pages(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "coord.samb")
    assert (await client.get("/admin/users")).status_code == 403


async def test_deactivation_ends_the_users_sessions(client: httpx.AsyncClient, services: AppServices,
                                                    new_client: BrowserFactory) -> None:
    await make_world(services)
    target = await user_named(services, "coord.samb")
    async with new_client() as coordinator:
        await log_in(coordinator, "coord.samb")
        assert (await coordinator.get("/board")).status_code == 200
        await log_in(client, "admin.samb")
        assert (await post_form(client, f"/admin/users/{target.id}/deactivate", {})).status_code == 303
        assert (await coordinator.get("/board")).status_code == 303
        assert (await log_in(coordinator, "coord.samb")).status_code == 401


async def test_delete_keeps_the_row_the_name_and_the_username(client: httpx.AsyncClient,
                                                              services: AppServices) -> None:
    await make_world(services)
    target = await user_named(services, "coord.samb")
    await log_in(client, "admin.samb")
    assert (await post_form(client, f"/admin/users/{target.id}/delete", {})).status_code == 303
    async with services.unit_of_work() as uow:
        kept = await uow.session.get_one(User, target.id)
        event = await uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "accounts.user_deleted"))
    assert kept.deleted_at is not None
    assert kept.display_name == "Coord.Samb"
    assert event is not None
    assert event.before is not None
    assert event.before["username"] == "coord.samb"
    assert "<td>coord.samb</td>" not in (await client.get("/admin/users")).text
    again = await post_form(client, "/admin/users", {"display_name": "X", "username": "coord.samb",
                                                     "role": "coordinator", "hospital_id": ""})
    assert again.status_code == 422
    assert "is taken" in again.text


async def test_an_edit_is_audited_with_before_and_after(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    target = await user_named(services, "coord.samb")
    hospital = await organisation_id(services, "H-1")
    await log_in(client, "admin.samb")
    answer = await post_form(client, f"/admin/users/{target.id}", {
        "display_name": "Now Operator", "username": "coord.samb", "role": "operator", "hospital_id": str(hospital)})
    assert answer.status_code == 303
    async with services.unit_of_work() as uow:
        event = await uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "accounts.user_changed"))
    assert event is not None
    assert (event.before or {})["role"] == "coordinator"
    assert (event.after or {})["role"] == "operator"
    assert (event.after or {})["organisation"] == "H-1"


async def test_the_pages_render(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    target = await user_named(services, "op.h1")
    await log_in(client, "admin.samb")
    for path in ("/admin/users/new", f"/admin/users/{target.id}", f"/admin/users/{target.id}/delete"):
        assert (await client.get(path)).status_code == 200, path
