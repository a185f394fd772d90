"""The dispatch's pages on both databases: a coordinator announces from /board/announce with a plain form (a personal
number in the note is refused beside the form, naming it), sees the authority's open announcements in Romanian and
marks one arrived or cancels it with a reason; the operator's screen carries the incoming-patients panel, the board
its counts' script."""

from __future__ import annotations

import re

from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, audit_count
from tests.beds.dispatch.helpers import type_id
from tests.web import BrowserFactory


async def test_a_coordinator_announces_from_the_page_and_closes_it(services: AppServices,
                                                                  new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    client, headers = people["coord"]
    page = await client.get("/board/announce")
    assert page.status_code == 200
    assert 'name="category"' in page.text
    assert "Trauma" in page.text
    icu = await type_id(services, "icu")
    form = {"csrf_token": headers["X-CSRF-Token"], "hospital_id": str(world.hospital_a), "section_type_id": str(icu),
            "category": "burns", "urgency": "immediate", "age_band": "1-17", "flags": "infectious",
            "eta_minutes": "25", "note": "CNP 1800101221144", "hold": "1"}
    refused = await client.post("/board/announce", data=form)
    assert refused.status_code == 422
    assert 'data-field="note"' in refused.text
    assert "CNP" in refused.text
    assert "1800101221144" in refused.text  # given back in the form to be corrected, and stored nowhere
    assert await audit_count(services, "dispatch.announced") == 0
    made = await client.post("/board/announce", data={**form, "note": "burns 30%"})
    assert made.status_code == 303, made.text
    listed = await client.get(made.headers["location"])
    assert "burns 30%" in listed.text
    assert "not acknowledged yet" in listed.text
    announcement_id = re.search(r'id="announcement-(\d+)"', listed.text)
    assert announcement_id
    no_reason = await client.post("/board/announce/step", data={"csrf_token": headers["X-CSRF-Token"], "step": "cancel",
                                                                 "announcement_id": announcement_id.group(1)})
    assert no_reason.status_code == 422
    cancelled = await client.post("/board/announce/step", data={
        "csrf_token": headers["X-CSRF-Token"], "step": "cancel", "announcement_id": announcement_id.group(1),
        "reason": "taken elsewhere"})
    assert cancelled.status_code == 303
    assert await audit_count(services, "dispatch.cancelled") == 1
    assert "No open announcement." in (await client.get("/board/announce")).text
    await people.close()


async def test_the_operator_screen_has_the_panel_and_the_board_the_counts(services: AppServices,
                                                                         new_client: BrowserFactory) -> None:
    _world, people = await alert_world(services, new_client)
    operator_page = (await people["op.a"][0].get("/operator")).text
    assert 'id="announcements-panel"' in operator_page
    assert "/static/js/operator_announcements.js" in operator_page
    board = (await people["coord"][0].get("/board")).text
    assert "/static/js/board_dispatch.js" in board
    assert 'href="/board/announce"' in board
    assert 'href="/board/announce"' not in (await people["auditor"][0].get("/board")).text
    assert (await people["op.a"][0].get("/board/announce")).status_code == 403
    await people.close()


async def test_the_history_shows_holds_per_hospital_and_day(services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    client, headers = people["coord"]
    icu = await type_id(services, "icu")
    for _ in range(2):
        made = await client.post("/api/v1/announcements", headers=headers, json={
            "hospital_id": world.hospital_a, "section_type_id": icu, "category": "stemi", "urgency": "immediate",
            "age_band": "65+", "eta_minutes": 10, "hold": True})
        assert made.status_code == 201, made.text
    cancelled = await client.post(f"/api/v1/announcements/{made.json()['id']}/cancel", headers=headers,
                                  json={"reason": "diverted"})
    assert cancelled.status_code == 200
    report = await people["auditor"][0].get("/audit/holds")
    assert report.status_code == 200
    row = re.search(r"<tr>\s*<td>[\d-]+</td>\s*<td>Spitalul A</td>\s*<td>2</td>.*?</tr>", report.text, re.S)
    assert row, report.text
    assert "cancelled: 1" in row.group(0)
    assert "still held: 1" in row.group(0)
    assert "(2)" in row.group(0)  # both by the same coordinator
    assert (await people["op.a"][0].get("/audit/holds")).status_code == 403
    await people.close()
