"""Each section type's update interval (issue 21): set on the admin's page, audited, and applied by every screen.

Time is moved with the ``clock`` fixture, not slept: sections reported now, then the clock moved 9 hours on.
"""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from app.beds.board_filter import BoardFilter
from app.beds.models import SectionType
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.web import BrowserFactory, csrf_from, log_in

PAGE = "/admin/nomenclature/intervals"


async def type_id(services: AppServices, code: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(SectionType.id).where(SectionType.code == code))
    assert found is not None
    return found


async def interval_of(services: AppServices, code: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(SectionType.update_interval_hours).where(SectionType.code == code))
    assert found is not None
    return found


async def set_hours(client: httpx.AsyncClient, section_type_id: int, hours: str) -> httpx.Response:
    token = await csrf_from(client, PAGE)
    return await client.post(f"{PAGE}/{section_type_id}", data={"csrf_token": token, "hours": hours})


async def icu_every_8_hours(services: AppServices, new_client: BrowserFactory) -> None:
    """An authority administrator asks intensive care for a number every 8 hours, on the nomenclature page."""
    await make_user(services, "ana.admin", role="admin", organisation="MS")
    async with new_client() as admin:
        await log_in(admin, "ana.admin")
        saved = await set_hours(admin, await type_id(services, "icu"), "8")
        assert saved.status_code == 303


async def hospital_9_hours_on(services: AppServices, clock: ManualClock) -> tuple[int, int]:
    """An ICU section and a surgery section, both reported now; then 9 hours pass."""
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    # Named so that by name alone surgery ("Chirurgie") would come before intensive care ("Terapie intensivă").
    surgery = await make_section(services, hospital, "Chirurgie", section_type="surgery", total_beds=30,
                                 free_beds=4, updated_at=clock.now(), updated_by="ion")
    icu = await make_section(services, hospital, "Terapie intensivă", section_type="icu", total_beds=10,
                             free_beds=1, updated_at=clock.now(), updated_by="ion")
    await make_user(services, "op.a", role="operator", organisation="H-A")
    clock.advance(hours=9)
    return surgery, icu


async def test_an_8_hour_section_9_hours_old_is_overdue_first_and_a_24_hour_one_is_not(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices, clock: ManualClock
) -> None:
    await icu_every_8_hours(services, new_client)
    surgery, icu = await hospital_9_hours_on(services, clock)
    await log_in(client, "op.a")
    page = (await client.get("/operator")).text
    banner = page[page.index('id="overdue-banner"'):page.index("</div>", page.index('id="overdue-banner"'))]
    assert "1 section is overdue for an update:" in banner
    assert "Terapie intensivă" in banner
    assert "Chirurgie" not in banner
    assert "Not updated for 9 hours" in banner
    assert "to be updated every 8 hours" in banner
    # The banner is the first thing under the heading, before the table and its instructions.
    assert page.index('id="overdue-banner"') < page.index('class="sections"')
    assert page.index(f'id="section-{icu}"') < page.index(f'id="section-{surgery}"')
    assert re.search(rf'id="section-{icu}" class="depth-0 stale', page)
    assert not re.search(rf'id="section-{surgery}" class="[^"]*stale', page)


async def test_with_every_type_at_24_hours_nothing_is_overdue_after_9_hours(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    surgery, icu = await hospital_9_hours_on(services, clock)
    await log_in(client, "op.a")
    page = (await client.get("/operator")).text
    assert "overdue-banner" not in page
    assert page.index(f'id="section-{surgery}"') < page.index(f'id="section-{icu}"')  # by name


async def test_the_banner_is_translated_with_romanian_plurals(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices, clock: ManualClock
) -> None:
    await icu_every_8_hours(services, new_client)
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    for name in ("ATI 1", "ATI 2"):
        await make_section(services, hospital, name, section_type="icu", updated_at=clock.now(), updated_by="ion")
    await make_user(services, "op.a", role="operator", organisation="H-A")
    clock.advance(hours=9)
    await log_in(client, "op.a")
    page = (await client.get("/operator", headers={"Accept-Language": "ro"})).text
    assert "2 secții au actualizarea întârziată:" in page
    assert "de actualizat la fiecare 8 ore" in page


async def test_the_section_json_and_the_boards_stale_filter_use_the_types_interval(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices, clock: ManualClock
) -> None:
    """What the board's script and its "stale only" filter read: each section with its type's interval."""
    await icu_every_8_hours(services, new_client)
    surgery, icu = await hospital_9_hours_on(services, clock)
    await make_user(services, "coord", role="coordinator")
    await log_in(client, "coord")
    sections = {item["id"]: item for item in (await client.get("/api/v1/sections")).json()["sections"]}
    assert sections[icu]["update_interval_hours"] == 8
    assert sections[surgery]["update_interval_hours"] == 24
    stale_only = BoardFilter(stale_only=True)
    assert stale_only.matches(sections[icu], clock.now())
    assert not stale_only.matches(sections[surgery], clock.now())
    types = {item["code"]: item for item in (await client.get("/api/v1/section-types")).json()["section_types"]}
    assert types["icu"]["update_interval_hours"] == 8


async def test_setting_an_interval_is_validated_and_audited(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_user(services, "ana.admin", role="admin", organisation="MS")
    await log_in(client, "ana.admin")
    icu = await type_id(services, "icu")
    for typed in ("0", "169", "8.5", "opt", ""):
        refused = await set_hours(client, icu, typed)
        assert refused.status_code == 422, typed
        assert "The update interval is a whole number of hours from 1 to 168." in refused.text
    assert await interval_of(services, "icu") == 24
    saved = await set_hours(client, icu, " 8 ")
    assert saved.status_code == 303
    page = (await client.get(saved.headers["location"])).text
    assert re.search(rf'id="hours-{icu}" name="hours" value="8"', page)
    assert await interval_of(services, "icu") == 8
    async with services.session_factory() as session:
        events = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "beds.section_type_interval_set")))
    assert [(event.actor, event.object_id, event.before, event.after) for event in events] == [
        ("ana.admin", str(icu), {"code": "icu", "update_interval_hours": 24},
         {"code": "icu", "update_interval_hours": 8})]


async def test_an_operator_or_a_coordinator_may_not_set_an_interval(
    client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices
) -> None:
    await make_hospital(services, "H-A", "Spitalul A")
    await make_user(services, "op.a", role="operator", organisation="H-A")
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "ana.admin", role="admin", organisation="MS")
    async with new_client() as admin:
        await log_in(admin, "ana.admin")
        token = await csrf_from(admin, PAGE)
    icu = await type_id(services, "icu")
    for username in ("op.a", "coord"):
        async with new_client() as other:
            await log_in(other, username)
            assert (await other.get(PAGE)).status_code == 403
            token = await csrf_from(other, "/account")
            refused = await other.post(f"{PAGE}/{icu}", data={"csrf_token": token, "hours": "2"})
            assert refused.status_code == 403
    assert await interval_of(services, "icu") == 24


async def test_the_interval_is_kept_in_the_nomenclature_with_24_hours_for_every_type(services: AppServices) -> None:
    async with services.session_factory() as session:
        hours = set(await session.scalars(select(SectionType.update_interval_hours)))
    assert hours == {24}
