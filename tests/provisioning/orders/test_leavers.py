"""Issue 23 item 1: a leaver never keeps access (seed 002, "Avsluta användare"). Marking the RSVPN cancellation "not
applicable" with the reason "x" used to unlock the directory record's deletion and close the order "done" while the
access register still listed RSVPN. Through the services on both databases, the order page and the JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.kit.audit import AuditEvent
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.orders import register, waivers, working
from app.provisioning.orders.catalogue.loader import shipped
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.provisioning.orders.orders_world import OrdersWorld, actor, make_orders_world
from tests.provisioning.orders.test_order_flow import act, new_audiologist, place, view, work_through
from tests.web import csrf_from, log_in, post_form

SKANE = "skane_audiology"
# Cancellations the directory record's deletion waits for, RSVPN left out on purpose.
OTHER_CANCELLATIONS = ("websesam", "auditbase", "priva.1", "priva.2", "webpriva")
NO_HISTORY_LEAVER = {"clinics": ["Hörselmottagningen Lund"], "profession": "audiologist", "had_auditbase": False,
                     "had_webpriva_read": False}


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


async def leaving_audiologist(services: AppServices) -> tuple[int, int]:
    """Karin Ek set up in full (her register lists the seven systems), then an end-user order for her."""
    started, person_id = await new_audiologist(services)
    await work_through(services, started)
    async with services.session_factory() as session:
        held = await register.access_register(session, person_id)
        earlier = [order.answers for _request, order in await register.orders_of_person(session, person_id)]
    answers = register.prefill(shipped(SKANE), "end_user", held, earlier)
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", answers, date(2026, 6, 30),
                                                         person_id=person_id))
    return placed.request_id, person_id


async def held_systems(services: AppServices, person_id: int) -> set[str]:
    async with services.session_factory() as session:
        return {access.system for access in await register.access_register(session, person_id)}


async def test_rsvpn_not_applicable_while_the_register_lists_it_is_refused_and_the_order_stays_open(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await leaving_audiologist(services)
    with pytest.raises(ValidationFailed):  # the issue's reason "x" is no reason
        await act(services, order_id, "rsvpn", "skip", reason="x")
    with pytest.raises(waivers.WaiverRefused) as refused:
        await act(services, order_id, "rsvpn", "skip", reason="Avslutad direkt i Ritz av regionen")
    assert refused.value.params["system"] == "RSVPN"
    for key in (*OTHER_CANCELLATIONS, "e_card"):
        await act(services, order_id, key, "complete")
    with pytest.raises(working.TaskWaits):  # the directory record still waits for RSVPN
        await act(services, order_id, "skat", "complete")
    found = await view(services, order_id)
    assert found.request.state == workflow.IN_PROGRESS
    assert found.line("rsvpn").state == workflow.PENDING
    assert {access.system for access in found.left_in_register} == {"rsvpn", "skat"}
    assert "rsvpn" in await held_systems(services, person_id)
    assert await act(services, order_id, "rsvpn", "complete") is False
    assert await act(services, order_id, "skat", "complete") is True
    assert (await view(services, order_id)).request.state == workflow.DONE
    assert await held_systems(services, person_id) == set()


async def test_a_removal_set_aside_waits_for_a_second_person_with_the_administrators_right(
        services: AppServices, world: OrdersWorld) -> None:
    # Someone from before bedboard: the register lists nothing, so "not applicable" may be true, if confirmed.
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", NO_HISTORY_LEAVER, date(2026, 6, 30),
                                                         new_person=NewPerson("Olof Lind")))
    order_id = placed.request_id
    assert await act(services, order_id, "rsvpn", "skip", reason="Hade aldrig RSVPN enligt Ritz") is False
    found = await view(services, order_id)
    assert found.line("rsvpn").state == workflow.PENDING
    assert found.line("rsvpn").awaits_confirmation
    assert "skip" not in found.line("rsvpn").actions
    for key in ("websesam", "priva.1"):
        await act(services, order_id, key, "complete")
    with pytest.raises(working.TaskWaits):
        await act(services, order_id, "skat", "complete")

    lund, uppsala, skane = [await actor(services, name) for name in ("it.lund", "orders.uppsala", "orders.skane")]
    async with services.session_factory() as session:
        with pytest.raises(PermissionDenied):  # the IT contact who proposed it cannot confirm it
            await waivers.pending_list(session, lund)
        assert await waivers.pending_list(session, uppsala) == []
        pending = await waivers.pending_list(session, skane)
    assert [(item.task_label, item.waiver.reason) for item in pending] == [
        ("RSVPN: Avbeställ", "Hade aldrig RSVPN enligt Ritz")]
    with pytest.raises(PermissionDenied):  # another municipality's administrator
        async with services.unit_of_work() as uow:
            await waivers.decide(uow, actor=uppsala, waiver_id=pending[0].waiver.id, confirm=True, note=None)
    async with services.unit_of_work() as uow:
        await waivers.decide(uow, actor=skane, waiver_id=pending[0].waiver.id, confirm=True, note="Stämmer med Ritz")
    found = await view(services, order_id)
    assert found.line("rsvpn").state == workflow.NOT_APPLICABLE
    waiver = found.line("rsvpn").waiver
    assert waiver is not None
    assert waiver.decided_by == "orders.skane"
    await act(services, order_id, "skat", "complete")
    await act(services, order_id, "e_card", "complete")
    assert (await view(services, order_id)).request.state == workflow.DONE
    async with services.session_factory() as session:
        actions = list((await session.execute(select(AuditEvent.action).where(
            AuditEvent.action.like("orders.waiver_%")).order_by(AuditEvent.seq))).scalars())
    assert actions == ["orders.waiver_proposed", "orders.waiver_confirmed"]


async def test_a_refused_proposal_leaves_the_task_to_do(services: AppServices, world: OrdersWorld) -> None:
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", NO_HISTORY_LEAVER, date(2026, 6, 30),
                                                         new_person=NewPerson("Olof Lind")))
    await act(services, placed.request_id, "rsvpn", "skip", reason="Hade aldrig RSVPN enligt Ritz")
    skane = await actor(services, "orders.skane")
    async with services.session_factory() as session:
        pending = await waivers.pending_list(session, skane)
    with pytest.raises(ValidationFailed):  # a refusal says why
        async with services.unit_of_work() as uow:
            await waivers.decide(uow, actor=skane, waiver_id=pending[0].waiver.id, confirm=False, note="")
    async with services.unit_of_work() as uow:
        await waivers.decide(uow, actor=skane, waiver_id=pending[0].waiver.id, confirm=False,
                             note="Ritz listar ett aktivt RSVPN-konto")
    line = (await view(services, placed.request_id)).line("rsvpn")
    assert (line.state, line.awaits_confirmation, "skip" in line.actions) == (workflow.PENDING, False, True)


async def test_a_leaver_with_an_unfinished_start_is_removed_and_the_start_grants_nothing_more(
        services: AppServices, world: OrdersWorld) -> None:
    started, person_id = await new_audiologist(services)
    await act(services, started, "skat", "complete")  # the directory record exists; RSVPN is not ordered yet
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", {
        "clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"], "profession": "audiologist",
        "had_auditbase": False, "had_webpriva_read": False}, date(2026, 6, 30), person_id=person_id))
    with pytest.raises(working.GrantAfterRemoval) as refused:
        await act(services, started, "rsvpn", "complete")
    assert refused.value.params["number"] == placed.request_id
    assert "rsvpn" not in await held_systems(services, person_id)


# -- the order page and the administrator's page, in Swedish --------------------------------------------------------

async def test_the_issues_scenario_through_the_pages(services: AppServices, world: OrdersWorld,
                                                     client: httpx.AsyncClient) -> None:
    order_id, person_id = await leaving_audiologist(services)
    client.headers["accept-language"] = "sv-SE,sv;q=0.9"
    await log_in(client, "it.lund")
    refused = await post_form(client, f"/orders/{order_id}/tasks/rsvpn", {"action": "skip", "reason": "x"},
                              token_page="/orders")
    assert refused.status_code == 422
    assert "minst 10 tecken" in refused.text
    refused = await post_form(client, f"/orders/{order_id}/tasks/rsvpn",
                              {"action": "skip", "reason": "Avslutad direkt i Ritz"}, token_page="/orders")
    assert refused.status_code == 409
    assert "Åtkomstregistret listar RSVPN (sedan beställning #" in refused.text
    for key in (*OTHER_CANCELLATIONS, "e_card"):
        await post_form(client, f"/orders/{order_id}/tasks/{key}", {"action": "complete"}, token_page="/orders")
    page = (await client.get(f"/orders/{order_id}")).text
    assert 'data-testid="left-in-register"' in page
    assert "Inte klar så länge åtkomstregistret för Karin Ek listar:" in page
    assert "RSVPN · " in page
    assert (await view(services, order_id)).request.state == workflow.IN_PROGRESS
    assert "rsvpn" in await held_systems(services, person_id)


async def test_the_administrator_confirms_on_the_confirmations_page(services: AppServices, world: OrdersWorld,
                                                                    new_client: Any) -> None:
    placed = await place(services, "it.lund", OrderDraft(SKANE, "end_user", NO_HISTORY_LEAVER, date(2026, 6, 30),
                                                         new_person=NewPerson("Olof Lind")))
    lund: httpx.AsyncClient = new_client()
    lund.headers["accept-language"] = "sv-SE,sv;q=0.9"
    await log_in(lund, "it.lund")
    proposed = await post_form(lund, f"/orders/{placed.request_id}/tasks/rsvpn",
                               {"action": "skip", "reason": "Hade aldrig RSVPN enligt Ritz"}, token_page="/orders")
    assert proposed.status_code == 303
    page = (await lund.get(proposed.headers["location"])).text
    assert "Väntar på bekräftelse av en administratör för IT-beställningar" in page
    admin: httpx.AsyncClient = new_client()
    admin.headers["accept-language"] = "sv-SE,sv;q=0.9"
    await log_in(admin, "orders.skane")
    listing = (await admin.get("/orders/confirmations")).text
    assert "Hade aldrig RSVPN enligt Ritz" in listing
    assert "Olof Lind" in listing
    skane = await actor(services, "orders.skane")
    async with services.session_factory() as session:
        waiver_id = (await waivers.pending_list(session, skane))[0].waiver.id
    token = await csrf_from(admin, "/orders/confirmations")
    decided = await admin.post(f"/orders/confirmations/{waiver_id}",
                               data={"decision": "confirm", "note": "", "csrf_token": token})
    assert decided.status_code == 303
    assert (await view(services, placed.request_id)).line("rsvpn").state == workflow.NOT_APPLICABLE
    assert (await lund.get("/orders/confirmations")).status_code == 403


async def test_the_api_shows_what_is_left_and_the_pending_proposal(services: AppServices, world: OrdersWorld,
                                                                    client: httpx.AsyncClient) -> None:
    order_id, _person = await leaving_audiologist(services)
    await log_in(client, "it.lund")
    csrf = {"X-CSRF-Token": await csrf_from(client, "/account")}
    refused = await client.post(f"/api/v1/orders/{order_id}/tasks/rsvpn",
                                json={"action": "skip", "reason": "Avslutad direkt i Ritz"}, headers=csrf)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "waiver_refused"
    body = (await client.get(f"/api/v1/orders/{order_id}")).json()
    assert body["state"] == "in_progress"
    assert {entry["system"] for entry in body["left_in_register"]} == {
        "skat", "e_card", "rsvpn", "websesam", "auditbase", "priva", "webpriva"}
