"""The IT-order JSON API through HTTP, on both databases (seeds 002, 004): placing and reading orders, working their
tasks in order, refusals (bad answers, another clinic, no CSRF header), the queue, a person's register, lead times;
every answer checked against the OpenAPI schemas."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from tests.beds.test_openapi import schema_errors
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.web import BrowserFactory, csrf_from, log_in

ORDERS = "/api/v1/orders"
NEW_AUDIOLOGIST = {"catalogue": "skane_audiology", "event": "new_user", "planned_date": "2026-04-01",
                   "answers": {"clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"],
                               "main_clinic": "Hörselmottagningen Lund",
                               "profession": "audiologist", "needs_webpriva_read": True},
                   "new_person": {"full_name": "Karin Ek"}}
SEVEN_SYSTEMS = {"skat", "e_card", "rsvpn", "websesam", "auditbase", "priva", "webpriva"}



# The HTTP layer is the same on both databases, and every query these pages and answers run is exercised on
# PostgreSQL by test_order_flow.py: SQLite alone keeps the suite's time down.
@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url

@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


async def signed_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Logs the browser in; returns the header a session write carries, as the pages' scripts send it."""
    await log_in(client, username)
    return {"X-CSRF-Token": await csrf_from(client, "/account")}


def valid(schema_name: str, response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    errors = schema_errors(schema_name, body)
    assert not errors, errors
    return body


async def place(client: httpx.AsyncClient, csrf: dict[str, str], order: dict[str, Any]) -> dict[str, Any]:
    return valid("Order", await client.post(ORDERS, json=order, headers=csrf), 201)


async def step(client: httpx.AsyncClient, csrf: dict[str, str], order_id: int, task: str, action: str,
               **extra: str) -> httpx.Response:
    return await client.post(f"{ORDERS}/{order_id}/tasks/{task}", json={"action": action, **extra}, headers=csrf)


async def complete_all(client: httpx.AsyncClient, csrf: dict[str, str], order: dict[str, Any],
                       but: str | None = None) -> dict[str, Any]:
    """Every task the order offers to complete, in the order offered, until none is left (``but`` left open)."""
    while ready := [task for task in order["tasks"] if "complete" in task["actions"] and task["key"] != but]:
        order = valid("Order", await step(client, csrf, order["id"], ready[0]["key"], "complete"))
    return order


def task_of(order: dict[str, Any], system: str) -> dict[str, Any]:
    return next(task for task in order["tasks"] if task["system"] == system)


async def written(services: AppServices) -> tuple[int, int, list[str]]:
    """Orders, audit events other than refusals, and task states: what a refused attempt must leave alone."""
    async with services.session_factory() as session:
        orders = await session.scalar(select(func.count()).select_from(ProvisioningRequest))
        events = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "accounts.authorization_refused"))
        states = list(await session.scalars(select(ProvisioningTask.state).order_by(ProvisioningTask.id)))
    return orders or 0, events or 0, states


async def refusals(services: AppServices) -> list[str]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "accounts.authorization_refused").order_by(AuditEvent.seq)))


async def test_a_new_audiologist_order_is_placed_and_read_back_with_the_seven_systems(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    csrf = await signed_in(client, "it.lund")
    placed = await client.post(ORDERS, json=NEW_AUDIOLOGIST, headers=csrf)
    order = valid("Order", placed, 201)
    assert placed.headers["location"] == f"{ORDERS}/{order['id']}"
    read = valid("Order", await client.get(placed.headers["location"]))
    assert read == order
    assert (read["state"], read["event"]["name"], read["person"]["full_name"]) == ("in_progress", "Ny användare",
                                                                                 "Karin Ek")
    assert read["organisation"] == {"id": world.clinic, "name": "Hörselmottagningen Lund"}
    assert {task["system"] for task in read["tasks"] if task["system"] and task["state"] == "pending"} == SEVEN_SYSTEMS
    assert [task["item"] for task in read["tasks"] if task["system"] == "priva"] == [
        "Hörselmottagningen Lund", "Hörselmottagningen Malmö"]
    websesam = task_of(read, "websesam")
    assert websesam["blocked"]
    assert any("förskrivarutbildning" in label for label in websesam["waiting_on"])
    assert "complete" not in websesam["actions"]
    assert task_of(read, "priva")["via"]["url"].startswith("https://")


async def test_the_directory_record_waits_for_the_cancellations_then_is_deleted(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    csrf = await signed_in(client, "it.lund")
    hired = await complete_all(client, csrf, await place(client, csrf, NEW_AUDIOLOGIST))
    assert hired["state"] == "done"
    leaving = await place(client, csrf, {
        "catalogue": "skane_audiology", "event": "end_user", "planned_date": "2026-06-30",
        "person_id": hired["person"]["id"],
        "answers": {"clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"], "profession": "audiologist",
                    "had_auditbase": True, "had_webpriva_read": True}})
    refused = valid("OrderTaskRefusal", await step(client, csrf, leaving["id"], "skat", "complete"), 409)
    assert refused["error"]["code"] == "task_waits"
    assert any("RSVPN" in label for label in refused["error"]["details"]["waiting_on"])
    assert task_of(valid("Order", await client.get(f"{ORDERS}/{leaving['id']}")), "skat")["state"] == "pending"
    cancelled = await complete_all(client, csrf, leaving, but="skat")
    assert not task_of(cancelled, "skat")["blocked"]
    deleted = valid("Order", await step(client, csrf, leaving["id"], "skat", "complete"))
    assert task_of(deleted, "skat")["state"] == "done"
    assert deleted["state"] == "done"


async def test_bad_answers_are_refused_naming_each_question(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    csrf = await signed_in(client, "it.lund")
    before = await written(services)
    bad = {**NEW_AUDIOLOGIST, "answers": {"profession": "dentist", "needs_webpriva_read": "yes"}}
    refused = valid("OrderAnswersRefusal", await client.post(ORDERS, json=bad, headers=csrf), 422)
    problems = {problem["question"]: problem for problem in refused["error"]["details"]["problems"]}
    assert set(problems) == {"clinics", "profession", "needs_webpriva_read"}
    assert "Audionom" in problems["profession"]["message"]
    swedish = await client.post(ORDERS, json=bad, headers={**csrf, "accept-language": "sv-SE"})
    assert swedish.json()["error"]["details"]["problems"][0]["message"] != refused["error"]["details"]["problems"][0][
        "message"]
    for field, body in (("planned_date", {**NEW_AUDIOLOGIST, "planned_date": "1/4/2026"}),
                        ("catalogue", {**NEW_AUDIOLOGIST, "catalogue": "no_such_catalogue"}),
                        ("colour", {**NEW_AUDIOLOGIST, "colour": "blue"}),
                        ("note", {**NEW_AUDIOLOGIST, "note": 5}),
                        ("new_person.full_name", {**NEW_AUDIOLOGIST, "new_person": {"hsa_id": "SE1"}})):
        response = valid("Error", await client.post(ORDERS, json=body, headers=csrf), 422)
        assert response["error"]["details"]["field"] == field
    assert await written(services) == before


async def test_another_clinics_it_contact_is_refused_and_nothing_changes(
        client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices, world: OrdersWorld) -> None:
    order = await place(client, await signed_in(client, "it.lund"), NEW_AUDIOLOGIST)
    async with new_client() as malmo:
        csrf = await signed_in(malmo, "it.malmo")  # logging in is audited too
        before = await written(services)
        read = valid("Error", await malmo.get(f"{ORDERS}/{order['id']}"), 403)
        worked = valid("Error", await step(malmo, csrf, order["id"], "skat", "complete"), 403)
        person = valid("Error", await malmo.get(f"{ORDERS}/people/{order['person']['id']}"), 403)
        assert valid("OrderQueue", await malmo.get(f"{ORDERS}/queue")) == {"tasks": []}
    assert {read["error"]["code"], worked["error"]["code"], person["error"]["code"]} == {"forbidden"}
    assert await written(services) == before
    assert f"{ORDERS}/{order['id']}/tasks/skat" in await refusals(services)
    assert task_of(valid("Order", await client.get(f"{ORDERS}/{order['id']}")), "skat")["state"] == "pending"


async def test_a_session_write_without_the_csrf_header_is_refused(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    csrf = await signed_in(client, "it.lund")
    order = await place(client, csrf, NEW_AUDIOLOGIST)
    before = await written(services)
    placed = await client.post(ORDERS, json=NEW_AUDIOLOGIST)
    worked = await step(client, {}, order["id"], "skat", "complete")
    forged = await step(client, {"X-CSRF-Token": "0" * 64}, order["id"], "skat", "complete")
    for refused in (placed, worked, forged):
        assert valid("Error", refused, 403)["error"]["code"] == "csrf_failed"
    assert await written(services) == before


async def test_the_queue_lists_the_overdue_order_first(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    # The clock stands at Saturday 14 March 2026: a start today is overdue, the 1 April one is not (an earlier day
    # is refused).
    csrf = await signed_in(client, "it.lund")
    later = await place(client, csrf, NEW_AUDIOLOGIST)
    overdue = await place(client, csrf, {**NEW_AUDIOLOGIST, "planned_date": "2026-03-14",
                                         "new_person": {"full_name": "Per Holm"}})
    tasks = valid("OrderQueue", await client.get(f"{ORDERS}/queue"))["tasks"]
    assert [(task["order_id"], task["overdue"]) for task in tasks] == sorted(
        [(task["order_id"], task["overdue"]) for task in tasks], key=lambda pair: not pair[1])
    assert (tasks[0]["order_id"], tasks[0]["overdue"], tasks[0]["title"]) == (overdue["id"], True, "Per Holm")
    assert {task["order_id"] for task in tasks if not task["overdue"]} == {later["id"]}
    assert any(task["blocked"] and task["system"] == "websesam" for task in tasks)


async def test_the_person_endpoint_shows_the_register_after_a_done_order(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    csrf = await signed_in(client, "it.lund")
    order = await place(client, csrf, NEW_AUDIOLOGIST)
    path = f"{ORDERS}/people/{order['person']['id']}"
    assert valid("PersonOrders", await client.get(path))["register"] == []
    await complete_all(client, csrf, order)
    person = valid("PersonOrders", await client.get(path))
    assert person["person"]["full_name"] == "Karin Ek"
    assert [(listed["id"], listed["state"]) for listed in person["orders"]] == [(order["id"], "done")]
    assert {(access["system"], access["item"]) for access in person["register"]} == {
        ("skat", None), ("e_card", None), ("rsvpn", None), ("websesam", None), ("auditbase", None),
        ("priva", "Hörselmottagningen Lund"), ("priva", "Hörselmottagningen Malmö"), ("webpriva", None)}
    assert {access["order_id"] for access in person["register"]} == {order["id"]}
    assert valid("Error", await client.get(f"{ORDERS}/people/999999"), 404)["error"]["code"] == "not_found"


async def test_a_small_organisation_change_a_week_ahead_is_too_late(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    # The clock stands at Saturday 14 March 2026; the change is planned for Monday 23 March, up to 10 weeks' work.
    csrf = await signed_in(client, "it.omsorg")
    order = await place(client, csrf, {"catalogue": "uppsala_care_providers", "event": "organisation_change",
                                       "answers": {"change_size": "small"}, "planned_date": "2026-03-23"})
    assert order["lead_time"]["status"] == "too_late"
    assert order["subject_organisation"] == {"id": world.provider, "name": "Omsorg AB"}
    listed = valid("OrderSummaryList", await client.get(f"{ORDERS}/organisation"))["orders"]
    assert [(summary["id"], summary["lead_time"]["status"]) for summary in listed] == [(order["id"], "too_late")]
    assert "Too late" in listed[0]["lead_time"]["message"]
    swedish = await client.get(f"{ORDERS}/organisation", headers={"accept-language": "sv-SE"})
    assert swedish.json()["orders"][0]["lead_time"]["message"] != listed[0]["lead_time"]["message"]

