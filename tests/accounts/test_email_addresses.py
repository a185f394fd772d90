"""E-mail addresses (issue 23 item 3): the person sets their own on the account pages, the administrator who
manages the account sets it on the user's pages; a wrong address is refused saying what is expected; every
change is audited with the address before and after; nobody else may change it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.accounts.admin_helpers import make_world, user_named
from tests.web import BrowserFactory, log_in, post_form


async def _email_events(services: AppServices) -> list[tuple[str, object, object]]:
    async with services.session_factory() as session:
        events = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "accounts.email_changed")
                                        .order_by(AuditEvent.seq))).all()
    return [(event.actor, (event.before or {}).get("email"), (event.after or {}).get("email")) for event in events]


async def test_a_user_sets_and_clears_their_own_address(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "coord.samb")
    assert 'href="/account/email"' in (await client.get("/account")).text

    saved = await post_form(client, "/account/email", {"email": "  Ana.Pop@Ambulanta.RO "})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert 'value="Ana.Pop@ambulanta.ro"' in page.text
    assert 'data-testid="saved"' in page.text
    assert (await user_named(services, "coord.samb")).email == "Ana.Pop@ambulanta.ro"

    await post_form(client, "/account/email", {"email": "Ana.Pop@ambulanta.ro"})  # unchanged: not audited again
    await post_form(client, "/account/email", {"email": ""})
    assert (await user_named(services, "coord.samb")).email is None
    assert await _email_events(services) == [("coord.samb", None, "Ana.Pop@ambulanta.ro"),
                                             ("coord.samb", "Ana.Pop@ambulanta.ro", None)]


@pytest.mark.parametrize("address", ["ana", "ana@", "@ambulanta.ro", "ana pop@ambulanta.ro", "ana@ambulanta",
                                     "ana@@ambulanta.ro", "ana@ambulanta..ro", "åsa@region.se",
                                     "a" * 250 + "@x.ro"])
async def test_a_wrong_address_is_refused_saying_what_is_expected(client: httpx.AsyncClient, services: AppServices,
                                                                  address: str) -> None:
    await make_world(services)
    await log_in(client, "coord.samb")
    page = await post_form(client, "/account/email", {"email": address})
    assert page.status_code == 422
    assert "Enter an e-mail address such as name@example.org" in page.text
    assert (await user_named(services, "coord.samb")).email is None
    assert await _email_events(services) == []


async def test_the_administrator_sets_a_users_address_and_the_change_is_audited(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_world(services)
    await log_in(client, "admin.samb")
    coordinator = await user_named(services, "coord.samb")
    detail = await client.get(f"/admin/users/{coordinator.id}")
    assert f'href="/admin/users/{coordinator.id}/email"' in detail.text

    refused = await post_form(client, f"/admin/users/{coordinator.id}/email", {"email": "coord at samb.ro"})
    assert refused.status_code == 422
    assert "Enter an e-mail address" in refused.text

    saved = await post_form(client, f"/admin/users/{coordinator.id}/email", {"email": "dispecer@samb.ro"})
    assert saved.status_code == 303
    assert "dispecer@samb.ro" in (await client.get(f"/admin/users/{coordinator.id}")).text
    assert await _email_events(services) == [("admin.samb", None, "dispecer@samb.ro")]


async def test_another_authoritys_administrator_may_not_change_the_address(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices
) -> None:
    await make_world(services)
    coordinator = await user_named(services, "coord.samb")
    await log_in(client, "admin.smurd")
    refused = await post_form(client, f"/admin/users/{coordinator.id}/email", {"email": "intrus@smurd.ro"})
    assert refused.status_code == 403
    assert (await client.get(f"/admin/users/{coordinator.id}/email")).status_code == 403
    async with new_client() as operator:
        await log_in(operator, "coord.smurd")  # not an administrator at all
        assert (await post_form(operator, f"/admin/users/{coordinator.id}/email",
                                {"email": "intrus@smurd.ro"})).status_code == 403
    assert (await user_named(services, "coord.samb")).email is None
    assert await _email_events(services) == []
