"""Issue 23 item 4: a fulfilling group's members are told when work arrives in their queue, in their language (sv),
once per task: when the order is placed with work ready for them, and when a prerequisite done frees their tasks;
never again for a task already told, and never by reading a page."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlalchemy import select, update

from accounts.models import User
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.orders import membership, queue_notices
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_fulfilment_groups import subcontractor_order, user_id
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, act, place, view
from tests.web import log_in


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    world = await make_orders_world(services)
    for username, display, organisation in (("klk.anna", "Anna Berg", "UPPSALA"), ("klk.bo", "Bo Ek", "UPPSALA"),
                                            ("region.it", "Region IT", "RSK")):
        await make_user(services, username, role="it_fulfiller", organisation=organisation, display_name=display)
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(User).where(User.username.in_(("klk.anna", "klk.bo", "region.it")))
                                  .values(language="sv"))
    return world


async def add_members(services: AppServices, admin: str, group_key: str, *usernames: str) -> None:
    actor = await actor_of(services, admin)
    ids = [await user_id(services, username) for username in usernames]
    async with services.unit_of_work() as uow:
        for member in ids:
            await membership.add_member(uow, actor=actor, group_key=group_key, user_id=member)


async def notices_of(services: AppServices, username: str) -> list[Notification]:
    async with services.session_factory() as session:
        return list((await session.execute(select(Notification).join(User, User.id == Notification.user_id).where(
            User.username == username, Notification.message == queue_notices.ARRIVED)
            .order_by(Notification.id))).scalars())


async def test_klk_it_members_are_told_in_swedish_when_an_order_is_placed(
        services: AppServices, world: OrdersWorld, client: httpx.AsyncClient) -> None:
    await add_members(services, "orders.uppsala", "klk_it", "klk.anna", "klk.bo")
    order_id = await subcontractor_order(services, world, date(2026, 4, 30))
    for username in ("klk.anna", "klk.bo"):
        told = await notices_of(services, username)
        assert [notice.link for notice in told] == [f"/orders/groups/klk_it#order-{order_id}"]
    await log_in(client, "klk.anna")
    for _reading in range(2):  # reading the queue and the inbox sends nothing more
        assert (await client.get("/orders/groups/klk_it")).status_code == 200
        inbox = await client.get("/notifications")
    assert (f"Beställning #{order_id}: nytt arbete i kön för Kommunledningskontoret IT (KLK IT): "
            "Beställ en ny organisation") in inbox.text
    assert len(await notices_of(services, "klk.anna")) == 1
    assert await notices_of(services, "region.it") == []  # not a member of KLK IT


async def test_region_it_is_told_once_when_the_directory_record_frees_its_tasks(
        services: AppServices, world: OrdersWorld, client: httpx.AsyncClient) -> None:
    await add_members(services, "orders.skane", "region_it", "region.it")
    placed = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 4, 1),
                                                        new_person=NewPerson("Karin Ek")))
    assert await notices_of(services, "region.it") == []  # everything of theirs waits for the directory record
    await act(services, placed.request_id, "skat", "complete")
    told = await notices_of(services, "region.it")
    assert len(told) == 1
    await log_in(client, "region.it")
    inbox = (await client.get("/notifications")).text
    assert f"Beställning #{placed.request_id}: nytt arbete i kön för" in inbox
    assert "RSVPN: Beställ" in inbox
    # The region's tasks were told; settling one of them tells nothing again.
    region_tasks = [line for line in (await view(services, placed.request_id)).lines
                    if line.is_open and not line.blocked and "complete" in line.actions]
    assert region_tasks
    await act(services, placed.request_id, region_tasks[0].task.key, "complete")
    assert len(await notices_of(services, "region.it")) == 1
