"""Issue 23 item 9 on the IT-order pages: each time is shown in the zone of the reader's organisation, with that zone
named when the order's organisation counts in another one (a subcontractor or a care provider abroad reading an
order, a fulfilling group reading its queue); a reader in the order's own zone sees the time without a name."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, update

from accounts.models import Organisation
from app.kit.i18n import format_moment
from app.kit.state import AppServices
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.orders import membership
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_fulfilment_groups import subcontractor_order, user_id
from tests.web import BrowserFactory, log_in

STOCKHOLM, HELSINKI = ZoneInfo("Europe/Stockholm"), ZoneInfo("Europe/Helsinki")


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    world = await make_orders_world(services)
    await make_user(services, "klk.anna", role="it_fulfiller", organisation="UPPSALA", display_name="Anna Berg")
    return world


async def set_zone(services: AppServices, organisation_id: int, zone: ZoneInfo) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Organisation).where(Organisation.id == organisation_id)
                                  .values(timezone=zone.key))


async def moments(services: AppServices, order_id: int, task_key: str) -> tuple[datetime, datetime]:
    async with services.session_factory() as session:
        created = await session.scalar(select(ProvisioningRequest.created_at).where(ProvisioningRequest.id == order_id))
        changed = await session.scalar(select(ProvisioningTask.updated_at).where(
            ProvisioningTask.request_id == order_id, ProvisioningTask.key == task_key))
    assert created is not None
    assert changed is not None
    return created, changed


def last_changed(page: str, task_key: str) -> str:
    block = page.split(f'id="task-{task_key}"')[1]
    found = re.search(r'<dt>Last changed</dt><dd class="muted">([^<·]*)', block)
    assert found is not None, block[:2000]
    return found.group(1).strip()


async def test_the_subcontractor_reads_the_order_in_its_own_zone_named(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    await set_zone(services, world.subcontractor, HELSINKI)
    order_id = await subcontractor_order(services, world, date(2026, 4, 30))
    _created, changed = await moments(services, order_id, "new_organisation")
    subcontractor, orderer = new_client(), new_client()
    await log_in(subcontractor, "it.ue")
    await log_in(orderer, "it.omsorg")
    read = await subcontractor.get(f"/orders/{order_id}")
    assert read.status_code == 200
    assert last_changed(read.text, "new_organisation") == f"{format_moment(changed, HELSINKI, 'en')} (Europe/Helsinki)"
    own = await orderer.get(f"/orders/{order_id}")
    assert last_changed(own.text, "new_organisation") == format_moment(changed, STOCKHOLM, "en")


async def test_a_group_member_reads_a_care_provider_abroad_in_the_groups_zone_named(
        services: AppServices, world: OrdersWorld, client: httpx.AsyncClient) -> None:
    admin = await actor_of(services, "orders.uppsala")
    anna = await user_id(services, "klk.anna")
    async with services.unit_of_work() as uow:
        await membership.add_member(uow, actor=admin, group_key="klk_it", user_id=anna)
    await set_zone(services, world.provider, HELSINKI)  # Omsorg AB counts in Helsinki; KLK IT in Stockholm
    order_id = await subcontractor_order(services, world, date(2026, 4, 30))
    created, _changed = await moments(services, order_id, "new_organisation")
    await log_in(client, "klk.anna")
    queue = await client.get("/orders/groups/klk_it")
    row = re.search(rf'data-order="{order_id}" data-task="\d+">\s*<td>([^<]*)</td>', queue.text)
    assert row is not None, queue.text
    assert row.group(1) == f"{format_moment(created, STOCKHOLM, 'en')} (Europe/Stockholm)"
