"""The live board in Chromium: pushed changes, staleness, filters in the URL, and surviving a restart."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from app.beds import service
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, make_engine, make_session_factory
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer, start_server

SECTIONS: dict[str, int] = {}


async def two_hospitals(services: AppServices) -> None:
    hospital_a = await make_hospital(services, "H-A", "Spitalul Demo A")
    hospital_b = await make_hospital(services, "H-B", "Spitalul Demo B", hospital_type="clinical")
    SECTIONS["H-A"] = hospital_a
    now = datetime.now(UTC)
    SECTIONS["ATI"] = await make_section(services, hospital_a, "ATI", section_type="icu", total_beds=12, free_beds=2,
                                         updated_at=now - timedelta(hours=1), updated_by="op.a")
    SECTIONS["Chirurgie"] = await make_section(services, hospital_a, "Chirurgie", total_beds=40, free_beds=9,
                                               updated_at=now - timedelta(hours=25, minutes=3), updated_by="op.a")
    SECTIONS["Cardiologie"] = await make_section(services, hospital_b, "Cardiologie", section_type="cardiology",
                                                 total_beds=30, free_beds=6, updated_at=now, updated_by="op.b")
    await make_user(services, "coord", role="coordinator", display_name="Coordonator")
    await make_user(services, "op.a", role="operator", organisation="H-A")


def log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_negative_value_reaches_the_board_in_red_without_reload(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hospitals)
    coordinator = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    operator = browser.new_context().new_page()
    log_in(coordinator, server, "coord")
    expect(coordinator).to_have_url(f"{server.url}/board")
    expect(coordinator.locator("#connection")).to_have_text("Live")
    coordinator.evaluate("window.notReloaded = true")

    stale = coordinator.locator("tr.section", has=coordinator.locator("th.name", has_text="Chirurgie"))
    expect(stale).to_have_class("section depth-0 stale")
    expect(stale.locator(".age")).to_have_text("Not updated for 1 day, 1 hour, 3 minutes")
    expect(coordinator.locator("#stale-count")).to_have_text("1")

    log_in(operator, server, "op.a")
    field = operator.get_by_label("Free beds in ATI")
    field.fill("-1")
    field.press("Enter")
    operator.get_by_role("button", name="Save -1").click()
    expect(operator.locator("tr", has=field).locator(".row-message")).to_have_text("Saved")

    icu = coordinator.locator("tr.section", has=coordinator.locator("th.name", has_text="ATI"))
    expect(icu.get_by_test_id("free-beds")).to_have_text("-1", timeout=2000)
    expect(icu.get_by_test_id("free-beds")).to_have_css("color", "rgb(179, 18, 31)")
    assert coordinator.evaluate("window.notReloaded") is True
    delays = coordinator.evaluate("window.bedboardDelays")
    assert len(delays) == 1


def test_a_section_type_filter_restricts_the_rows_and_survives_a_reload(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hospitals)
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, server, "coord")
    expect(page.locator("#match-count")).to_have_text("3")
    page.get_by_text("Filters", exact=True).click()
    page.locator("#filter-section-type").select_option(label="Cardiology")
    expect(page.locator("#match-count")).to_have_text("1")
    expect(page.locator("th.name")).to_have_text(["Cardiologie"])
    assert "section_type=" in page.url
    page.reload()
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("th.name")).to_have_text(["Cardiologie"])
    expect(page.locator("#filter-summary")).to_have_text("(1)")


def write_while_down(database_url: str, section_name: str, free_beds: int) -> None:
    """An operator's change that lands while the server is down (another worker, a script)."""
    async def write() -> None:
        engine = make_engine(database_url)
        operator = Actor(username="op.a", source="api", user_id=2, organisation_id=SECTIONS["H-A"],
                         roles=frozenset({"operator"}))
        try:
            async with UnitOfWork(make_session_factory(engine)) as uow:
                await service.set_free_beds(uow, actor=operator, section_id=SECTIONS[section_name],
                                            free_beds=free_beds, expected_version=1)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, write()).result()


def test_a_restarted_server_shows_reconnecting_then_live_with_the_changes(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer], sqlite_url: str, tmp_path: Path
) -> None:
    server = seeded_server(two_hospitals)
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, server, "coord")
    expect(page.locator("#connection")).to_have_text("Live")
    server.stop()
    expect(page.locator("#connection")).to_contain_text("Reconnecting — nothing heard from the server since")
    expect(page.locator("#board")).to_have_class(re.compile(r"\boffline\b"))
    write_while_down(sqlite_url, "ATI", 17)
    port = urlsplit(server.url).port
    assert port is not None
    restarted = start_server(sqlite_url, tmp_path, port=port)
    try:
        expect(page.locator("#connection")).to_have_text("Live", timeout=20000)
        icu = page.locator("tr.section", has=page.locator("th.name", has_text="ATI"))
        expect(icu.get_by_test_id("free-beds")).to_have_text("17")
    finally:
        restarted.stop()
