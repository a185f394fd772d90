"""Issue 23 item 8: an order's answers checked against what bedboard knows (seed 002). Clinics were free text ("xyz"
made a Priva order), there was no main clinic, a leave could end before it started, and a second "new user" order for
someone already active or on leave was accepted. Through the services on both databases, the form and the API."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from app.kit.i18n import translate
from app.kit.state import AppServices
from app.provisioning.orders.answers import AnswersInvalid
from app.provisioning.orders.models import ItOrder
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from app.provisioning.orders.references import OrderConflict
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, new_audiologist, place, work_through
from tests.web import csrf_from, log_in, post_form

LUND, MALMO = "Hörselmottagningen Lund", "Hörselmottagningen Malmö"


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


def problems_of(refused: pytest.ExceptionInfo[AnswersInvalid]) -> dict[str, str]:
    return {problem.question: translate("sv", problem.message, **problem.params) for problem in refused.value.problems}


async def orders_count(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(ItOrder)) or 0)


async def test_a_clinic_must_be_one_of_the_regions_clinics(services: AppServices, world: OrdersWorld) -> None:
    for typed in ("xyz", "Hörsel Lnd"):
        with pytest.raises(AnswersInvalid) as refused:
            await place(services, "it.lund", OrderDraft(SKANE, "new_user", {
                **NEW_AUDIOLOGIST, "clinics": [LUND, typed]}, date(2026, 4, 1), new_person=NewPerson("Karin Ek")))
        assert problems_of(refused)["clinics"] == (
            f"{typed} är ingen mottagning i Region Skåne: välj bland {LUND}, {MALMO}.")
    assert await orders_count(services) == 0


async def test_someone_at_several_clinics_has_a_main_clinic_among_them(services: AppServices,
                                                                        world: OrdersWorld) -> None:
    without = {key: value for key, value in NEW_AUDIOLOGIST.items() if key != "main_clinic"}
    with pytest.raises(AnswersInvalid) as refused:
        await place(services, "it.lund", OrderDraft(SKANE, "new_user", without, date(2026, 4, 1),
                                                    new_person=NewPerson("Karin Ek")))
    assert problems_of(refused)["main_clinic"] == (
        f"Flera mottagningar är angivna: välj huvudpost bland {LUND}, {MALMO}.")
    with pytest.raises(AnswersInvalid) as refused:
        await place(services, "it.lund", OrderDraft(SKANE, "new_user", {**without, "main_clinic": "Ystad"},
                                                    date(2026, 4, 1), new_person=NewPerson("Karin Ek")))
    assert "main_clinic" in problems_of(refused)
    one_clinic = {**without, "clinics": [LUND]}  # working at one clinic: that one is the main one
    await place(services, "it.lund", OrderDraft(SKANE, "new_user", one_clinic, date(2026, 4, 1),
                                                new_person=NewPerson("Per Holm")))


async def test_a_leave_cannot_end_before_it_starts(services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await new_audiologist(services)
    await work_through(services, order_id)
    with pytest.raises(AnswersInvalid) as refused:
        await place(services, "it.lund", OrderDraft(SKANE, "long_leave", {
            "leave_until": "2026-04-30", "had_auditbase": True}, date(2026, 5, 4), person_id=person_id))
    assert problems_of(refused)["leave_until"] == (
        "2026-04-30 är före 2026-05-04, dagen då ändringen börjar gälla: den kan inte sluta innan den börjar.")
    await place(services, "it.lund", OrderDraft(SKANE, "long_leave", {"leave_until": "2026-12-31",
                                                                      "had_auditbase": True},
                                                date(2026, 5, 4), person_id=person_id))


async def test_a_leavers_answers_cover_what_the_register_lists(services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await new_audiologist(services)
    await work_through(services, order_id)
    with pytest.raises(AnswersInvalid) as refused:
        await place(services, "it.lund", OrderDraft(SKANE, "end_user", {
            "clinics": [LUND], "profession": "audiologist", "had_auditbase": False, "had_webpriva_read": True},
            date(2026, 6, 30), person_id=person_id))
    found = problems_of(refused)
    assert found["had_auditbase"] == "Åtkomstregistret för Karin Ek listar Auditbase: svara ja, så att det tas bort."
    assert found["clinics"] == (f"Åtkomstregistret för Karin Ek listar Priva – vårdgivar-id för {MALMO}: ta med dem "
                                "också, så att de tas bort.")


async def test_a_second_new_user_order_is_refused_naming_the_open_one_then_the_one_that_granted(
        services: AppServices, world: OrdersWorld) -> None:
    order_id, person_id = await new_audiologist(services)
    again = OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 5, 4), person_id=person_id)
    with pytest.raises(OrderConflict) as refused:
        await place(services, "it.lund", again)
    assert translate("sv", refused.value.message, **refused.value.params) == (
        f"Karin Ek har en öppen beställning: #{order_id} Ny användare. Gör klart den innan du lägger en ny.")
    await work_through(services, order_id)
    with pytest.raises(OrderConflict) as refused:  # active now
        await place(services, "it.lund", again)
    assert refused.value.params["number"] == order_id
    leave = await place(services, "it.lund", OrderDraft(SKANE, "long_leave", {
        "leave_until": "2026-12-31", "had_auditbase": True}, date(2026, 5, 4), person_id=person_id))
    await work_through(services, leave.request_id)
    with pytest.raises(OrderConflict) as refused:  # on leave: the directory record and card are kept
        await place(services, "it.lund", again)
    assert "Skånekatalogen (SKAT)" in str(refused.value.params["systems"])
    # Back from the leave: what the leave cancelled is ordered again, which is no conflict.
    await place(services, "it.lund", OrderDraft(SKANE, "return_from_leave", {
        "profession": "audiologist", "had_auditbase": True}, date(2027, 1, 4), person_id=person_id))


async def test_the_form_refuses_xyz_in_swedish_and_places_nothing(services: AppServices, world: OrdersWorld,
                                                                  client: httpx.AsyncClient) -> None:
    client.headers["accept-language"] = "sv-SE,sv;q=0.9"
    await log_in(client, "it.lund")
    form = await client.get("/orders/new?catalogue=skane_audiology&event=new_user")
    assert f"Skriv var och en som i listan: {LUND}; {MALMO}" in form.text
    refused = await post_form(client, "/orders/new", {
        "catalogue": "skane_audiology", "event": "new_user", "person_id": "new", "full_name": "Karin Ek",
        "hsa_id": "", "answer.clinics": "xyz", "answer.main_clinic": "", "answer.profession": "audiologist",
        "answer.needs_webpriva_read": "no", "planned_date": "2026-04-01", "note": ""}, token_page="/orders")
    assert refused.status_code == 422
    assert f"xyz är ingen mottagning i Region Skåne: välj bland {LUND}, {MALMO}." in refused.text
    assert await orders_count(services) == 0


async def test_the_api_refuses_a_conflicting_order_naming_the_open_one(services: AppServices, world: OrdersWorld,
                                                                       client: httpx.AsyncClient) -> None:
    order_id, person_id = await new_audiologist(services)
    await log_in(client, "it.lund")
    csrf = {"X-CSRF-Token": await csrf_from(client, "/account")}
    refused = await client.post("/api/v1/orders", headers=csrf, json={
        "catalogue": SKANE, "event": "new_user", "planned_date": "2026-05-04", "person_id": person_id,
        "answers": NEW_AUDIOLOGIST})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["details"]["order_id"]) == ("order_conflict", order_id)
    assert f"#{order_id}" in error["message"]
