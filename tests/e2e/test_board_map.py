"""The board's map in Chromium (issue 22) with no tile server: the shipped outline of Romania and a marker per
located hospital are drawn, a closed one marked in words and a sign, and 'Nearest free bed' ranks from a place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, expect

from app.kit.state import AppServices
from tests.beds.test_nearest import close, make_places
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.live_server import LiveServer


async def four_places_one_closed(services: AppServices) -> None:
    ids = await make_places(services, free={"M": 0})
    await close(services, ids["F"])


def test_the_map_draws_the_outline_and_markers_offline_and_ranks_the_nearest(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer], tmp_path: Path
) -> None:
    server = seeded_server(four_places_one_closed)
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB").new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, server, "coord")
    expect(page).to_have_url(f"{server.url}/board")
    page.wait_for_load_state("load")
    page.goto(f"{server.url}/board/map")
    page.select_option("#map-section-type", label="Anaesthesia and intensive care")
    outline = page.locator("path.map-outline")
    expect(outline).to_be_visible()
    markers = page.locator(".map-marker")
    expect(markers).to_have_count(4)
    for index in range(4):
        expect(markers.nth(index)).to_be_visible()
    closed = page.locator(".map-marker-label.adm-closed")
    expect(closed).to_contain_text("✕")
    expect(closed).to_contain_text("closed to ambulances")  # said in words, for a screen reader and the tip
    expect(page.locator(".map-marker-label.avail-none")).to_contain_text("0")
    expect(page.locator(".map-place", has_text="Voluntari")).to_be_visible()  # the offline map's place names
    shot = page.screenshot(path=str(tmp_path / "board-map.png"))
    assert len(shot) > 20_000  # the outline, the markers and the panel, not a blank page

    page.select_option("#nearest-locality", label="București, Piața Unirii")
    page.get_by_role("button", name="Find the nearest").click()
    results = page.locator("#nearest-results li")
    expect(results).to_have_count(4)
    expect(results.first).to_contain_text("Spitalul N")
    expect(results.first).to_contain_text("0.69 km")
    expect(results.nth(1)).to_contain_text("Spitalul O")  # open, beyond the radius, with a bed
    expect(results.nth(1)).to_contain_text("beyond 15 km")
    expect(results.nth(2)).to_contain_text("no free bed")
    expect(results.last).to_contain_text("closed to ambulances")
    expect(page.get_by_text("as the crow flies", exact=False)).to_be_visible()
    # Offline: nothing was asked of another origin, and the page's policy refused nothing.
    assert all(url.startswith(server.url) for url in requests), [u for u in requests if not u.startswith(server.url)]
    assert not [text for text in refused if "Content Security Policy" in text], refused
