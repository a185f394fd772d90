"""The IT contact's order pages through HTTP, on both databases (seeds 002, 004): placing an order through the form,
working its checklist, refusals that change nothing, the printable checklist, people and their access register,
the queue and the organisation's orders with their lead-time warnings, Swedish."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.orders.models import ItOrder
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, place, view, work_through
from tests.web import BrowserFactory, log_in, post_form

SEVEN_SYSTEMS = ("Skånekatalogen (SKAT)", "E-tjänstekort (RS-kort)", "RSVPN", "WebSesam", "Auditbase",
                 "Priva – vårdgivar-id", "WebPriva behörighet")
NEW_USER_FORM = "/orders/new?catalogue=skane_audiology&event=new_user"
TASK = re.compile(r'<li id="task-[^"]*" class="([^"]*)" data-testid="task" data-key="([^"]+)">(.*?)</li>'
                  r'\s*(?=<li id="task-|</ol>)', re.S)



# The HTTP layer is the same on both databases, and every query these pages and answers run is exercised on
# PostgreSQL by test_order_flow.py: SQLite alone keeps the suite's time down.
@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url

@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


def tasks_on(page: str) -> dict[str, tuple[str, str]]:
    """Each task of a checklist page by key: its classes (with its state) and its block of HTML."""
    return {key: (classes, block) for classes, key, block in TASK.findall(page)}


def order_id_from(answer: httpx.Response) -> int:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/orders/(\d+)\?done=placed", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


async def post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    return await post_form(client, path, data, token_page="/orders")


def new_audiologist_form(**changes: str) -> dict[str, str]:
    fields = {"catalogue": "skane_audiology", "event": "new_user", "person_id": "new", "full_name": "Karin Ek",
              "hsa_id": "", "answer.clinics": "Hörselmottagningen Lund\nHörselmottagningen Malmö",
              "answer.main_clinic": "Hörselmottagningen Lund",
              "answer.profession": "audiologist", "answer.needs_webpriva_read": "yes", "planned_date": "2026-04-01",
              "note": ""}
    return {**fields, **changes}


async def written(services: AppServices) -> tuple[int, int]:
    """Audit events other than refusals, and orders: what a refused attempt must leave alone."""
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action != "accounts.authorization_refused"))
        orders = await session.scalar(select(func.count()).select_from(ItOrder))
    return int(events or 0), int(orders or 0)


async def audiologist_order(services: AppServices, planned: date = date(2026, 4, 1), name: str = "Karin Ek") -> int:
    placed = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, planned,
                                                         new_person=NewPerson(name)))
    return placed.request_id


async def test_it_lund_places_a_new_audiologist_order_through_the_form(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "it.lund")
    start = await client.get("/orders/new")
    assert start.status_code == 200
    assert "Ny användare" in start.text
    assert "event=new_user" in start.text
    form = await client.get(NEW_USER_FORM)
    assert "Mottagningar (avtalsparter) som personen arbetar på" in form.text
    assert 'name="answer.needs_webpriva_read" value="yes"' in form.text
    order_id = order_id_from(await post(client, "/orders/new", new_audiologist_form()))

    page = await client.get(f"/orders/{order_id}?done=placed")
    assert page.status_code == 200
    assert "The order is placed" in page.text
    assert "Karin Ek" in page.text
    tasks = tasks_on(page.text)
    open_blocks = [block for classes, block in tasks.values() if "task-pending" in classes]
    for system in SEVEN_SYSTEMS:
        assert any(system in block for block in open_blocks), system
    assert [key for key in tasks if key.startswith("priva.")] == ["priva.1", "priva.2"]
    assert "Hörselmottagningen Malmö" in tasks["priva.2"][1]
    websesam_classes, websesam = tasks["websesam"]
    assert "blocked" in websesam_classes
    assert re.search(r'data-testid="task-waits">[^<]*Socialstyrelsens förskrivarutbildning', websesam)
    assert 'value="complete"' not in websesam  # no "Done" while it waits
    assert 'value="complete"' in tasks["skat"][1]
    assert 'href="https://skane.se/bestall-behorighet-till-sesam-vardgivare-skane"' in websesam


async def test_a_form_error_keeps_the_typed_answers_and_names_the_question(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "it.lund")
    before = await written(services)
    refused = await post(client, "/orders/new", new_audiologist_form(**{"answer.profession": "",
                                                                       "planned_date": "1 april"}))
    assert refused.status_code == 422
    page = refused.text
    assert "Hörselmottagningen Lund\nHörselmottagningen Malmö</textarea>" in page
    assert 'value="Karin Ek"' in page
    assert 'name="answer.needs_webpriva_read" value="yes" checked' in page
    question = re.search(r'data-testid="question-profession">(.*?)</div>', page, re.S)
    assert question
    assert "Yrke" in question.group(1)
    assert "Answer this question." in question.group(1)
    assert 'data-testid="error-planned_date"' in page
    assert "error-clinics" not in page
    assert await written(services) == before


async def test_the_directory_record_waits_for_the_cancellations_and_nothing_changes(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    first = await audiologist_order(services)
    await work_through(services, first)
    person_id = (await view(services, first)).person.id  # type: ignore[union-attr]
    await log_in(client, "it.lund")
    form = await client.get(f"/orders/new?catalogue=skane_audiology&event=end_user&person={person_id}")
    assert 'name="answer.had_auditbase" value="yes" checked' in form.text  # prefilled from the register
    fields = {"catalogue": "skane_audiology", "event": "end_user", "person_id": str(person_id),
              "answer.clinics": "Hörselmottagningen Lund\nHörselmottagningen Malmö",
              "answer.profession": "audiologist", "answer.had_auditbase": "yes", "answer.had_webpriva_read": "yes",
              "planned_date": "2026-06-30"}
    order_id = order_id_from(await post(client, "/orders/new", fields))
    before = await written(services)

    refused = await post(client, f"/orders/{order_id}/tasks/skat", {"action": "complete"})
    assert refused.status_code == 409
    message = re.search(r'data-testid="task-error">([^<]*)<', refused.text)
    assert message, refused.text
    assert "RSVPN: Avbeställ" in message.group(1)
    assert "WebSesam: Avbeställ" in message.group(1)
    assert (await view(services, order_id)).line("skat").state == workflow.PENDING
    assert await written(services) == before

    done = await post(client, f"/orders/{order_id}/tasks/rsvpn", {"action": "await_external",
                                                                 "external_reference": "RITZ-991"})
    assert (done.status_code, done.headers["location"]) == (303, f"/orders/{order_id}?done=await_external#task-rsvpn")
    page = await client.get(f"/orders/{order_id}")
    assert "RITZ-991" in tasks_on(page.text)["rsvpn"][1]


async def test_a_skip_without_a_reason_is_refused_with_the_typed_page_kept(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    order_id = await audiologist_order(services)
    await log_in(client, "it.lund")
    refused = await post(client, f"/orders/{order_id}/tasks/webpriva", {"action": "skip", "reason": " "})
    assert refused.status_code == 422
    assert "Write why" in tasks_on(refused.text)["webpriva"][1]
    skipped = await post(client, f"/orders/{order_id}/tasks/webpriva", {"action": "skip",
                                                                       "reason": "Behövs inte enligt chefen"})
    assert skipped.status_code == 303
    classes, block = tasks_on((await client.get(f"/orders/{order_id}")).text)["webpriva"]
    assert "task-not_applicable" in classes
    assert "Behövs inte enligt chefen" in block


async def test_another_clinic_is_refused_the_order(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    order_id = await audiologist_order(services)
    await log_in(client, "it.malmo")
    before = await written(services)
    for path in (f"/orders/{order_id}", f"/orders/{order_id}/print"):
        assert (await client.get(path)).status_code == 403
    assert (await post(client, f"/orders/{order_id}/tasks/skat", {"action": "complete"})).status_code == 403
    assert (await view(services, order_id)).line("skat").state == workflow.PENDING
    assert await written(services) == before
    assert (await client.get("/orders")).status_code == 200
    assert f'href="/orders/{order_id}"' not in (await client.get("/orders")).text


async def test_the_print_page_lists_every_task_without_forms(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    order_id = await audiologist_order(services)
    await log_in(client, "it.lund")
    printed = await client.get(f"/orders/{order_id}/print")
    assert printed.status_code == 200
    lines = (await view(services, order_id)).lines
    assert list(tasks_on(printed.text)) == [line.task.key for line in lines]
    assert printed.text.count('class="tick"') == len(lines)
    assert 'name="action"' not in printed.text
    assert "/static/css/orders.css" in printed.text
    assert "/static/js/print.js" in printed.text
    assert "Signature" in printed.text
    assert (await client.get("/static/css/orders.css")).text.count("@media print") == 1


async def test_the_person_page_shows_the_access_register_after_a_completed_order(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "it.lund")
    added = await post(client, "/orders/people", {"full_name": "Per  Holm", "hsa_id": ""})
    assert added.status_code == 303
    assert "Per Holm" in (await client.get("/orders/people")).text
    order_id = await audiologist_order(services)
    person_id = (await view(services, order_id)).person.id  # type: ignore[union-attr]
    empty = await client.get(f"/orders/people/{person_id}")
    assert 'data-testid="register-empty"' in empty.text
    await work_through(services, order_id)

    page = await client.get(f"/orders/people/{person_id}")
    assert page.status_code == 200
    register = re.search(r'data-testid="register">(.*?)</table>', page.text, re.S)
    assert register, page.text
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td>', register.group(1))
    assert ("Priva – vårdgivar-id", "Hörselmottagningen Malmö") in rows
    assert {name for name, _item in rows} == set(SEVEN_SYSTEMS)
    assert f"event=end_user&amp;person={person_id}" in page.text


async def test_the_queue_lists_an_overdue_order_first(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "it.lund")
    empty = await client.get("/orders")
    assert 'data-testid="queue-empty"' in empty.text
    later = await audiologist_order(services)
    overdue = await audiologist_order(services, date(2026, 3, 14), "Per Holm")
    page = (await client.get("/orders")).text
    rows = re.findall(r'<tr class="([^"]*)" data-testid="queue-row" data-order="(\d+)">', page)
    assert rows[0] == ("overdue", str(overdue))
    assert {int(order) for _classes, order in rows} == {later, overdue}
    assert all(classes == "" for classes, order in rows if int(order) == later)
    assert "Overdue" in page


async def test_a_small_organisation_change_a_week_ahead_is_too_late_on_every_list(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    await log_in(client, "it.omsorg")
    # The clock stands at Saturday 14 March 2026; the change takes effect on Monday 23 March.
    order_id = order_id_from(await post(client, "/orders/new", {
        "catalogue": "uppsala_care_providers", "event": "organisation_change", "answer.change_size": "small",
        "planned_date": "2026-03-23"}))
    for path in (f"/orders/{order_id}", "/orders", "/orders/organisation"):
        page = await client.get(path)
        warning = re.search(r'<p class="lead-time lead-time-too_late[^>]*>([^<]*)</p>', page.text)
        assert warning, path
        assert warning.group(1).startswith("Too late:"), path

    subcontract = order_id_from(await post(client, "/orders/new", {
        "catalogue": "uppsala_care_providers", "event": "subcontractor", "answer.assignment": "begins",
        "subject_organisation_id": str(world.subcontractor), "planned_date": "2026-05-04"}))
    async with new_client() as subcontractor:
        await log_in(subcontractor, "it.ue")
        listed = await subcontractor.get("/orders/organisation")
        assert f'data-order="{subcontract}"' in listed.text
        assert f'data-order="{order_id}"' not in listed.text
        seen = await subcontractor.get(f"/orders/{subcontract}")
        assert seen.status_code == 200
        assert "Hemtjänst UE" in seen.text
        assert 'name="action"' not in seen.text


async def test_the_pages_speak_swedish(client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    client.headers["accept-language"] = "sv-SE,sv;q=0.9,en;q=0.5"
    await log_in(client, "it.lund")
    queue = await client.get("/orders")
    assert "Ny beställning" in queue.text
    assert "Inget att göra" in queue.text
    order_id = await audiologist_order(services)
    page = await client.get(f"/orders/{order_id}")
    assert "Väntar på" in page.text
    assert "Träder i kraft" in page.text
    assert "Waits for" not in page.text
    form = await client.get(NEW_USER_FORM)
    assert "Datum då förändringen träder i kraft" in form.text
    printed = await client.get(f"/orders/{order_id}/print")
    assert "Underskrift" in printed.text
    person = (await view(services, order_id)).person
    assert person is not None
    assert "Åtkomstregister" in (await client.get(f"/orders/people/{person.id}")).text

