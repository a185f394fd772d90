"""Issue 23 item 4: orders reach who fulfils them. The catalogue gives each task a fulfilling group (KLK IT, Region
Skåne's IT, the care provider, the clinic); the municipality's IT-order administrator chooses KLK IT's members on a
page; a member sees the group's queue (overdue orders first, then the oldest), takes a task, puts it back or marks
it done; the care provider's order page says which group and who has each task. Every step is audited."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.orders import membership
from app.provisioning.orders.catalogue.definitions import Group
from app.provisioning.orders.catalogue.groups import group_for
from app.provisioning.orders.catalogue.loader import load_text, shipped, shipped_text
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.beds.test_openapi import schema_errors
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, UPPSALA, act, place, view
from tests.web import BrowserFactory, csrf_from, log_in, post_form

ROW = re.compile(r'<tr class="[^"]*" data-testid="group-queue-row" data-order="(\d+)" data-task="(\d+)">(.*?)</tr>',
                 re.S)


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    world = await make_orders_world(services)
    for username, display, organisation in (("klk.anna", "Anna Berg", "UPPSALA"), ("klk.bo", "Bo Ek", "UPPSALA"),
                                            ("region.it", "Region IT", "RSK")):
        await make_user(services, username, role="it_fulfiller", organisation=organisation, display_name=display)
    return world


async def user_id(services: AppServices, username: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def audited(services: AppServices, action: str) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list((await session.execute(select(AuditEvent).where(AuditEvent.action == action))).scalars())


async def subcontractor_order(services: AppServices, world: OrdersWorld, planned: date) -> int:
    placed = await place(services, "it.omsorg", OrderDraft(UPPSALA, "subcontractor", {"assignment": "begins"}, planned,
                                                           subject_organisation_id=world.subcontractor))
    return placed.request_id


def queue_rows(page: str) -> list[tuple[int, int, str]]:
    return [(int(order), int(task), block) for order, task, block in ROW.findall(page)]


def key_of(group: Group | None) -> str | None:
    return None if group is None else group.key


def test_the_shipped_catalogues_give_every_task_a_group() -> None:
    uppsala, skane = shipped(UPPSALA), shipped(SKANE)
    assert {group.key: group.kept_by for group in uppsala.groups.values()} == {
        "klk_it": "catalogue", "care_provider": "orderer"}
    rules = {rule.key: rule for rule in uppsala.events["subcontractor"].tasks}
    assert key_of(group_for(uppsala.groups, task_key="new_organisation", system=None,
                            who=rules["new_organisation"].who)) == "klk_it"
    assert key_of(group_for(uppsala.groups, task_key="staff_access", system=None,
                            who=rules["staff_access"].who)) == "care_provider"
    assert key_of(group_for(skane.groups, task_key="rsvpn", system="rsvpn", who="it_contact")) == "region_it"
    assert key_of(group_for(skane.groups, task_key="skat", system="skat", who="directory_admin")) == "clinic"


def test_a_catalogue_with_groups_refuses_a_task_no_group_fulfils() -> None:
    text = shipped_text(UPPSALA).replace("roles: [provider_contact, unit_manager, local_admin, authorisation_admin, "
                                         "main_contractor]", "roles: [provider_contact, local_admin, "
                                         "authorisation_admin, main_contractor]")
    with pytest.raises(CatalogueInvalid) as refused:
        load_text(text, "uppsala.yaml")
    # The unit manager's tasks (the night care contact, the records, the deviations) now belong to no group.
    assert "events[1].tasks[4]" in {problem.field for problem in refused.value.problems}
    assert {problem.message for problem in refused.value.problems} == {
        "No group fulfils this task: name its role, system or key in one of the groups."}


async def test_klk_it_members_work_their_queue_and_the_orderer_sees_who_has_what(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    # The municipality's IT-order administrator makes Anna a member of KLK IT; an IT contact may not.
    admin = new_client()
    await log_in(admin, "orders.uppsala")
    kept = await admin.get("/orders/groups/kept")
    assert kept.status_code == 200
    assert "Kommunledningskontoret IT (KLK IT)" in kept.text
    assert 'data-group="care_provider"' not in kept.text
    anna, bo = await user_id(services, "klk.anna"), await user_id(services, "klk.bo")
    added = await post_form(admin, "/orders/groups/klk_it/members", {"user_id": str(anna), "change": "add"},
                            token_page="/orders/groups/kept")
    assert added.status_code == 303
    members = await admin.get("/orders/groups/klk_it/members")
    assert "Anna Berg" in members.text.split("Add a member")[0]
    region_user = await user_id(services, "region.it")
    foreign = await post_form(admin, "/orders/groups/klk_it/members", {"user_id": str(region_user), "change": "add"},
                              token_page="/orders/groups/kept")
    assert foreign.status_code == 403
    assert [event.after for event in await audited(services, "orders.group_member_added")] == [
        {"group": "klk_it", "user_id": anna, "username": "klk.anna"}]
    contact = new_client()
    await log_in(contact, "it.omsorg")
    refused = await post_form(contact, "/orders/groups/klk_it/members", {"user_id": str(bo), "change": "add"},
                              token_page="/orders")
    assert refused.status_code == 403

    # Two orders: the older one takes effect later; after twelve days the newer one is overdue and comes first.
    older = await subcontractor_order(services, world, date(2026, 4, 30))
    services.clock.advance(hours=1)  # type: ignore[attr-defined]
    newer = await subcontractor_order(services, world, date(2026, 3, 25))
    services.clock.advance(days=12)  # type: ignore[attr-defined]
    for browser, username in ((admin, "orders.uppsala"), (contact, "it.omsorg")):  # twelve days: sessions ended
        await log_in(browser, username)

    member = new_client()
    await log_in(member, "klk.anna")
    groups = await member.get("/orders/groups")
    assert "Kommunledningskontoret IT (KLK IT)" in groups.text
    assert "2 tasks wait" in groups.text
    queue = await member.get("/orders/groups/klk_it")
    rows = queue_rows(queue.text)
    assert [order for order, _task, _block in rows] == [newer, older]
    assert "Overdue" in rows[0][2]
    assert "Overdue" not in rows[1][2]
    assert all("Beställ en ny organisation" in block and "Omsorg AB" in block for _o, _t, block in rows)
    outsider = new_client()
    await log_in(outsider, "klk.bo")
    assert (await outsider.get("/orders/groups/klk_it")).status_code == 403  # not a member yet

    # Anna takes the overdue task: the care provider's order page says KLK IT has it, and who.
    _order, task_id, _block = rows[0]
    taken = await post_form(member, f"/orders/groups/klk_it/tasks/{task_id}", {"step": "take"},
                            token_page="/orders/groups")
    assert taken.status_code == 303
    order_page = await contact.get(f"/orders/{newer}")
    assert re.search(r'data-testid="task-fulfilment">Kommunledningskontoret IT \(KLK IT\) · Anna Berg has it',
                     order_page.text)
    other_page = await contact.get(f"/orders/{older}")
    assert "in the queue, nobody has it yet" in other_page.text

    # Bo, once a member, cannot take what Anna has; Anna puts it back, takes it again and marks it done.
    await post_form(admin, "/orders/groups/klk_it/members", {"user_id": str(bo), "change": "add"},
                    token_page="/orders/groups/kept")
    clash = await post_form(outsider, f"/orders/groups/klk_it/tasks/{task_id}", {"step": "take"},
                            token_page="/orders/groups")
    assert clash.status_code == 409
    assert "Anna Berg has this task already." in clash.text
    not_his = await post_form(outsider, f"/orders/groups/klk_it/tasks/{task_id}", {"step": "done"},
                              token_page="/orders/groups")
    assert not_his.status_code == 409
    for step in ("release", "take", "done"):
        answer = await post_form(member, f"/orders/groups/klk_it/tasks/{task_id}", {"step": step},
                                 token_page="/orders/groups")
        assert answer.status_code == 303, answer.text
    after = await view(services, newer, "it.omsorg")
    assert after.line("new_organisation").state == workflow.TASK_DONE
    assert not after.line("staff_access").blocked  # the care provider's own next task is free
    assert [order for order, _t, _b in queue_rows((await member.get("/orders/groups/klk_it")).text)] == [older]
    done_page = await contact.get(f"/orders/{newer}")
    assert "Kommunledningskontoret IT (KLK IT) · done by Anna Berg" in done_page.text
    assert [(event.after or {})["key"] for event in await audited(services, "orders.task_taken")] == [
        "new_organisation", "new_organisation"]
    assert len(await audited(services, "orders.task_released")) == 1
    completed = await audited(services, "provisioning.task.complete")
    assert [event.actor for event in completed] == ["klk.anna"]


async def test_region_it_sees_the_clinics_ritz_orders_and_no_one_elses(
        services: AppServices, world: OrdersWorld, client: httpx.AsyncClient) -> None:
    admin = await actor_of(services, "orders.skane")
    member = await user_id(services, "region.it")
    async with services.unit_of_work() as uow:
        await membership.add_member(uow, actor=admin, group_key="region_it", user_id=member)
    placed = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 4, 1),
                                                        new_person=NewPerson("Karin Ek")))
    await log_in(client, "region.it")
    page = await client.get("/orders/groups/region_it")
    assert page.status_code == 200
    labels = [block for _o, _t, block in queue_rows(page.text)]
    # The directory record is the clinic's; the orders through Ritz wait for it, so nothing is ready yet.
    assert labels == []
    assert "Nothing waits on this group now." in page.text
    await act(services, placed.request_id, "skat", "complete")
    page = await client.get("/orders/groups/region_it")
    labels = [block for _o, _t, block in queue_rows(page.text)]
    assert any("RSVPN: Beställ" in block for block in labels)
    assert not any("Skånekatalogen" in block for block in labels)
    assert (await client.get("/orders/groups/klk_it")).status_code == 404  # not a group Region Skåne keeps



async def test_the_queue_api_lists_takes_and_refuses_as_the_page_does(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    admin = await actor_of(services, "orders.uppsala")
    members = [await user_id(services, username) for username in ("klk.anna", "klk.bo")]
    async with services.unit_of_work() as uow:
        for member in members:
            await membership.add_member(uow, actor=admin, group_key="klk_it", user_id=member)
    order_id = await subcontractor_order(services, world, date(2026, 4, 30))
    anna, bo = new_client(), new_client()
    await log_in(anna, "klk.anna")
    await log_in(bo, "klk.bo")
    anna_csrf = {"X-CSRF-Token": await csrf_from(anna, "/account")}
    bo_csrf = {"X-CSRF-Token": await csrf_from(bo, "/account")}
    listed = await anna.get("/api/v1/orders/groups/klk_it/queue")
    assert listed.status_code == 200
    assert not schema_errors("GroupQueue", listed.json())
    body = listed.json()
    assert body["group"] == {"key": "klk_it", "name": "Kommunledningskontoret IT (KLK IT)"}
    assert [(task["order_id"], task["task"], task["holder"]) for task in body["tasks"]] == [
        (order_id, "new_organisation", None)]
    task_id = body["tasks"][0]["task_id"]
    taken = await anna.post(f"/api/v1/orders/groups/klk_it/tasks/{task_id}/take", headers=anna_csrf)
    assert taken.status_code == 200
    assert taken.json()["tasks"][0]["holder"]["name"] == "Anna Berg"
    clash = await bo.post(f"/api/v1/orders/groups/klk_it/tasks/{task_id}/take", headers=bo_csrf)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "task_held"
    no_token = await bo.post(f"/api/v1/orders/groups/klk_it/tasks/{task_id}/take")
    assert no_token.status_code == 403
    done = await anna.post(f"/api/v1/orders/groups/klk_it/tasks/{task_id}/done", headers=anna_csrf)
    assert done.status_code == 200
    assert done.json()["tasks"] == []
    outsider = new_client()
    await log_in(outsider, "region.it")
    assert (await outsider.get("/api/v1/orders/groups/klk_it/queue")).status_code == 404
