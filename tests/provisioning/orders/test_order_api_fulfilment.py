"""Issue 23 items 4 and 10 through the API: an order's JSON says who has each task (its fulfilling group, the member
who took it) and, for a handover, the organisation taking over, as the order page does."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from accounts.models import Organisation
from app.kit.state import AppServices
from app.provisioning.orders import membership
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_fulfilment_groups import subcontractor_order, user_id
from tests.provisioning.orders.test_handover_model import HANDOVER
from tests.provisioning.orders.test_orders_api import valid
from tests.web import BrowserFactory, csrf_from, log_in, post_form

KLK_IT = {"key": "klk_it", "name": "Kommunledningskontoret IT (KLK IT)"}


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    world = await make_orders_world(services)
    await make_user(services, "klk.anna", role="it_fulfiller", organisation="UPPSALA", display_name="Anna Berg")
    async with services.unit_of_work() as uow:
        uow.session.add(Organisation(code="VARD-NORD", name="Vård Nord AB", kind="care_provider",
                                     parent_id=world.uppsala))
    return world


def task_of(order: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(task for task in order["tasks"] if task["key"] == key)
    return found


async def test_the_order_json_says_which_group_and_who_has_each_task(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    admin = await actor_of(services, "orders.uppsala")
    anna = await user_id(services, "klk.anna")
    async with services.unit_of_work() as uow:
        await membership.add_member(uow, actor=admin, group_key="klk_it", user_id=anna)
    order_id = await subcontractor_order(services, world, date(2026, 4, 30))
    orderer = new_client()
    await log_in(orderer, "it.omsorg")
    before = valid("Order", await orderer.get(f"/api/v1/orders/{order_id}"))
    assert {key: task_of(before, "new_organisation")[key] for key in ("group", "holder", "queued")} == {
        "group": KLK_IT, "holder": None, "queued": True}
    own = task_of(before, "staff_access")
    assert own["group"]["key"] == "care_provider"
    assert own["queued"] is False  # the care provider's own task: on its order page, in no member group's queue
    assert before["receiving_organisation"] is None

    member = new_client()
    await log_in(member, "klk.anna")
    queued = (await member.get("/api/v1/orders/groups/klk_it/queue")).json()["tasks"][0]["task_id"]
    taken = await member.post(f"/api/v1/orders/groups/klk_it/tasks/{queued}/take",
                              headers={"X-CSRF-Token": await csrf_from(member, "/account")})
    assert taken.status_code == 200
    after = valid("Order", await orderer.get(f"/api/v1/orders/{order_id}"))
    assert {key: task_of(after, "new_organisation")[key] for key in ("group", "holder", "queued")} == {
        "group": KLK_IT, "holder": {"name": "Anna Berg"}, "queued": False}


async def test_a_handover_order_json_names_the_organisation_taking_over(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    async with services.session_factory() as session:
        receiving = await session.scalar(select(Organisation.id).where(Organisation.code == "VARD-NORD"))
    placer = new_client()
    await log_in(placer, "it.omsorg")
    placed = await post_form(placer, "/orders/new", {**HANDOVER, "receiving_organisation_id": str(receiving)},
                             token_page="/orders")
    assert placed.status_code == 303, placed.text
    order_id = int(re.search(r"/orders/(\d+)", placed.headers["location"]).group(1))  # type: ignore[union-attr]
    order = valid("Order", await placer.get(f"/api/v1/orders/{order_id}"))
    assert order["receiving_organisation"] == {"id": receiving, "name": "Vård Nord AB"}
