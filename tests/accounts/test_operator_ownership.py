"""Operators and API tokens across authorities: each has one owning authority, only its administrators manage
it; the ministry (MS) may take ownership, and that is audited. Everything through the admin pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from sqlalchemy import select

from accounts.models import ApiToken, Organisation, User
from app.demo import DemoLogin
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.accounts.admin_helpers import user_named
from tests.beds.factories import make_hospital
from tests.factories import make_user
from tests.web import BrowserFactory, csrf_from, log_in

LINK = re.compile(r"/activate/[A-Za-z0-9_-]+")


async def _world(services: AppServices) -> int:
    for code in ("MS", "SAMB", "SMURD"):
        await make_user(services, f"admin.{code.lower()}", role="admin", organisation=code)
    return await make_hospital(services, "H-1", "Spitalul Unu")


Admins = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def admin(new_client: BrowserFactory) -> AsyncIterator[Admins]:
    """A logged-in browser of an authority's administrator, closed after the test."""
    async with AsyncExitStack() as stack:
        async def logged_in(authority: str) -> httpx.AsyncClient:
            browser = await stack.enter_async_context(new_client())
            assert (await log_in(browser, f"admin.{authority.lower()}")).status_code == 303
            return browser

        yield logged_in


async def _post(browser: httpx.AsyncClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    return await browser.post(path, data={**(data or {}), "csrf_token": await csrf_from(browser, "/admin/users")})


async def _operator_by(browser: httpx.AsyncClient, services: AppServices, hospital_id: int) -> User:
    made = await _post(browser, "/admin/users", {"username": "op.smurd", "display_name": "Operator Smurd",
                                                  "role": "operator", "hospital_id": str(hospital_id)})
    assert made.status_code == 200
    assert LINK.search(made.text)
    return await user_named(services, "op.smurd")


async def _refusals(services: AppServices, path: str) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "accounts.authorization_refused", AuditEvent.object_id == path)))


async def _events(services: AppServices, action: str) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def _owner_code(services: AppServices, user_id: int) -> str | None:
    async with services.session_factory() as session:
        return await session.scalar(select(Organisation.code).join(User, User.owner_organisation_id == Organisation.id)
                                    .where(User.id == user_id))


async def test_another_authority_cannot_reset_or_deactivate_an_operator_the_owner_can(
    services: AppServices, admin: Admins
) -> None:
    hospital_id = await _world(services)
    smurd = await admin("SMURD")
    samb = await admin("SAMB")
    operator = await _operator_by(smurd, services, hospital_id)
    assert await _owner_code(services, operator.id) == "SMURD"
    for action in ("reset-password", "deactivate"):
        path = f"/admin/users/{operator.id}/{action}"
        assert (await _post(samb, path)).status_code == 403
        assert len(await _refusals(services, path)) == 1
    edit = await _post(samb, f"/admin/users/{operator.id}", {"username": "op.samb", "display_name": "Taken",
                                                            "role": "operator", "hospital_id": str(hospital_id)})
    assert edit.status_code == 403
    unchanged = await user_named(services, "op.smurd")
    assert (unchanged.is_active, unchanged.display_name) == (True, "Operator Smurd")
    assert await _events(services, "accounts.password_reset") == []
    assert (await samb.get(f"/admin/users/{operator.id}")).status_code == 403
    assert (await samb.get(f"/admin/users/{operator.id}/delete")).status_code == 403
    listing = (await samb.get("/admin/users")).text
    assert "Operator Smurd" in listing
    assert "Organisation SMURD" in listing  # whom to ask
    assert f'href="/admin/users/{operator.id}"' not in listing
    page = await smurd.get(f"/admin/users/{operator.id}")
    assert "Organisation SMURD" in page.text
    assert "Reset password" in page.text
    reset = await _post(smurd, f"/admin/users/{operator.id}/reset-password")
    assert reset.status_code == 200
    assert LINK.search(reset.text)
    assert [event.actor for event in await _events(services, "accounts.password_reset")] == ["admin.smurd"]


async def test_the_ministry_takes_ownership_of_an_operator_audited_then_manages_it(
    services: AppServices, admin: Admins
) -> None:
    hospital_id = await _world(services)
    smurd = await admin("SMURD")
    ms = await admin("MS")
    samb = await admin("SAMB")
    operator = await _operator_by(smurd, services, hospital_id)
    assert (await _post(ms, f"/admin/users/{operator.id}/reset-password")).status_code == 403
    assert "Take ownership" in (await ms.get(f"/admin/users/{operator.id}")).text
    assert (await _post(samb, f"/admin/users/{operator.id}/take-ownership")).status_code == 403
    taken = await _post(ms, f"/admin/users/{operator.id}/take-ownership")
    assert taken.status_code == 303
    [event] = await _events(services, "accounts.ownership_taken")
    assert (event.actor, event.object_id, event.before, event.after) == (
        "admin.ms", str(operator.id), {"owner": "SMURD"}, {"owner": "MS", "username": "op.smurd"})
    assert await _owner_code(services, operator.id) == "MS"
    assert (await _post(ms, f"/admin/users/{operator.id}/reset-password")).status_code == 200
    assert (await _post(smurd, f"/admin/users/{operator.id}/deactivate")).status_code == 403
    assert (await user_named(services, "op.smurd")).is_active


async def test_an_operator_made_from_the_command_line_is_the_ministrys(services: AppServices, admin: Admins) -> None:
    """No owner recorded (the command line, or a backfill without MS): only the ministry's administrators manage
    it, not every authority's."""
    await _world(services)
    operator = await make_user(services, "op.cli", role="operator", organisation="H-1")
    assert await _owner_code(services, operator.id) is None
    samb = await admin("SAMB")
    ms = await admin("MS")
    path = f"/admin/users/{operator.id}/reset-password"
    assert (await _post(samb, path)).status_code == 403
    assert (await _post(ms, path)).status_code == 200
    assert [event.actor for event in await _events(services, "accounts.password_reset")] == ["admin.ms"]


async def test_an_administrator_who_moves_a_user_into_a_hospital_owns_it(services: AppServices, admin: Admins) -> None:
    hospital_id = await _world(services)
    smurd = await admin("SMURD")
    made = await _post(smurd, "/admin/users", {"username": "coord.smurd", "display_name": "Coordonator",
                                                "role": "coordinator", "hospital_id": ""})
    assert made.status_code == 200
    user = await user_named(services, "coord.smurd")
    assert await _owner_code(services, user.id) is None  # an authority's own user has no owner
    moved = await _post(smurd, f"/admin/users/{user.id}", {"username": "coord.smurd", "display_name": "Coordonator",
                                                           "role": "operator", "hospital_id": str(hospital_id)})
    assert moved.status_code == 303
    assert await _owner_code(services, user.id) == "SMURD"
    assert (await _post(smurd, f"/admin/users/{user.id}/reset-password")).status_code == 200


async def _token_by(browser: httpx.AsyncClient, services: AppServices, hospital_id: int) -> ApiToken:
    made = await _post(browser, "/admin/api-tokens", {"name": "HIS Unu", "hospital_id": str(hospital_id)})
    assert made.status_code == 200
    async with services.session_factory() as session:
        return (await session.scalars(select(ApiToken).where(ApiToken.name == "HIS Unu"))).one()


async def _revoked(services: AppServices, token_id: int) -> bool:
    async with services.session_factory() as session:
        return (await session.get_one(ApiToken, token_id)).revoked_at is not None


async def test_another_authority_cannot_revoke_a_token_the_ministry_takes_it_over(
    services: AppServices, admin: Admins
) -> None:
    hospital_id = await _world(services)
    smurd = await admin("SMURD")
    samb = await admin("SAMB")
    ms = await admin("MS")
    token = await _token_by(smurd, services, hospital_id)
    listing = await samb.get("/admin/api-tokens")
    assert "Organisation SMURD" in listing.text
    assert f"/admin/api-tokens/{token.id}/revoke" not in listing.text
    path = f"/admin/api-tokens/{token.id}/revoke"
    assert (await _post(samb, path)).status_code == 403
    assert len(await _refusals(services, path)) == 1
    assert not await _revoked(services, token.id)
    assert (await _post(samb, f"/admin/api-tokens/{token.id}/take-ownership")).status_code == 403
    assert (await _post(ms, path)).status_code == 403
    assert (await samb.get(path)).status_code == 403  # nor is the confirmation page shown
    assert (await _post(ms, f"/admin/api-tokens/{token.id}/take-ownership")).status_code == 303
    [event] = await _events(services, "accounts.ownership_taken")
    assert (event.object_type, event.before, event.after) == (
        "api_token", {"owner": "Organisation SMURD"}, {"owner": "MS", "name": "HIS Unu"})
    assert (await _post(smurd, path)).status_code == 403
    assert not await _revoked(services, token.id)
    assert (await _post(ms, path)).status_code == 303
    assert await _revoked(services, token.id)


async def test_the_owner_revokes_its_own_token(services: AppServices, admin: Admins) -> None:
    hospital_id = await _world(services)
    smurd = await admin("SMURD")
    token = await _token_by(smurd, services, hospital_id)
    assert (await _post(smurd, f"/admin/api-tokens/{token.id}/revoke")).status_code == 303
    assert await _revoked(services, token.id)


async def test_the_demo_says_that_samb_owns_its_operator(services: AppServices, demo_loaded: list[DemoLogin]) -> None:
    operator = await user_named(services, "op.floreasca")
    assert await _owner_code(services, operator.id) == "SAMB"
    [created] = [event for event in await _events(services, "accounts.user_created")
                 if event.object_id == str(operator.id)]
    assert created.after is not None
    assert created.after["owner"] == "SAMB"
