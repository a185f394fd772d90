"""Announcements in Chromium (issue 22), on SQLite and PostgreSQL: a coordinator announces a patient from the page and
holds a bed; the hospital's operator screen shows it without a reload while another hospital's operator sees
nothing; the board's cell says the bed is held and Find a bed counts it as taken; the operator acknowledges and the
coordinator's board says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer


async def two_hospitals(services: AppServices) -> None:
    now = datetime.now(UTC)
    hospital_a = await make_hospital(services, "H-A", "Spitalul A")
    hospital_b = await make_hospital(services, "H-B", "Spitalul B")
    await make_section(services, hospital_a, "ATI A", section_type="icu", total_beds=12, free_beds=3, updated_at=now,
                       updated_by="op.a")
    await make_section(services, hospital_b, "ATI B", section_type="icu", total_beds=8, free_beds=3, updated_at=now,
                       updated_by="op.b")
    for username, role, organisation in (("coord", "coordinator", "SAMB"), ("op.a", "operator", "H-A"),
                                         ("op.b", "operator", "H-B")):
        await make_user(services, username, role=role, organisation=organisation)


@pytest.mark.usefixtures("database_url")
def test_an_announcement_reaches_the_hospitals_screen_and_its_acknowledgement_the_board(
    browser: Browser, seeded_server_on_each_backend: Callable[[Seed], LiveServer],
) -> None:
    server = seeded_server_on_each_backend(two_hospitals)
    screens = {}
    for username in ("op.a", "op.b"):
        screen = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
        log_in(screen, server, username)
        screen.goto(f"{server.url}/operator")
        expect(screen.locator("#announcements-link")).to_have_text("Live")
        expect(screen.locator("#announcements-none")).to_be_visible()
        screen.evaluate("window.notReloaded = true")
        screens[username] = screen
    coordinator = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    board = coordinator.new_page()
    log_in(board, server, "coord")
    expect(board.locator("#connection")).to_have_text("Live")
    board.locator("#find-bed-title").click()
    board.locator("#find-type").select_option(label="Anaesthesia and intensive care")
    found = board.locator("#find-results > li .find-link")
    expect(found).to_have_text(["3 Spitalul A", "3 Spitalul B"])  # equal: by name
    announce = coordinator.new_page()
    announce.goto(f"{server.url}/board/announce")
    types = announce.request.get(f"{server.url}/api/v1/section-types").json()["section_types"]
    icu = next(row for row in types if row["code"] == "icu")
    announce.get_by_label("Hospital", exact=True).select_option(label="Spitalul A")
    announce.get_by_label("Section type", exact=True).select_option(value=str(icu["id"]))
    announce.get_by_label("Category", exact=True).select_option(label="Stroke")
    announce.get_by_label("Immediate").check()
    announce.get_by_label("Age band", exact=True).select_option("65+")
    announce.get_by_label("ETA in minutes").fill("12")
    announce.get_by_label("Note (optional, no names or personal numbers)").fill("aphasia since 10:05")
    announce.get_by_label("Hold one bed of this section type until the ETA plus the hold time").check()

    announce.get_by_role("button", name="Announce", exact=True).click()
    incoming = screens["op.a"].locator("#announcement-list li")
    expect(incoming).to_have_count(1, timeout=5000)
    expect(incoming).to_contain_text("Immediate · Stroke")
    expect(incoming).to_contain_text("aphasia since 10:05")
    expect(incoming).to_contain_text("not acknowledged yet")
    expect(incoming).to_contain_text("1 bed held until")
    expect(screens["op.a"].locator("#announcement-count")).to_have_text("1")
    assert screens["op.a"].evaluate("window.notReloaded") is True
    expect(announce.locator("#announce-made")).to_be_visible()
    # The board's ICU cell of H-A says the bed is held; the operator's count (3) is unchanged.
    cell = board.locator(f"#cell-{_hospital_id(board, server, 'Spitalul A')}-{icu['id']}")
    expect(cell.locator(".dispatch-counts")).to_have_text("1 held · 1 announced")
    expect(cell.locator(".cell-free")).to_have_text("3")
    # Find a bed counts the held bed as taken: B (3 available) now ranks before A (3 free, 1 held).
    expect(found).to_have_text(["3 Spitalul B", "3 Spitalul A · 1 held"])

    screens["op.a"].get_by_role("button", name="Acknowledge").click()
    expect(incoming).to_contain_text("acknowledged by")
    expect(board.locator("#dispatch-notices li")).to_contain_text("Spitalul A acknowledged the Stroke patient")
    # The other hospital's screen never showed it.
    expect(screens["op.b"].locator("#announcement-count")).to_have_text("0")
    expect(screens["op.b"].locator("#announcements-none")).to_be_visible()
    coordinator.close()
    for screen in screens.values():
        screen.context.close()


def _hospital_id(page: object, server: LiveServer, name: str) -> int:
    hospitals = page.request.get(f"{server.url}/api/v1/hospitals").json()["hospitals"]  # type: ignore[attr-defined]
    return int(next(row["id"] for row in hospitals if row["name"] == name))
