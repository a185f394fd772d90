"""Issue 23 item 11: a login system reads login tickets with a token of the `login-tickets` scope (as Keycloak
lets a service account read role claims): IT support of the region makes it on the token page, it reads the
region's employees' tickets and nothing else, each read audited with the token's name; tokens of other scopes,
people without the right and another region's IT support are refused. On both databases."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from accounts.models import ApiToken
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.roles import competence
from tests.beds.factories import make_hospital
from tests.beds.test_api_setup import bearer, make_token
from tests.provisioning.other_region import make_other_region
from tests.provisioning.roles_world import HSA_WARD, NURSE, actor, make_roles_world
from tests.provisioning.test_roles_pages import active_assignment, switch_to
from tests.web import csrf_from, log_in, post_form

PAGE = "/roles/login-tokens"


async def make_login_token(client: httpx.AsyncClient, name: str) -> str:
    """IT support (logged in) makes a token on the page; the raw value is in the answer and nowhere else."""
    csrf = await csrf_from(client, PAGE)
    created = await client.post(f"{PAGE}/tokens", data={"name": name, "csrf_token": csrf})
    assert created.status_code == 200, created.text
    raw = re.search(r'value="(bb_[^"]+)"', created.text)
    assert raw is not None
    return raw.group(1)


async def reads(services: AppServices) -> list[tuple[str, str | None, dict[str, object] | None]]:
    async with services.session_factory() as session:
        rows = await session.execute(select(AuditEvent.actor, AuditEvent.object_id, AuditEvent.after)
                                     .where(AuditEvent.action == "roles.login_tickets_read").order_by(AuditEvent.seq))
        return [(row[0], row[1], row[2]) for row in rows.all()]


async def test_it_support_makes_a_token_and_the_login_system_reads_the_tickets(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await active_assignment(services, world, [world.ward])
    async with services.unit_of_work() as uow:
        await competence.assign_role(uow.session, actor=await actor(services, "mgr.ward"),
                                     employee_id=world.employee_id, catalogue_id=world.catalogue_id, role_key=NURSE)
    await log_in(client, "it.support")
    page = await client.get(PAGE, headers={"accept-language": "sv"})
    assert page.status_code == 200
    assert "API-nycklar för inloggningssystem" in page.text  # the scope's part of the one token page, in Swedish
    assert "Skapa nyckel" in page.text
    raw = await make_login_token(client, "Clinic24 inloggning")
    async with services.session_factory() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.name == "Clinic24 inloggning"))
    assert row is not None
    assert (row.scope, row.organisation_id) == ("login-tickets", world.region)
    await post_form(client, "/logout", {})

    path = f"/api/v1/roles/login-tickets/{world.employee_id}"
    answer = await client.get(path, headers=bearer(raw))
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"] == [{"unit_id": world.ward, "unit": "KARD-AVD name", "hsa_id": HSA_WARD,
                                         "role": NURSE}]
    assert await reads(services) == [("token:Clinic24 inloggning", str(world.employee_id),
                                      {"token_name": "Clinic24 inloggning", "choices": 1})]
    # Read only: the path answers GET and nothing else; and only the login-ticket path.
    assert (await client.post(path, json={}, headers=bearer(raw))).status_code == 405
    elsewhere = await client.get("/api/v1/sections", headers=bearer(raw))
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (403, "wrong_token_scope")
    assert len(await reads(services)) == 1


async def test_wrong_scope_tokens_other_regions_and_other_people_are_refused(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    other = await make_other_region(services)
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    beds_token = await make_token(services, hospital, "HIS A")
    path = f"/api/v1/roles/login-tickets/{world.employee_id}"
    wrong = await client.get(path, headers=bearer(beds_token))
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "wrong_token_scope")
    # Another region's IT support makes a token of its own region: it reads none of Gävleborg's employees.
    await log_in(client, "it.x")
    theirs = await make_login_token(client, "Region X login")
    refused = await client.get(path, headers=bearer(theirs))
    assert refused.status_code == 403
    assert (await client.get(f"/api/v1/roles/login-tickets/{other.employee_id}",
                             headers=bearer(theirs))).status_code == 200
    # A manager and the bed board's administrator may not make such tokens.
    for username in ("mgr.ward", "admin"):
        await switch_to(client, username)
        assert (await client.get(PAGE)).status_code == 403
        csrf = await csrf_from(client, "/account")
        made = await client.post(f"{PAGE}/tokens", data={"name": f"by {username}", "csrf_token": csrf})
        assert made.status_code == 403
    async with services.session_factory() as session:
        names = set(await session.scalars(select(ApiToken.name).where(ApiToken.scope == "login-tickets")))
    assert names == {"Region X login"}
    assert [who for who, *_rest in await reads(services)] == ["token:Region X login"]


async def test_the_openapi_document_names_the_token(client: httpx.AsyncClient, services: AppServices) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/api/v1/roles/login-tickets/{employee_id}"]["get"]
    assert {"bearerToken": []} in operation["security"]
    assert "login-tickets" in operation["description"]
