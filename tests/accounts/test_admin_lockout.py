"""Administrators cannot lock themselves out: not their own account, not the last administrator."""

from __future__ import annotations

import pytest

from accounts import admin_service
from accounts.admin_service import LockOut
from app.kit.actors import Actor
from app.kit.state import AppServices
from tests.accounts.admin_helpers import actor_of, make_world, user_named, written_state
from tests.factories import make_user


async def _remove(services: AppServices, actor: Actor, action: str, user_id: int) -> None:
    async with services.unit_of_work() as uow:
        if action == "deactivate":
            await admin_service.set_active(uow.session, actor=actor, user_id=user_id, active=False)
        elif action == "delete":
            await admin_service.delete_user(uow.session, actor=actor, user_id=user_id)
        elif action == "reset":
            await admin_service.reset_password(uow.session, actor=actor, user_id=user_id)
        else:  # demote: an administrator made an auditor of its own authority
            await admin_service.update_user(uow.session, actor=actor, user_id=user_id, username="admin.samb",
                                            display_name="Admin", role="auditor")


@pytest.mark.parametrize("action", ["deactivate", "delete", "demote", "reset"])
async def test_an_admin_cannot_remove_or_demote_itself(services: AppServices, action: str) -> None:
    await make_world(services)
    await make_user(services, "admin2.samb", role="admin", organisation="SAMB")  # not the last admin
    actor = await actor_of(services, "admin.samb")
    assert actor.user_id is not None
    before = await written_state(services)
    with pytest.raises(LockOut):
        await _remove(services, actor, action, actor.user_id)
    assert await written_state(services) == before


async def test_an_admin_may_still_rename_itself(services: AppServices) -> None:
    await make_world(services)
    actor = await actor_of(services, "admin.samb")
    assert actor.user_id is not None
    async with services.unit_of_work() as uow:
        await admin_service.update_user(uow.session, actor=actor, user_id=actor.user_id, username="admin.samb",
                                        display_name="New Name", role="admin", organisation_id=None)
    assert (await user_named(services, "admin.samb")).display_name == "New Name"


@pytest.mark.parametrize("action", ["deactivate", "delete", "demote"])
async def test_the_last_active_admin_of_an_authority_cannot_be_removed(services: AppServices, action: str) -> None:
    """Two admins removing each other at once: the second removal finds the last admin and is refused."""
    await make_world(services)
    await make_user(services, "admin2.samb", role="admin", organisation="SAMB")
    first, second = await actor_of(services, "admin.samb"), await actor_of(services, "admin2.samb")
    assert first.user_id is not None
    assert second.user_id is not None
    async with services.unit_of_work() as uow:
        await admin_service.set_active(uow.session, actor=first, user_id=second.user_id, active=False)
    before = await written_state(services)
    with pytest.raises(LockOut) as refused:  # the second admin's page was open before it was deactivated
        await _remove(services, second, action, first.user_id)
    assert refused.value.params == {"username": "admin.samb"}
    assert await written_state(services) == before


async def test_another_admin_may_be_removed_while_one_remains(services: AppServices) -> None:
    await make_world(services)
    await make_user(services, "admin2.samb", role="admin", organisation="SAMB")
    actor = await actor_of(services, "admin.samb")
    target = await user_named(services, "admin2.samb")
    async with services.unit_of_work() as uow:
        await admin_service.delete_user(uow.session, actor=actor, user_id=target.id)
    deleted = await user_named(services, "admin2.samb")
    assert deleted.deleted_at is not None
    assert not deleted.is_active
