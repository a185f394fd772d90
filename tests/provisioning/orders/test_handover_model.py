"""Issue 23 item 10: the model around handovers (seed 004). The organisation taking over is named on the handover
order and works its own part; a care provider's individual staff get their Siebel account, token and SITHS card
ordered and ended; care providers are reminded of the monthly service report due by the 5th."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.errors import PermissionDenied
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import workflow
from app.provisioning.orders import contractors, service_reports
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.factories import make_user
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_order_flow import UPPSALA, act, place, view
from tests.web import BrowserFactory, log_in, post_form

HANDOVER = {"catalogue": UPPSALA, "event": "handover_wind_down", "planned_date": "2026-05-29", "note": "",
            "answer.ending": "taken_over", "answer.provider_type": "private",
            "answer.health_care_responsibility": "yes", "answer.uses_flexite": "no", "answer.home_care": "no"}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    world = await make_orders_world(services)
    async with services.unit_of_work() as uow:
        uow.session.add(Organisation(code="VARD-NORD", name="Vård Nord AB", kind="care_provider",
                                     parent_id=world.uppsala))
    await make_user(services, "it.vard", role="it_contact", organisation="VARD-NORD")
    return world


async def receiver_id(services: AppServices) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(Organisation.id).where(Organisation.code == "VARD-NORD"))
    assert found is not None
    return found


async def notices(services: AppServices, username: str) -> list[Notification]:
    async with services.session_factory() as session:
        return list((await session.execute(select(Notification).join(User, User.id == Notification.user_id)
                                           .where(User.username == username))).scalars())


async def test_the_receiving_organisation_is_named_and_works_its_own_part(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    placer = new_client()
    await log_in(placer, "it.omsorg")
    form = await placer.get(f"/orders/new?catalogue={UPPSALA}&event=handover_wind_down")
    assert "Vård Nord AB" in form.text  # offered as the organisation taking over
    unnamed = await post_form(placer, "/orders/new", HANDOVER, token_page="/orders")
    assert unnamed.status_code == 422
    assert "Name the organisation taking over" in unnamed.text
    receiving = await receiver_id(services)
    placed = await post_form(placer, "/orders/new", {**HANDOVER, "receiving_organisation_id": str(receiving)},
                             token_page="/orders")
    assert placed.status_code == 303, placed.text
    order_id = int(re.search(r"/orders/(\d+)", placed.headers["location"]).group(1))  # type: ignore[union-attr]

    taker = new_client()
    await log_in(taker, "it.vard")
    page = await taker.get(f"/orders/{order_id}")
    assert page.status_code == 200
    assert "Organisation taking over: Vård Nord AB." in page.text
    assert [notice.params["number"] for notice in await notices(services, "it.vard")] == [order_id]
    queue = await taker.get("/orders")
    assert "Siebel: Beställ behörigheter" in queue.text  # the receiving side's order
    assert "Avsluta journalerna" not in queue.text  # the handing-over side's records are not theirs
    done = await post_form(taker, f"/orders/{order_id}/tasks/receiving_siebel_access", {"action": "complete"},
                           token_page="/orders")
    assert done.status_code == 303
    refused = await post_form(taker, f"/orders/{order_id}/tasks/siebel_records", {"action": "complete"},
                              token_page="/orders")
    assert refused.status_code == 403
    found = await view(services, order_id, "it.omsorg")
    assert found.line("receiving_siebel_access").state == workflow.TASK_DONE
    assert found.line("siebel_records").state == workflow.PENDING
    assert found.order.receiving_organisation_id == receiving

    stranger = new_client()
    await log_in(stranger, "it.ue")
    assert (await stranger.get(f"/orders/{order_id}")).status_code == 403


async def test_a_business_that_ceases_names_nobody(services: AppServices, world: OrdersWorld,
                                                   new_client: BrowserFactory) -> None:
    placer = new_client()
    await log_in(placer, "it.omsorg")
    ceasing = {**HANDOVER, "answer.ending": "ceases", "receiving_organisation_id": str(await receiver_id(services))}
    refused = await post_form(placer, "/orders/new", ceasing, token_page="/orders")
    assert refused.status_code == 422
    assert "Only a handover to another organisation names the organisation taking over." in refused.text
    accepted = await post_form(placer, "/orders/new", {**ceasing, "receiving_organisation_id": ""},
                               token_page="/orders")
    assert accepted.status_code == 303


async def test_a_staff_members_siebel_account_token_and_siths_card_are_ordered_and_ended(
        services: AppServices, world: OrdersWorld) -> None:
    started = await place(services, "it.omsorg", OrderDraft(
        UPPSALA, "staff_access_new", {"health_care_responsibility": True}, date(2026, 4, 1),
        new_person=NewPerson("Sara Lund")))
    new = await view(services, started.request_id, "it.omsorg")
    assert [(line.label, line.state) for line in new.lines] == [
        ("Siebel: Beställ behörigheter och lösenordsdosor", workflow.PENDING),
        ("SITHS-kort: Beställ SITHS-kort och kortläsare", workflow.PENDING)]
    assert new.person is not None
    for key in ("staff_siebel_account", "staff_siths_card"):  # an open order for the person blocks another
        await act(services, started.request_id, key, "complete", username="it.omsorg")
    ended = await place(services, "it.omsorg", OrderDraft(
        UPPSALA, "staff_access_end", {"provider_type": "private", "health_care_responsibility": True},
        date(2026, 9, 30), person_id=new.person.id))
    leaving = await view(services, ended.request_id, "it.omsorg")
    # A private provider cancels in Sesam and through its authorisation administrator; the own-operation
    # routes (Iris) stay in the list as not applicable.
    assert [(line.task.key, line.state) for line in leaving.lines] == [
        ("staff_siebel_cancel_own", workflow.NOT_APPLICABLE), ("staff_siebel_cancel_private", workflow.PENDING),
        ("staff_siths_cancel_own", workflow.NOT_APPLICABLE), ("staff_siths_cancel_private", workflow.PENDING)]


async def test_care_providers_are_reminded_of_the_service_report_once_a_month(
        services: AppServices, world: OrdersWorld) -> None:
    clock = services.clock
    clock._now = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    async with services.unit_of_work() as uow:
        first = await service_reports.remind(uow, actor=Actor.system())
    async with services.unit_of_work() as uow:
        again = await service_reports.remind(uow, actor=Actor.system())
    assert (first.providers, again.providers) == (3, 0)  # Omsorg AB, Hemtjänst UE and Vård Nord AB, once
    told = await notices(services, "it.omsorg")
    assert [(notice.params["month"], notice.params["due"]) for notice in told] == [("2026-03", "2026-04-05")]
    clock._now = datetime(2026, 4, 20, 6, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    async with services.unit_of_work() as uow:
        assert (await service_reports.remind(uow, actor=Actor.system())).providers == 0  # past the 5th
    async with services.session_factory() as session:
        events = list((await session.execute(select(AuditEvent).where(
            AuditEvent.action == "orders.service_report_reminded"))).scalars())
    assert [event.after for event in events] == [{"month": "2026-03", "care_providers": 3, "told": 3}]


async def test_a_main_contractor_change_is_planned_on_a_page_and_takes_effect_on_its_day(
        services: AppServices, world: OrdersWorld, new_client: BrowserFactory) -> None:
    admin = new_client()
    await log_in(admin, "orders.uppsala")
    page = await admin.get("/orders/contractors")
    assert re.search(rf'data-organisation="{world.subcontractor}"><th scope="row">Hemtjänst UE</th>'
                     r'<td data-testid="contractor">Omsorg AB</td>', page.text)
    receiving = await receiver_id(services)
    change = {"organisation_id": str(world.subcontractor), "contractor_id": str(receiving), "note": "Nytt avtal"}
    past = await post_form(admin, "/orders/contractors", {**change, "effective_date": "2026-03-13"},
                           token_page="/orders/contractors")
    assert past.status_code == 422
    assert "The date has passed" in past.text
    own = await post_form(admin, "/orders/contractors", {**change, "contractor_id": str(world.subcontractor),
                                                         "effective_date": "2026-03-20"},
                          token_page="/orders/contractors")
    assert own.status_code == 422  # under itself
    planned = await post_form(admin, "/orders/contractors", {**change, "effective_date": "2026-03-20"},
                              token_page="/orders/contractors")
    assert planned.status_code == 303
    listed = await admin.get("/orders/contractors")
    # Four business days ahead of a 2-4 week organisation change: the page says it is too late, and until when.
    assert "Hemtjänst UE: from Omsorg AB to Vård Nord AB, from 2026-03-20" in listed.text
    assert "Too late: 4 business days before 2026-03-20" in listed.text
    contact = new_client()
    await log_in(contact, "it.omsorg")
    assert (await contact.get("/orders/contractors")).status_code == 403

    async with services.unit_of_work() as uow:
        assert await contractors.apply_due(uow, actor=Actor.system()) == 0  # not yet its day
    services.clock.advance(days=6)  # type: ignore[attr-defined]
    async with services.unit_of_work() as uow:
        assert await contractors.apply_due(uow, actor=Actor.system()) == 1
    async with services.session_factory() as session:
        moved = await session.get(Organisation, world.subcontractor)
        changed = list((await session.execute(select(AuditEvent).where(
            AuditEvent.action == "orders.main_contractor_changed"))).scalars())
    assert moved is not None
    assert moved.parent_id == receiving
    assert [(event.before, (event.after or {})["parent_id"]) for event in changed] == [
        ({"parent_id": world.provider}, receiving)]
    assert any(notice.message == contractors.CHANGED for notice in await notices(services, "it.vard"))
    # The new main contractor orders for the subcontractor; the old one no longer may.
    await place(services, "it.vard", OrderDraft(UPPSALA, "subcontractor", {"assignment": "begins"}, date(2026, 6, 1),
                                                subject_organisation_id=world.subcontractor))
    with pytest.raises(PermissionDenied):
        await place(services, "it.omsorg", OrderDraft(UPPSALA, "subcontractor", {"assignment": "ends"},
                                                      date(2026, 6, 1), subject_organisation_id=world.subcontractor))
