"""Issue 23 item 6: every organisation event has its lead time (seed 004: "varje flytt av ansvar är en
organisationsförändring"), "upp till 10 veckor" means up to, and a date in the past or on a public holiday is refused
or warned with the reason. The clock stands at Saturday 14 March 2026; through the services, the page and the API."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from app.kit.i18n import translate
from app.kit.state import AppServices
from app.provisioning.orders.effective_dates import DatePassed
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft
from tests.provisioning.orders.orders_world import OrdersWorld, make_orders_world
from tests.provisioning.orders.test_leavers import NO_HISTORY_LEAVER
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, place, view
from tests.web import csrf_from, log_in

UPPSALA = "uppsala_care_providers"


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


async def test_a_first_day_already_passed_is_refused_a_last_day_is_taken_with_a_warning(
        services: AppServices, world: OrdersWorld) -> None:
    with pytest.raises(DatePassed) as refused:
        await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 3, 13),
                                                    new_person=NewPerson("Karin Ek")))
    assert translate("sv", refused.value.message, **refused.value.params) == (
        "2026-03-13 har redan passerat: ange dagen då ändringen börjar gälla, tidigast i dag (2026-03-14). "
        "Uppgifterna ska vara klara före den dagen.")
    # A leaver's access must go even when the order comes late.
    late = await place(services, "it.lund", OrderDraft(SKANE, "end_user", NO_HISTORY_LEAVER, date(2026, 3, 13),
                                                       new_person=NewPerson("Olof Lind")))
    found = await view(services, late.request_id)
    assert [translate("sv", notice.message, **notice.params) for notice in found.date_notices] == [
        "2026-03-13 hade redan passerat när beställningen lades: det som ska tas bort kan fortfarande användas. "
        "Gör borttagningarna först."]


async def test_a_date_on_a_public_holiday_is_warned_naming_it(services: AppServices, world: OrdersWorld,
                                                              client: httpx.AsyncClient) -> None:
    placed = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 6, 19),
                                                         new_person=NewPerson("Karin Ek")))
    assert [notice.params for notice in placed.date_notices] == [
        {"planned": "2026-06-19", "why": "Midsummer Eve", "last_day": "2026-06-18"}]
    client.headers["accept-language"] = "sv-SE,sv;q=0.9"
    await log_in(client, "it.lund")
    page = (await client.get(f"/orders/{placed.request_id}")).text
    assert ("2026-06-19 är ingen arbetsdag (Midsommarafton): kontrollera datumet. De som utför arbetet har stängt den "
            "dagen; uppgifterna ska vara klara senast 2026-06-18.") in page
    ordinary = await place(services, "it.lund", OrderDraft(SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 6, 22),
                                                           new_person=NewPerson("Per Holm")))
    assert ordinary.date_notices == ()


async def api_place(client: httpx.AsyncClient, csrf: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/api/v1/orders", json={"catalogue": UPPSALA, **body}, headers=csrf)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def test_every_organisation_event_has_its_lead_time(services: AppServices, world: OrdersWorld,
                                                          client: httpx.AsyncClient) -> None:
    await log_in(client, "it.omsorg")
    csrf = {"X-CSRF-Token": await csrf_from(client, "/account")}
    start = await api_place(client, csrf, {"event": "start_or_takeover", "planned_date": "2026-04-13", "answers": {
        "start_kind": "takeover", "health_care_responsibility": True, "uses_flexite": False, "home_care": False}})
    subcontract = await api_place(client, csrf, {"event": "subcontractor", "planned_date": "2026-04-13",
                                                 "subject_organisation_id": world.subcontractor,
                                                 "answers": {"assignment": "ends", "change_size": "small"}})
    wind_down = await api_place(client, csrf, {"event": "handover_wind_down", "planned_date": "2026-06-01",
                                               "answers": {"ending": "ceases", "provider_type": "private",
                                                           "health_care_responsibility": False,
                                                           "uses_flexite": False, "home_care": False}})
    assert [(order["event"]["key"], order["lead_time"]["status"]) for order in (start, subcontract, wind_down)] == [
        ("start_or_takeover", "tight"), ("subcontractor", "tight"), ("handover_wind_down", "in_time")]
    # The size not given: the longer lead time, said as the routine says it.
    assert "it takes up to 10 weeks" in start["lead_time"]["message"]
    assert "it may take 2–4 weeks" in subcontract["lead_time"]["message"]


async def test_a_large_change_45_days_ahead_is_tight_up_to_ten_weeks_not_too_late(
        services: AppServices, world: OrdersWorld, client: httpx.AsyncClient) -> None:
    await log_in(client, "it.omsorg")
    csrf = {"X-CSRF-Token": await csrf_from(client, "/account")}
    order = await api_place(client, csrf, {"event": "organisation_change", "planned_date": "2026-04-28",
                                           "answers": {"change_size": "large"}})
    assert order["lead_time"]["status"] == "tight"
    swedish = await client.get(f"/api/v1/orders/{order['id']}", headers={"accept-language": "sv-SE"})
    assert swedish.json()["lead_time"]["message"] == (
        "Knappt: 29 arbetsdagar före 2026-04-28; det tar upp till 10 veckor, så det kanske inte blir klart i tid "
        "(beställ senast 2026-02-13 för att vara säker).")
