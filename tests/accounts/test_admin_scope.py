"""The scope matrix: every administrator action, by the admin of each authority, on a user of its own
authority, of another authority, of a hospital owned by its authority and of one owned by another authority.
Refusals write nothing."""

from __future__ import annotations

import pytest

from accounts import admin_service
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.state import AppServices
from tests.accounts.admin_helpers import (
    actor_of,
    last_event,
    make_world,
    organisation_id,
    set_owner,
    user_named,
    written_state,
)
from tests.factories import make_user

OTHER = {"MS": "SAMB", "SAMB": "SMURD", "SMURD": "MS"}
ACTIONS = ("create", "edit", "deactivate", "delete", "reset")
EXPECTED_ACTIONS = {"create": "accounts.user_created", "edit": "accounts.user_changed",
                    "deactivate": "accounts.user_deactivated", "delete": "accounts.user_deleted",
                    "reset": "accounts.password_reset"}


async def _target(services: AppServices, authority: str, where: str) -> tuple[str, str, int]:
    """(username of an existing target, its role, its organisation id)."""
    if where in ("hospital", "other_hospital"):
        await set_owner(services, "op.h1", authority if where == "hospital" else OTHER[authority])
        return "op.h1", "operator", await organisation_id(services, "H-1")
    code = authority if where == "own" else OTHER[authority]
    return f"coord.{code.lower()}", "coordinator", await organisation_id(services, code)


async def _act(services: AppServices, actor: Actor, action: str, username: str, role: str, organisation: int) -> None:
    async with services.unit_of_work() as uow:
        if action == "create":
            await admin_service.create_user(uow.session, actor=actor, username="new.user", display_name="New User",
                                            role=role, organisation_id=organisation)
            return
        target = await user_named(services, username)
        if action == "edit":
            await admin_service.update_user(uow.session, actor=actor, user_id=target.id, username=username,
                                            display_name="Renamed", role=role, organisation_id=organisation)
        elif action == "deactivate":
            await admin_service.set_active(uow.session, actor=actor, user_id=target.id, active=False)
        elif action == "delete":
            await admin_service.delete_user(uow.session, actor=actor, user_id=target.id)
        else:
            await admin_service.reset_password(uow.session, actor=actor, user_id=target.id)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("where", ["own", "other", "hospital", "other_hospital"])
@pytest.mark.parametrize("authority", ["MS", "SAMB", "SMURD"])
async def test_scope_matrix(services: AppServices, authority: str, where: str, action: str) -> None:
    await make_world(services)
    actor = await actor_of(services, f"admin.{authority.lower()}")
    username, role, organisation = await _target(services, authority, where)
    before = await written_state(services)
    if where == "other" or (where == "other_hospital" and action != "create"):
        with pytest.raises(PermissionDenied):
            await _act(services, actor, action, username, role, organisation)
        assert await written_state(services) == before
        return
    await _act(services, actor, action, username, role, organisation)
    assert await written_state(services) != before
    event = await last_event(services)
    assert (event.action, event.actor) == (EXPECTED_ACTIONS[action], actor.username)


@pytest.mark.parametrize("role", ["coordinator", "operator", "auditor"])
async def test_only_authority_admins_manage_users(services: AppServices, role: str) -> None:
    await make_world(services)
    await make_user(services, f"someone.{role}", role=role, organisation="H-1" if role == "operator" else "SAMB")
    actor = await actor_of(services, f"someone.{role}")
    before = await written_state(services)
    with pytest.raises(PermissionDenied):
        await _act(services, actor, "create", "", "coordinator", await organisation_id(services, "SAMB"))
    assert await written_state(services) == before
