"""Administrators per organisation tree (issue 23 item 5): the ministry's administrators make a health service's,
a region's or a care provider's administrator from the pages; that administrator manages the users of its own tree
through the same user pages, and nobody else's; the command line's --role help names every role it accepts."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from accounts.models import User, UserRole
from accounts.permissions import ROLE_ACTIONS
from app.cli import main
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.accounts.admin_helpers import make_world, organisation_id, user_named
from tests.factories import make_user
from tests.provisioning.licence_world import SERVICE, add_organisation, make_licence_world
from tests.web import BrowserFactory, log_in, post_form


def _new_admin(organisation: int, username: str) -> dict[str, str]:
    return {"display_name": f"Admin {username}", "username": username, "role": "admin", "hospital_id": "",
            "organisation_id": str(organisation)}


async def _role_of(services: AppServices, username: str) -> tuple[str, str]:
    async with services.session_factory() as session:
        user = (await session.scalars(select(User).where(User.username == username))).one()
        role = (await session.scalars(select(UserRole.role_code).where(UserRole.user_id == user.id))).one()
        return role, str(user.organisation_id)


@pytest.mark.parametrize(("code", "kind"), [("SSMSO", "health_service"), ("RG", "region"),
                                            ("OMSORG-AB", "care_provider")])
async def test_the_ministry_makes_a_trees_administrator_from_the_pages(
    client: httpx.AsyncClient, services: AppServices, code: str, kind: str
) -> None:
    await make_world(services)
    root = await add_organisation(services, code, kind, None)
    await log_in(client, "admin.ms")
    form = await client.get("/admin/users/new")
    assert f'<option value="{root}"' in form.text

    page = await post_form(client, "/admin/users", _new_admin(root, "admin.tree"))

    assert page.status_code == 200
    assert "/activate/" in page.text
    assert await _role_of(services, "admin.tree") == ("admin", str(root))
    async with services.session_factory() as session:
        event = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "accounts.user_created")
                                       .order_by(AuditEvent.seq.desc()))).first()
    assert event is not None
    assert (event.actor, (event.after or {}).get("organisation"), (event.after or {}).get("role")) == (
        "admin.ms", code, "admin")


async def test_only_the_ministry_makes_a_trees_administrator_and_only_an_administrator(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices
) -> None:
    await make_world(services)
    root = await add_organisation(services, "SSMSO", "health_service", None)
    await log_in(client, "admin.samb")
    assert (await post_form(client, "/admin/users", _new_admin(root, "admin.tree"))).status_code == 403
    async with new_client() as ministry:
        await log_in(ministry, "admin.ms")
        referent = {**_new_admin(root, "ref.tree"), "role": "auditor"}
        assert (await post_form(ministry, "/admin/users", referent)).status_code == 403
    async with services.session_factory() as session:
        assert (await session.scalar(select(User.id).where(User.username.in_(["admin.tree", "ref.tree"])))) is None


async def test_a_trees_administrator_manages_its_own_tree_and_nobody_elses(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_world(services)
    world = await make_licence_world(services)
    await make_user(services, "admin.ssmso", role="admin", organisation=SERVICE)
    await log_in(client, "admin.ssmso")

    listed = await client.get("/admin/users")
    assert listed.status_code == 200
    assert all(f"<td>{name}</td>" in listed.text for name in ("ref_a", "officer", "helpdesk", "admin.ssmso"))
    assert not any(name in listed.text for name in ("coord.samb", "op.h1", "admin.ms"))
    form = await client.get("/admin/users/new")
    assert re.search(r'<option value="referent"', form.text)
    assert f'<option value="{world.commune_a}"' in form.text
    assert "Spitalul Unu" not in form.text

    made = await post_form(client, "/admin/users", {"display_name": "Referente Nueva", "username": "ref.nueva",
                                                    "role": "referent", "hospital_id": "",
                                                    "organisation_id": str(world.commune_a)})
    assert made.status_code == 200
    assert await _role_of(services, "ref.nueva") == ("referent", str(world.commune_a))
    auditor = await post_form(client, "/admin/users", {"display_name": "Auditoría", "username": "audit.nueva",
                                                       "role": "auditor", "hospital_id": "", "organisation_id": ""})
    assert auditor.status_code == 200
    assert await _role_of(services, "audit.nueva") == ("auditor", str(world.service_id))
    officer = await user_named(services, "officer")
    assert (await client.get(f"/admin/users/{officer.id}")).status_code == 200

    coordinator = await user_named(services, "coord.samb")
    assert (await client.get(f"/admin/users/{coordinator.id}")).status_code == 403
    assert (await post_form(client, f"/admin/users/{coordinator.id}/deactivate", {})).status_code == 403
    samb = await organisation_id(services, "SAMB")
    outside = await post_form(client, "/admin/users", {"display_name": "X", "username": "intrus", "role": "admin",
                                                       "hospital_id": "", "organisation_id": str(samb)})
    assert outside.status_code == 403
    assert (await user_named(services, "coord.samb")).is_active


def test_the_command_lines_role_help_names_every_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["users", "create", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(role in help_text for role in ROLE_ACTIONS), help_text


async def test_a_trees_administrator_and_auditor_keep_off_the_bed_board(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices
) -> None:
    await make_world(services)
    await make_licence_world(services)
    await make_user(services, "admin.ssmso", role="admin", organisation=SERVICE)
    await make_user(services, "audit.ssmso", role="auditor", organisation=SERVICE)
    await log_in(client, "admin.ssmso")
    home = await client.get("/account")
    assert 'href="/admin/users"' in home.text
    assert not any(f'href="{path}"' in home.text for path in ("/board", "/admin/nomenclature", "/admin/api-tokens"))
    for path in ("/board", "/admin/nomenclature", "/admin/api-tokens"):
        assert (await client.get(path)).status_code == 403, path
    async with new_client() as auditor:
        await log_in(auditor, "audit.ssmso")
        assert (await auditor.get("/board")).status_code == 403
        assert (await auditor.get("/audit")).status_code == 200
    async with new_client() as bed_board:
        await log_in(bed_board, "admin.samb")
        assert (await bed_board.get("/admin/nomenclature")).status_code == 200
