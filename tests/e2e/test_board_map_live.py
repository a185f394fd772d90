"""The map and the cards stay live in Chromium (issue 22): the map rides the board's socket, so an operator's new count
and a closure reach its marker without a reload, and a bed held for an announced patient shows at once on the map's
marker and on the card's line of that section type ("By hospital"), which stays within the screen at 1366, 1920 and
390 px."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.kit.state import AppServices
from tests.beds.test_api_setup import bearer, make_token
from tests.beds.test_nearest import make_places
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer

PLACES: dict[str, Any] = {}
LIVE = 1000  # ms: "on the map live within a second" (the map polled every 30 s before it rode the socket)
COUNTS_READ = 2000  # ms: an announcement frame, then the board's one read of /board/dispatch-counts (200 ms later)


async def four_places_and_a_token(services: AppServices) -> None:
    PLACES.update(await make_places(services))
    await make_user(services, "admin", role="admin")  # who issues the hospital system's token
    PLACES["token"] = await make_token(services, PLACES["N"], "HIS N")


def open_page(browser: Browser, server: LiveServer, path: str, width: int = 1366) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB").new_page()
    log_in(page, server, "coord")
    expect(page).to_have_url(f"{server.url}/board")
    page.wait_for_load_state("load")
    page.goto(f"{server.url}{path}")
    expect(page.locator("#connection")).to_have_text("Live")
    page.evaluate("window.notReloaded = true")
    return page


def marker(page: Page, hospital: str) -> Locator:
    return page.locator(".map-marker-label", has_text=f"Spitalul {hospital}")


def open_map(browser: Browser, server: LiveServer) -> Page:
    page = open_page(browser, server, "/board/map")
    page.select_option("#map-section-type", label="Anaesthesia and intensive care")
    expect(page.locator(".map-marker")).to_have_count(4)
    expect(marker(page, "N").locator(".map-free")).to_have_text("3")
    return page


def set_free_beds(server: LiveServer, free_beds: int) -> None:
    token = bearer(PLACES["token"])
    [section] = httpx.get(f"{server.url}/api/v1/sections", headers=token, timeout=10).json()["sections"]
    answer = httpx.put(f"{server.url}/api/v1/sections/{section['id']}/free-beds", headers=token, timeout=10,
                       json={"free_beds": free_beds, "expected_version": section["version"]})
    assert answer.status_code == 200, answer.text


@pytest.mark.usefixtures("database_url")
def test_an_operators_count_and_a_closure_reach_the_open_maps_marker_without_a_reload(
    browser: Browser, seeded_server_on_each_backend: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server_on_each_backend(four_places_and_a_token)
    page = open_map(browser, server)

    set_free_beds(server, 7)
    expect(marker(page, "N").locator(".map-free")).to_have_text("7", timeout=LIVE)
    expect(marker(page, "M").locator(".map-free")).to_have_text("3")  # the others stay as they were

    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    answer = httpx.put(f"{server.url}/api/v1/hospitals/{PLACES['N']}/admission", headers=bearer(PLACES["token"]),
                       timeout=10, json={"status": "closed", "reason_code": "icu_full", "until": until.isoformat(),
                                         "expected_version": 1})
    assert answer.status_code == 200, answer.text
    closed = marker(page, "N")
    expect(closed).to_have_class("map-marker-label avail-free adm-closed", timeout=LIVE)
    expect(closed).to_contain_text("✕")
    expect(closed).to_contain_text("closed to ambulances")  # in words, not by colour alone
    assert page.evaluate("window.notReloaded") is True
    page.context.close()


def test_a_held_bed_shows_live_on_the_cards_line_and_the_maps_marker_within_the_screen(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(four_places_and_a_token)
    cards = open_page(browser, server, "/board?view=cards")
    line = cards.locator(f"#hospital-{PLACES['N']} tr.section", has_text="ATI N")
    expect(line.get_by_test_id("free-beds")).to_have_text("3")
    expect(line.locator(".dispatch-counts")).to_have_count(0)
    page = open_map(browser, server)

    icu = next(row for row in cards.request.get(f"{server.url}/api/v1/section-types").json()["section_types"]
               if row["code"] == "icu")
    csrf = cards.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = cards.request.post(f"{server.url}/api/v1/announcements", headers={"X-CSRF-Token": csrf}, data={
        "hospital_id": PLACES["N"], "section_type_id": icu["id"], "category": "stroke", "urgency": "urgent",
        "age_band": "65+", "eta_minutes": 12, "hold": True})
    assert answer.status == 201, answer.text()

    # "3 free · 1 held · 1 announced": the operator's count stays 3; the held bed is said beside it, in words.
    expect(line.locator(".dispatch-counts")).to_have_text("1 held · 1 announced", timeout=COUNTS_READ)
    expect(line.get_by_test_id("free-beds")).to_have_text("3")
    expect(marker(page, "N").locator(".map-dispatch")).to_have_text("1 held · 1 announced", timeout=COUNTS_READ)
    expect(marker(page, "N").locator(".map-free")).to_have_text("3")
    assert cards.evaluate("window.notReloaded") is True
    assert page.evaluate("window.notReloaded") is True

    for width in (1366, 1920, 390):  # a desk, the wall, a phone
        cards.set_viewport_size({"width": width, "height": 900})
        expect(line.locator(".dispatch-counts")).to_be_visible()
        overflow = cards.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow} px sideways at {width} px"
    cards.context.close()
    page.context.close()


def test_the_map_says_when_its_link_is_lost_and_catches_up_on_the_change_it_missed(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(four_places_and_a_token)
    page = open_map(browser, server)
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_contain_text("Offline — nothing heard from the server since")
    expect(page.locator("#board-map")).to_have_class("board-map offline-outline offline")  # greyed, like the board
    set_free_beds(server, 5)  # while the map cannot hear it
    expect(marker(page, "N").locator(".map-free")).to_have_text("3")
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_have_text("Live")
    expect(marker(page, "N").locator(".map-free")).to_have_text("5", timeout=LIVE)
    assert page.evaluate("window.notReloaded") is True
    page.context.close()
