"""A small Chilean health service for licence tests: its digital-health unit, two communes, an establishment,
and one user of each role, on the real services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from accounts import sessions
from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.state import AppServices
from app.provisioning.core.models import OrganisationCalendar
from app.provisioning.licenses.models import LicensePool
from tests.factories import make_user

SERVICE, UNIT, COMMUNE_A, COMMUNE_B, ESTABLISHMENT_A = "SSMSO", "USD", "FLORIDA", "PINTANA", "CESFAM-A"


@dataclass(frozen=True)
class LicenceWorld:
    service_id: int
    unit_id: int
    commune_a: int
    commune_b: int
    establishment_a: int


async def add_organisation(services: AppServices, code: str, kind: str, parent_id: int | None) -> int:
    async with services.unit_of_work() as uow:
        organisation = Organisation(code=code, name=f"{kind} {code}", kind=kind, parent_id=parent_id)
        uow.session.add(organisation)
        await uow.session.flush()
        return organisation.id


async def make_licence_world(services: AppServices, *, pool_size: int | None = 10) -> LicenceWorld:
    service_id = await add_organisation(services, SERVICE, "health_service", None)
    unit_id = await add_organisation(services, UNIT, "digital_health_unit", service_id)
    commune_a = await add_organisation(services, COMMUNE_A, "commune", service_id)
    commune_b = await add_organisation(services, COMMUNE_B, "commune", service_id)
    establishment_a = await add_organisation(services, ESTABLISHMENT_A, "establishment", commune_a)
    async with services.unit_of_work() as uow:
        uow.session.add(OrganisationCalendar(organisation_id=service_id, country="CL"))
        service = await uow.session.get(Organisation, service_id)
        assert service is not None
        service.timezone = "America/Santiago"  # the health service's zone, inherited by its communes
        if pool_size is not None:
            uow.session.add(LicensePool(organisation_id=service_id, size=pool_size))
    await make_user(services, "ref_a", role="referent", organisation=COMMUNE_A)
    await make_user(services, "ref_b", role="referent", organisation=COMMUNE_B)
    await make_user(services, "ref_est", role="referent", organisation=ESTABLISHMENT_A)
    await make_user(services, "officer", role="license_officer", organisation=UNIT)
    await make_user(services, "helpdesk", role="helpdesk", organisation=UNIT)
    return LicenceWorld(service_id, unit_id, commune_a, commune_b, establishment_a)


async def actor_of(services: AppServices, username: str) -> Actor:
    async with services.session_factory() as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return await sessions.actor_for(session, user, source="web", client_address="10.0.0.7")
