"""The alert rules page (in Romanian, the bed board's language), its forms and refusals, and the overdue job."""

from __future__ import annotations

import httpx

from app.beds.alerts.plugin import OVERDUE
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, icu_type_id, open_alerts
from tests.beds.test_api_setup import session_login
from tests.web import BrowserFactory

RO = {"Accept-Language": "ro"}


async def test_a_coordinator_adds_a_rule_on_the_page_in_romanian(client: httpx.AsyncClient, services: AppServices,
                                                                 new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    coord, headers = people["coord"]
    page = await coord.get("/board/alerts", headers=RO)
    assert page.status_code == 200
    assert "Reguli de alertă" in page.text
    assert "Nicio regulă încă." in page.text
    form = {"csrf_token": headers["X-CSRF-Token"], "kind": "below", "threshold": "2"}
    refused = await coord.post("/board/alerts", data=form, headers=RO)
    assert refused.status_code == 422
    assert "Alegeți tipul de secție ale cărui paturi libere să fie urmărite." in refused.text
    icu = await icu_type_id(services)
    added = await coord.post("/board/alerts", data={**form, "section_type_id": str(icu),
                                                    "hospital_ids": str(world.hospital_a)}, headers=RO)
    assert added.status_code == 303
    page = await coord.get("/board/alerts", headers=RO)
    assert "Spitalul A" in page.text
    assert "din nou de la 3" in page.text  # 2 + the default hysteresis
    # Without the form's token nothing is added; an auditor may keep no rules.
    assert (await coord.post("/board/alerts", data={"kind": "negative"})).status_code == 403
    auditor, _ = people["auditor"]
    assert (await auditor.get("/board/alerts")).status_code == 403
    rules = (await coord.get("/api/v1/alerts/rules")).json()["rules"]
    assert len(rules) == 1
    # The board links to the page and carries the panel's texts.
    board = await coord.get("/board", headers=RO)
    assert 'href="/board/alerts"' in board.text
    assert 'id="alerts-panel"' in board.text
    await people.close()


async def test_the_overdue_job_alerts_once_per_section_that_passes_its_interval(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory, clock: ManualClock) -> None:
    world, people = await alert_world(services, new_client)
    coord, headers = people["coord"]
    created = await coord.post("/api/v1/alerts/rules", headers=headers,
                               json={"kind": "overdue", "hospital_ids": [world.hospital_b]})
    assert created.status_code == 201, created.text
    assert OVERDUE.run is not None
    assert await OVERDUE.run(services.job_context()) == "0 overdue alert(s) fired"
    clock.advance(hours=24, minutes=1)  # past the 24 hours of the surgery type
    assert await OVERDUE.run(services.job_context()) == "1 overdue alert(s) fired"
    assert await OVERDUE.run(services.job_context()) == "0 overdue alert(s) fired"
    people.clients["coord"] = (coord, await session_login(coord, "coord"))
    [alert] = await open_alerts(people, "coord")
    assert (alert["kind"], alert["details"]["section_id"]) == ("overdue", world.b_surgery)
    await people.close()
