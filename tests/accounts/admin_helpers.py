"""Shared set-up of the user-administration tests: three authorities, a hospital, their users."""

from __future__ import annotations

from sqlalchemy import func, select

from accounts import sessions
from accounts.models import ActivationToken, Organisation, User
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.beds.factories import make_hospital
from tests.factories import make_user

AUTHORITIES = ("MS", "SAMB", "SMURD")


async def make_world(services: AppServices) -> None:
    """An admin and a coordinator per authority; one hospital H-1 with an operator owned by SAMB."""
    for code in AUTHORITIES:
        await make_user(services, f"admin.{code.lower()}", role="admin", organisation=code)
        await make_user(services, f"coord.{code.lower()}", role="coordinator", organisation=code)
    await make_hospital(services, "H-1", "Spitalul Unu")
    await make_user(services, "op.h1", role="operator", organisation="H-1")
    await set_owner(services, "op.h1", "SAMB")


async def set_owner(services: AppServices, username: str, authority: str) -> None:
    """Make ``authority`` the owner of a hospital user, as if its administrator had made it."""
    async with services.unit_of_work() as uow:
        user = await uow.session.scalar(select(User).where(User.username_key == username))
        assert user is not None, username
        user.owner_organisation_id = await uow.session.scalar(
            select(Organisation.id).where(Organisation.code == authority))


async def actor_of(services: AppServices, username: str) -> Actor:
    async with services.unit_of_work() as uow:
        user = await uow.session.scalar(select(User).where(User.username_key == username))
        assert user is not None, username
        return await sessions.actor_for(uow.session, user, source="web", client_address="10.0.0.1")


async def user_named(services: AppServices, username: str) -> User:
    async with services.unit_of_work() as uow:
        user = await uow.session.scalar(select(User).where(User.username_key == username))
        assert user is not None, username
        return user


async def organisation_id(services: AppServices, code: str) -> int:
    async with services.unit_of_work() as uow:
        found = await uow.session.scalar(select(Organisation.id).where(Organisation.code == code))
        assert found is not None, code
        return found


async def written_state(services: AppServices) -> tuple[object, ...]:
    """Everything an administrator action could write, to compare before and after a refusal."""
    async with services.unit_of_work() as uow:
        users = (await uow.session.execute(
            select(User.id, User.username, User.display_name, User.organisation_id, User.is_active,
                   User.deleted_at, User.password_hash, User.owner_organisation_id).order_by(User.id))).all()
        links = await uow.session.scalar(select(func.count()).select_from(ActivationToken))
        events = await uow.session.scalar(select(func.max(AuditEvent.seq)))
    return tuple(users), links, events


async def last_event(services: AppServices) -> AuditEvent:
    async with services.unit_of_work() as uow:
        event = await uow.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert event is not None
        return event
