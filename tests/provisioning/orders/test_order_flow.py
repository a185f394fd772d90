"""Orders placed, worked and read through the services, on SQLite and PostgreSQL (seeds 002, 004)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from accounts.models import User
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import workflow
from app.provisioning.core.overdue import sweep_overdue
from app.provisioning.orders import order_queries, queries, register, working
from app.provisioning.orders.catalogue.loader import shipped
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, PlacedOrder, place_order
from tests.provisioning.orders.orders_world import OrdersWorld, actor, make_orders_world

SKANE = "skane_audiology"
UPPSALA = "uppsala_care_providers"
NEW_AUDIOLOGIST = {"clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"], "profession": "audiologist",
                   "needs_webpriva_read": True, "main_clinic": "Hörselmottagningen Lund"}


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


async def place(services: AppServices, username: str, draft: OrderDraft) -> PlacedOrder:
    placer = await actor(services, username)
    async with services.unit_of_work() as uow:
        return await place_order(uow, actor=placer, draft=draft)


async def act(services: AppServices, order_id: int, key: str, action: str, *, username: str = "it.lund",
              reference: str | None = None, reason: str | None = None) -> bool:
    worker = await actor(services, username)
    async with services.unit_of_work() as uow:
        return await working.act_on_task(uow, actor=worker, request_id=order_id, task_key=key, action=action,
                                         external_reference=reference, reason=reason)


async def view(services: AppServices, order_id: int, username: str = "it.lund") -> order_queries.OrderView:
    reader = await actor(services, username)
    async with services.session_factory() as session:
        return await order_queries.order_view(session, reader, order_id, services.clock.now())


async def work_through(services: AppServices, order_id: int) -> None:
    """Every open task done, in the order the checklist offers them."""
    while True:
        found = await view(services, order_id)
        ready = [line for line in found.lines if "complete" in line.actions]
        if not ready:
            return
        await act(services, order_id, ready[0].task.key, "complete")


async def new_audiologist(services: AppServices) -> tuple[int, int]:
    placed = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 4, 1),
                                                         new_person=NewPerson("Karin Ek")))
    found = await view(services, placed.request_id)
    assert found.person is not None
    return placed.request_id, found.person.id


async def test_a_new_audiologist_order_lists_the_seven_systems_and_waits_for_the_training(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, _person = await new_audiologist(services)
    found = await view(services, order_id)
    assert found.request.state == workflow.IN_PROGRESS
    systems = {line.generated.system for line in found.lines if line.generated.system and line.is_open}
    assert systems == {"skat", "e_card", "rsvpn", "websesam", "auditbase", "priva", "webpriva"}
    assert [line.generated.item for line in found.lines if line.generated.system == "priva"] == [
        "Hörselmottagningen Lund", "Hörselmottagningen Malmö"]
    websesam = next(line for line in found.lines if line.generated.system == "websesam")
    assert websesam.blocked
    assert any("förskrivarutbildning" in label for label in websesam.waiting_on)
    with pytest.raises(working.TaskWaits):
        await act(services, order_id, websesam.task.key, "complete")


async def test_work_done_in_order_completes_the_order_and_fills_the_access_register(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await new_audiologist(services)
    await work_through(services, order_id)
    found = await view(services, order_id)
    assert found.request.state == workflow.DONE
    assert found.open_count == 0
    async with services.session_factory() as session:
        held = await register.access_register(session, person_id)
    assert {(access.system, access.item) for access in held} == {
        ("skat", None), ("e_card", None), ("rsvpn", None), ("websesam", None), ("auditbase", None),
        ("priva", "Hörselmottagningen Lund"), ("priva", "Hörselmottagningen Malmö"), ("webpriva", None)}


async def test_an_end_user_order_is_prefilled_from_the_register_and_deletes_the_record_last(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await new_audiologist(services)
    await work_through(services, order_id)
    async with services.session_factory() as session:
        held = await register.access_register(session, person_id)
        earlier = [order.answers for _request, order in await register.orders_of_person(session, person_id)]
    answers = register.prefill(shipped(SKANE), "end_user", held, earlier)
    assert answers == {"clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"],
                       "profession": "audiologist", "had_auditbase": True, "had_webpriva_read": True}
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", answers, date(2026, 6, 30),
                                                         person_id=person_id))
    with pytest.raises(working.TaskWaits) as refused:
        await act(services, placed.request_id, "skat", "complete")
    assert "RSVPN" in str(refused.value.params["tasks"])
    await work_through(services, placed.request_id)
    assert (await view(services, placed.request_id)).request.state == workflow.DONE
    async with services.session_factory() as session:
        assert await register.access_register(session, person_id) == []


async def test_a_task_waits_for_an_external_reference_and_a_skip_needs_its_reason(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, _person = await new_audiologist(services)
    with pytest.raises(ValidationFailed):
        await act(services, order_id, "skat", "await_external")
    await act(services, order_id, "skat", "await_external", reference="SKAT-4711")
    await act(services, order_id, "skat", "confirm")
    with pytest.raises(ValidationFailed):
        await act(services, order_id, "webpriva", "skip")
    await act(services, order_id, "webpriva", "skip", reason="Behövs inte längre enligt chefen")
    found = await view(services, order_id)
    assert found.line("skat").task.external_reference == "SKAT-4711"
    assert found.line("webpriva").state == workflow.NOT_APPLICABLE
    assert found.line("webpriva").task.note == "Behövs inte längre enligt chefen"


async def test_another_clinic_can_neither_read_nor_work_the_order(services: AppServices, world: OrdersWorld) -> None:
    order_id, _person = await new_audiologist(services)
    with pytest.raises(PermissionDenied):
        await view(services, order_id, "it.malmo")
    with pytest.raises(PermissionDenied):
        await act(services, order_id, "skat", "complete", username="it.malmo")
    with pytest.raises(PermissionDenied):
        await place(services, "coordinator", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 4, 1),
                                                        new_person=NewPerson("X")))


async def test_a_small_organisation_change_a_week_ahead_is_flagged_too_late_on_the_list(
        services: AppServices, world: OrdersWorld) -> None:
    # The clock stands at Saturday 14 March 2026; the change is planned for Monday 23 March.
    placed = await place(services, "it.omsorg", OrderDraft(UPPSALA, "organisation_change", {"change_size": "small"},
                                                           date(2026, 3, 23)))
    assert placed.lead_time is not None
    assert placed.lead_time.too_late
    provider = await actor(services, "it.omsorg")
    async with services.session_factory() as session:
        listed = await queries.orders_of_organisation(session, provider, world.provider, services.clock.now())
    assert [(summary.id, summary.view.lead_time is not None and summary.view.lead_time.too_late)
            for summary in listed] == [(placed.request_id, True)]


async def test_a_subcontractors_order_is_placed_by_its_main_contractor_only(
        services: AppServices, world: OrdersWorld) -> None:
    begins = {"assignment": "begins"}
    with pytest.raises(ValidationFailed):
        await place(services, "it.omsorg", OrderDraft(UPPSALA, "subcontractor", begins, date(2026, 5, 4)))
    with pytest.raises(PermissionDenied):
        await place(services, "it.ue", OrderDraft(UPPSALA, "subcontractor", begins, date(2026, 5, 4),
                                                  subject_organisation_id=world.provider))
    placed = await place(services, "it.omsorg", OrderDraft(UPPSALA, "subcontractor", begins, date(2026, 5, 4),
                                                           subject_organisation_id=world.subcontractor))
    seen_by_subcontractor = await view(services, placed.request_id, "it.ue")
    assert seen_by_subcontractor.subject is not None
    assert seen_by_subcontractor.subject.id == world.subcontractor
    assert not seen_by_subcontractor.may_work
    with pytest.raises(PermissionDenied):
        await act(services, placed.request_id, "new_organisation", "complete", username="it.ue")


async def test_the_queue_puts_overdue_orders_first(services: AppServices, world: OrdersWorld) -> None:
    later, _person = await new_audiologist(services)
    overdue = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 3, 14),
                                                          new_person=NewPerson("Per Holm")))
    lund = await actor(services, "it.lund")
    async with services.session_factory() as session:
        entries = await queries.queue(session, lund, services.clock.now())
    assert entries[0].order.id == overdue.request_id
    assert entries[0].overdue
    assert {entry.order.id for entry in entries} == {later, overdue.request_id}
    assert not any(entry.overdue for entry in entries if entry.order.id == later)


async def test_a_late_order_is_told_to_its_own_clinics_it_contacts_only(services: AppServices,
                                                                         world: OrdersWorld) -> None:
    overdue = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 3, 14),
                                                          new_person=NewPerson("Per Holm")))
    async with services.unit_of_work() as uow:
        await sweep_overdue(uow, actor=Actor.system(), zone=ZoneInfo("Europe/Stockholm"))
    async with services.session_factory() as session:
        told = set((await session.execute(
            select(User.username).join(Notification, Notification.user_id == User.id)
            .where(Notification.link == f"/orders/{overdue.request_id}"))).scalars())
    assert told == {"it.lund"}
