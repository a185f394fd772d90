"""The operator screen through HTTP as a browser without JavaScript uses it (plain form posts)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app.beds.models import Section
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.web import BrowserFactory, csrf_from, log_in


async def hospital_with_operator(services: AppServices, clock: ManualClock) -> tuple[int, int, int]:
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    surgery = await make_section(services, hospital, "Chirurgie", total_beds=30, free_beds=4,
                                 updated_at=clock.now() - timedelta(hours=2), updated_by="ion")
    sub = await make_section(services, hospital, "Chirurgie toracică", section_type="surgery", parent_id=surgery,
                             total_beds=6, free_beds=1, updated_at=clock.now() - timedelta(days=2, hours=3, minutes=10),
                             updated_by="ion")
    await make_user(services, "op.a", role="operator", organisation="H-A")
    return hospital, surgery, sub


async def save(client: httpx.AsyncClient, section_id: int, **fields: str) -> httpx.Response:
    token = await csrf_from(client, "/operator")
    return await client.post(f"/operator/sections/{section_id}", data={"csrf_token": token, **fields})


async def section(services: AppServices, section_id: int) -> Section:
    async with services.session_factory() as session:
        return await session.get_one(Section, section_id)


async def count_changes(services: AppServices) -> int:
    async with services.session_factory() as session:
        query = select(func.count()).where(AuditEvent.action == "beds.free_beds_set")
        return int(await session.scalar(query) or 0)


async def test_the_operator_sees_own_sections_nested_with_staleness(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    _hospital, surgery, sub = await hospital_with_operator(services, clock)
    other = await make_hospital(services, "H-B", "Spitalul B")
    await make_section(services, other, "Secret de la B")
    await log_in(client, "op.a")
    page = (await client.get("/operator")).text
    assert "Spitalul A" in page
    assert "Chirurgie toracică" in page
    assert "Secret de la B" not in page
    assert page.index(f'id="section-{surgery}"') < page.index(f'id="section-{sub}"')
    assert re.search(rf'id="section-{sub}" class="depth-1 stale', page)
    assert "Not updated for 2 days, 3 hours, 10 minutes" in page
    assert "1 section is overdue for an update:" in page
    assert "changed Mar 14, 2026, 03:12 by ion" in page  # 01:12 UTC shown in Bucharest time


async def test_saving_a_number_writes_audits_and_confirms(client: httpx.AsyncClient, services: AppServices,
                                                          clock: ManualClock) -> None:
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    response = await save(client, surgery, free_beds=" 9 ", expected_version="1")
    assert response.status_code == 303
    assert response.headers["location"] == f"/operator?saved={surgery}#section-{surgery}"
    page = (await client.get(response.headers["location"])).text
    assert re.search(rf'id="section-{surgery}" class="depth-0 saved"', page)
    stored = await section(services, surgery)
    assert (stored.free_beds, stored.version, stored.updated_by) == (9, 2, "op.a")
    async with services.session_factory() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "beds.free_beds_set"))
    assert event is not None
    assert event.before == {"free_beds": 4, "version": 1}
    assert event.after is not None
    assert event.after["free_beds"] == 9
    assert event.source == "web"
    assert event.client_address == "10.1.2.3"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the number of free beds."),
    ("many", "Enter a whole number"),
    ("2.5", "Enter a whole number"),
    ("100000", "Free beds must be between -999 and 9999."),
    ("12345678901", "Enter a whole number"),
    ("10000", "Free beds must be between -999 and 9999."),
    ("-1000", "Free beds must be between -999 and 9999."),
])
async def test_invalid_input_gets_a_message_next_to_the_field_and_writes_nothing(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock, typed: str, message: str
) -> None:
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    response = await save(client, surgery, free_beds=typed, expected_version="1")
    assert response.status_code == 422
    row = response.text[response.text.index(f'id="section-{surgery}"'):]
    assert message in row[:row.index("</tr>")]
    assert 'aria-invalid="true"' in row[:row.index("</tr>")]
    assert await count_changes(services) == 0


async def test_a_negative_value_needs_a_confirmation_and_keeps_the_reason(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    asked = await save(client, surgery, free_beds="-1", expected_version="1")
    assert asked.status_code == 422
    assert "-1 is negative: save it only in an exceptional case." in asked.text
    # The form as the page sends it carries the typed -1, so its "Save -1" saves -1 rather than confirming the
    # stored number (which it did while the box showed the stored value).
    asked_row = asked.text[asked.text.index(f'id="section-{surgery}"'):]
    assert re.search(r'name="free_beds" class="free-input" value="-1"', asked_row[:asked_row.index("</tr>")])
    assert await count_changes(services) == 0
    confirmed = await save(client, surgery, free_beds="-1", expected_version="1", confirm_negative="1",
                           reason="pacient pe targă în hol")
    assert confirmed.status_code == 303
    assert (await section(services, surgery)).free_beds == -1
    async with services.session_factory() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "beds.free_beds_set"))
    assert event is not None
    assert event.after is not None
    assert event.after["reason"] == "pacient pe targă în hol"
    page = (await client.get("/operator")).text
    assert re.search(r'class="free-input negative" value="-1"', page)


async def test_a_concurrent_change_is_shown_and_never_silently_overwritten(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock, new_client: BrowserFactory
) -> None:
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await make_user(services, "op.a2", role="operator", organisation="H-A", display_name="Maria")
    await log_in(client, "op.a")
    token = await csrf_from(client, "/operator")  # the page as op.a saw it: version 1
    async with new_client() as colleague:
        await log_in(colleague, "op.a2")
        await save(colleague, surgery, free_beds="2", expected_version="1")
    refused = await client.post(f"/operator/sections/{surgery}",
                                data={"csrf_token": token, "free_beds": "8", "expected_version": "1"})
    assert refused.status_code == 409
    assert "Changed by op.a2 at Mar 14, 2026, 05:12 to 2." in refused.text
    assert "Keep theirs (2)" in refused.text
    assert "Overwrite with my value" in refused.text
    assert (await section(services, surgery)).free_beds == 2
    overwrite = await save(client, surgery, free_beds="8", expected_version="2", confirm_negative="1")
    assert overwrite.status_code == 303
    assert (await section(services, surgery)).free_beds == 8


async def test_the_json_answer_used_by_the_script(client: httpx.AsyncClient, services: AppServices,
                                                  clock: ManualClock) -> None:
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    token = await csrf_from(client, "/operator")
    headers = {"accept": "application/json", "x-csrf-token": token}
    saved = await client.post(f"/operator/sections/{surgery}", data={"free_beds": "3", "expected_version": "1"},
                              headers=headers)
    assert saved.status_code == 200
    assert saved.json()["section"]["version"] == 2
    stale = await client.post(f"/operator/sections/{surgery}", data={"free_beds": "5", "expected_version": "1"},
                              headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["current"]["free_beds"] == 3
    assert stale.json()["error"]["message"].startswith("Changed by op.a at")


async def test_confirm_all_unchanged_resets_staleness_without_a_change(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    _hospital, surgery, sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    token = await csrf_from(client, "/operator")
    response = await client.post("/operator/confirm", data={"csrf_token": token, f"version-{surgery}": "1",
                                                            f"version-{sub}": "1"})
    assert response.status_code == 303
    page = (await client.get("/operator")).text
    assert "overdue for an update" not in page
    assert "confirmed Mar 14, 2026, 05:12 by op.a" in page
    for section_id in (surgery, sub):
        stored = await section(services, section_id)
        assert stored.version == 1
        assert stored.confirmed_by == "op.a"
    async with services.session_factory() as session:
        actions = list(await session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("beds.%"))))
    assert actions == ["beds.confirmed", "beds.confirmed"]


async def test_other_hospitals_sections_cannot_be_written(client: httpx.AsyncClient, services: AppServices,
                                                          clock: ManualClock) -> None:
    await hospital_with_operator(services, clock)
    other = await make_hospital(services, "H-B")
    foreign = await make_section(services, other, "Chirurgie B")
    await log_in(client, "op.a")
    response = await save(client, foreign, free_beds="3", expected_version="1")
    assert response.status_code == 403
    assert (await section(services, foreign)).free_beds == 5
    async with services.session_factory() as session:
        refusal = await session.scalar(select(AuditEvent).where(AuditEvent.action == "accounts.authorization_refused"))
    assert refusal is not None
    assert refusal.actor == "op.a"


async def test_coordinators_have_no_operator_screen(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "coord", role="coordinator")
    await log_in(client, "coord")
    assert (await client.get("/operator")).status_code == 403


async def test_an_operator_starts_on_the_operator_screen(client: httpx.AsyncClient, services: AppServices,
                                                         clock: ManualClock) -> None:
    await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/operator"


async def beds_actions(services: AppServices) -> list[str]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("beds.%"))
                                          .order_by(AuditEvent.seq)))


async def test_saving_the_number_as_shown_is_a_confirmation_not_a_change(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    """Enter on an unchanged box (without the script: the form posts the number and the one shown)."""
    _hospital, surgery, _sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    response = await save(client, surgery, free_beds="4", shown_free_beds="4", expected_version="1")
    assert response.status_code == 303
    assert await beds_actions(services) == ["beds.confirmed"]  # not "changed from 4 to 4"
    stored = await section(services, surgery)
    assert (stored.free_beds, stored.version, stored.confirmed_by) == (4, 1, "op.a")
    assert "confirmed Mar 14, 2026, 05:12 by op.a" in (await client.get("/operator")).text
    changed = await save(client, surgery, free_beds="8", shown_free_beds="4", expected_version="1")
    assert changed.status_code == 303
    assert await beds_actions(services) == ["beds.confirmed", "beds.free_beds_set"]


async def test_the_confirmation_answer_carries_the_confirmed_sections_for_the_last_update_column(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    _hospital, surgery, sub = await hospital_with_operator(services, clock)
    await log_in(client, "op.a")
    token = await csrf_from(client, "/operator")
    answer = await client.post("/operator/confirm", data={f"version-{surgery}": "1", f"version-{sub}": "7"},
                               headers={"accept": "application/json", "x-csrf-token": token})
    assert answer.status_code == 200
    body = answer.json()
    assert body["confirmed"] == [surgery]
    assert [current["id"] for current in body["conflicts"]] == [sub]
    [confirmed] = body["sections"]
    assert (confirmed["id"], confirmed["confirmed_by"]) == (surgery, "op.a")
    assert confirmed["confirmed_at"].startswith("2026-03-14T03:12")
