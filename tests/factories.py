"""Plain async factories for tests: organisations and users created through the real services."""

from __future__ import annotations

from accounts import service
from accounts.models import Organisation, User
from accounts.service import AccountsContext
from app.kit.actors import Actor
from app.kit.state import AppServices

TEST_PASSWORD = "correct horse battery staple"


async def make_organisation(services: AppServices, code: str, kind: str = "authority",
                            name: str | None = None) -> Organisation:
    async with services.unit_of_work() as uow:
        organisation = Organisation(code=code, name=name or f"Organisation {code}", kind=kind)
        uow.session.add(organisation)
        await uow.session.flush()
        return organisation


async def make_user(
    services: AppServices, username: str, *, role: str = "coordinator", organisation: str = "SAMB",
    password: str | None = TEST_PASSWORD, display_name: str | None = None, must_change: bool = False,
    active: bool = True,
) -> User:
    async with services.unit_of_work() as uow:
        user = await service.create_user(
            uow.session, context=services.get(AccountsContext), actor=Actor.system("cli"),
            organisation_code=organisation,
            role=role, username=username, display_name=display_name or username.title(), password=password)
        user.must_change_password, user.is_active = must_change, active
        return user
