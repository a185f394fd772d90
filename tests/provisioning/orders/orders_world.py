"""Region Skåne with an audiology clinic and Uppsala municipality with a care provider and its subcontractor, each
with IT contacts, the catalogues installed as version 1 by their IT-order administrators."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.state import AppServices
from app.provisioning.core.models import OrganisationCalendar
from app.provisioning.orders import storing
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of

SKANE, CLINIC, OTHER_CLINIC = "RSK", "AUD-LUND", "AUD-MALMO"
UPPSALA, PROVIDER, SUBCONTRACTOR = "UPPSALA", "OMSORG-AB", "HEMTJANST-UE"


@dataclass(frozen=True)
class OrdersWorld:
    skane: int
    clinic: int
    other_clinic: int
    uppsala: int
    provider: int
    subcontractor: int


async def _organisation(services: AppServices, code: str, name: str, kind: str, parent_id: int | None) -> int:
    async with services.unit_of_work() as uow:
        organisation = Organisation(code=code, name=name, kind=kind, parent_id=parent_id,
                                    timezone="Europe/Stockholm" if parent_id is None else None)
        uow.session.add(organisation)
        await uow.session.flush()
        if parent_id is None:
            uow.session.add(OrganisationCalendar(organisation_id=organisation.id, country="SE"))
        return organisation.id


async def make_orders_world(services: AppServices) -> OrdersWorld:
    skane = await _organisation(services, SKANE, "Region Skåne", "region", None)
    clinic = await _organisation(services, CLINIC, "Hörselmottagningen Lund", "unit", skane)
    other_clinic = await _organisation(services, OTHER_CLINIC, "Hörselmottagningen Malmö", "unit", skane)
    uppsala = await _organisation(services, UPPSALA, "Uppsala kommun", "commune", None)
    provider = await _organisation(services, PROVIDER, "Omsorg AB", "care_provider", uppsala)
    subcontractor = await _organisation(services, SUBCONTRACTOR, "Hemtjänst UE", "care_provider", provider)
    for username, role, organisation in (
            ("it.lund", "it_contact", CLINIC), ("it.malmo", "it_contact", OTHER_CLINIC),
            ("orders.skane", "orders_admin", SKANE), ("orders.uppsala", "orders_admin", UPPSALA),
            ("it.omsorg", "it_contact", PROVIDER), ("it.ue", "it_contact", SUBCONTRACTOR),
            ("coordinator", "coordinator", "SAMB")):
        await make_user(services, username, role=role, organisation=organisation)
    for username, key, organisation_id in (("orders.skane", "skane_audiology", skane),
                                           ("orders.uppsala", "uppsala_care_providers", uppsala)):
        admin = await actor_of(services, username)
        async with services.unit_of_work() as uow:
            await storing.install_shipped(uow, actor=admin, key=key, organisation_id=organisation_id)
    return OrdersWorld(skane, clinic, other_clinic, uppsala, provider, subcontractor)


async def actor(services: AppServices, username: str) -> Actor:
    return await actor_of(services, username)
