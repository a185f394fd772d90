"""The admission status on pages (issue 21): an operator sets it with the screen's plain forms (no JavaScript), a
stale form gets a 409 saying who changed it, a refusal is said beside its field, and an authority's administrator
does the same from its hospitals' pages. On both backends.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from accounts.models import Organisation
from app.beds.models import Hospital, Section
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_api_setup import World, audit_events, make_world
from tests.web import csrf_from, log_in


async def form_token(client: httpx.AsyncClient, username: str, page: str = "/operator") -> str:
    answer = await log_in(client, username)
    assert answer.status_code == 303, answer.text
    return await csrf_from(client, page)


def closing(token: str, version: int = 1, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "status": "closed", "reason_code": "icu_full", "hours": "2",
            "expected_version": str(version), **fields}


def admission_line(page: str, section_id: int) -> str:
    """The text of a section's status line on the operator's screen (tags dropped, spaces joined)."""
    row = re.search(rf'<tr id="admission-{section_id}".*?data-testid="section-admission">(.*?)</p>', page, re.S)
    assert row, f"no status line for section {section_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())


async def parent_of_hospitals(services: AppServices, world: World, authority: str) -> None:
    async with services.unit_of_work() as uow:
        parent = await uow.session.scalar(select(Organisation.id).where(Organisation.code == authority))
        await uow.session.execute(update(Organisation).where(Organisation.id.in_([world.hospital_a,
                                                                                  world.hospital_b]))
                                  .values(parent_id=parent))


async def test_an_operator_closes_a_section_with_the_form_and_sees_it_until_when(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    world = await make_world(services)
    token = await form_token(client, "op.a")
    answer = await client.post(f"/sections/{world.a_icu}/admission", data=closing(token))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/operator?admission_saved={world.a_icu}#admission-{world.a_icu}"

    page = (await client.get(answer.headers["location"])).text
    line = admission_line(page, world.a_icu)
    until = (clock.now() + timedelta(hours=2)).astimezone(services.settings.zone)
    assert line.startswith("✕ Closed to ambulances · ICU full · until"), line
    assert until.strftime("%H:%M") in line
    assert "set by op.a" in line
    assert "Saved" in line
    assert admission_line(page, world.a_surgery) == "Open to ambulances"
    async with services.session_factory() as session:
        section = await session.get_one(Section, world.a_icu)
    assert (section.admission_status, section.admission_until) == ("closed", clock.now() + timedelta(hours=2))
    [event] = await audit_events(services, "beds.section_admission_set")
    assert (event.actor, event.object_id) == ("op.a", str(world.a_icu))

    # Ten minutes before the end the line says so (the reminder job tells the operators at the same moment).
    clock.advance(hours=1, minutes=50)
    await log_in(client, "op.a")  # an operator idle that long logs in again
    assert "expires in 10 minutes" in admission_line((await client.get("/operator")).text, world.a_icu)


async def test_the_whole_hospital_limited_until_a_time_of_day_in_the_readers_zone(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    world = await make_world(services)
    token = await form_token(client, "op.a")
    ahead = (clock.now() + timedelta(hours=3)).astimezone(services.settings.zone)
    answer = await client.post(f"/hospitals/{world.hospital_a}/admission", data={
        "csrf_token": token, "status": "limited", "reason_code": "ct_down", "reason": "CT room 2",
        "until_time": ahead.strftime("%H:%M"), "expected_version": "1"})
    assert answer.status_code == 303, answer.text
    async with services.session_factory() as session:
        hospital = await session.get_one(Hospital, world.hospital_a)
    assert hospital.admission_status == "limited"
    assert hospital.admission_reason == "CT room 2"
    assert hospital.admission_until == ahead.replace(second=0, microsecond=0)
    page = (await client.get("/operator")).text
    shown = re.search(r'data-testid="hospital-admission">(.*?)</p>', page, re.S)
    # Each section says what an ambulance meets there: its own status, and the whole hospital's.
    assert admission_line(page, world.a_icu) == "Open to ambulances (the whole hospital: Limited)"
    assert shown
    assert "Limited" in shown.group(1)
    assert ahead.strftime("%H:%M") in shown.group(1)


async def test_a_stale_form_gets_409_saying_who_changed_it_and_nothing_is_overwritten(
        client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    token = await form_token(client, "op.a")
    assert (await client.post(f"/sections/{world.a_icu}/admission", data=closing(token))).status_code == 303
    stale = await client.post(f"/sections/{world.a_icu}/admission",
                              data=closing(token, status="open", reason_code=""))
    assert stale.status_code == 409
    assert "Changed by op.a at" in stale.text
    assert "Now: Closed to ambulances" in stale.text
    assert "Closed to ambulances" in admission_line(stale.text, world.a_icu)
    # The form sent back carries the version it now is: sending it again is a deliberate "mine over theirs".
    form = re.search(rf'action="/sections/{world.a_icu}/admission".*?name="expected_version" value="(\d+)"',
                     stale.text, re.S)
    assert form
    assert form.group(1) == "2"
    assert len(await audit_events(services, "beds.section_admission_set")) == 1


async def test_other_without_words_is_refused_beside_the_words_field(client: httpx.AsyncClient,
                                                                    services: AppServices) -> None:
    world = await make_world(services)
    token = await form_token(client, "op.a")
    refused = await client.post(f"/sections/{world.a_surgery}/admission",
                                data=closing(token, reason_code="other", reason=" x "))
    assert refused.status_code == 422
    beside = re.search(rf'id="reason-error-{world.a_surgery}"[^>]*>([^<]*)<', refused.text)
    assert beside
    assert "Say in words what the reason is (at least 3 characters)." in beside.group(1)
    assert '<details class="admission-change" open>' in refused.text
    assert 'value=" x "' in refused.text or 'value="x"' in refused.text  # what was typed comes back
    assert await audit_events(services, "beds.section_admission_set") == []


async def test_another_hospitals_section_is_refused_to_an_operator(client: httpx.AsyncClient,
                                                                   services: AppServices) -> None:
    world = await make_world(services)
    token = await form_token(client, "op.b")
    answer = await client.post(f"/sections/{world.a_icu}/admission", data=closing(token))
    assert answer.status_code == 403
    async with services.session_factory() as session:
        assert (await session.get_one(Section, world.a_icu)).admission_status == "open"


async def test_an_authority_administrator_lists_its_hospitals_and_closes_one(client: httpx.AsyncClient,
                                                                             services: AppServices) -> None:
    world = await make_world(services)
    await parent_of_hospitals(services, world, "SAMB")  # "admin" is SAMB's
    token = await form_token(client, "admin", "/admin/hospitals")
    listing = await client.get("/admin/hospitals")
    assert listing.status_code == 200
    assert "Spitalul A" in listing.text
    assert "Spitalul B" in listing.text
    page = await client.get(f"/admin/hospitals/{world.hospital_a}")
    assert page.status_code == 200
    assert 'data-testid="admission-form-hospital"' in page.text
    answer = await client.post(f"/hospitals/{world.hospital_a}/admission", data=closing(token))
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/admin/hospitals/{world.hospital_a}?admission_saved=hospital")
    listing = await client.get("/admin/hospitals")
    row = re.search(r"Spitalul A</a></th>(.*?)</tr>", listing.text, re.S)
    assert row
    assert "Closed to ambulances" in row.group(1)
    assert "set by admin" in row.group(1)


async def test_another_authoritys_administrator_sees_no_such_hospital_page(client: httpx.AsyncClient,
                                                                           services: AppServices) -> None:
    world = await make_world(services)
    await parent_of_hospitals(services, world, "MS")
    await form_token(client, "admin", "/admin/hospitals")
    assert "Spitalul A" not in (await client.get("/admin/hospitals")).text
    assert (await client.get(f"/admin/hospitals/{world.hospital_a}")).status_code == 403


async def test_an_administrator_adds_a_reason_and_retires_one_it_is_no_longer_offered(
        client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    token = await form_token(client, "admin", "/admin/nomenclature/admission-reasons")
    page = "/admin/nomenclature/admission-reasons"
    refused = await client.post(page, data={"csrf_token": token, "code": "Oxygen!", "name_en": "No oxygen",
                                            "name_ro": "Fără oxigen"})
    assert refused.status_code == 422
    assert 'id="code-error-new"' in refused.text
    assert 'value="Oxygen!"' in refused.text
    added = await client.post(page, data={"csrf_token": token, "code": "no_oxygen", "name_en": "No oxygen",
                                          "name_ro": "Fără oxigen"})
    assert added.status_code == 303
    taken = await client.post(page, data={"csrf_token": token, "code": "no_oxygen", "name_en": "x", "name_ro": "y"})
    assert taken.status_code == 409
    assert "There is already a reason with the code no_oxygen." in taken.text
    listing = (await client.get(page)).text
    ct_down = re.search(r'<tr id="reason-(\d+)"[^>]*>\s*<th scope="row"><code>ct_down</code>', listing)
    assert ct_down
    assert "no_oxygen" in listing
    assert (await client.post(f"{page}/{ct_down.group(1)}/retire", data={"csrf_token": token})).status_code == 303
    renamed = await client.post(f"{page}/{ct_down.group(1)}", data={"csrf_token": token, "name_en": "CT broken",
                                                                     "name_ro": "CT defect"})
    assert renamed.status_code == 303

    offered = (await client.get("/api/v1/admission-reasons")).json()["admission_reasons"]
    codes = [reason["code"] for reason in offered]
    assert "no_oxygen" in codes
    assert "ct_down" not in codes
    assert [event.action for event in await audit_events(services) if "admission_reason" in event.action] == [
        "beds.admission_reason_added", "beds.admission_reason_retired", "beds.admission_reason_changed"]
    await client.post("/logout", data={"csrf_token": token})

    # The operator's form offers the new reason and no longer the retired one.
    await form_token(client, "op.a")
    screen = (await client.get("/operator")).text
    assert '<option value="no_oxygen">No oxygen</option>' in screen
    assert 'value="ct_down"' not in screen
