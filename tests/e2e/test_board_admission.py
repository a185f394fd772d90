"""Admission status on the open board in Chromium (issue 21): a hospital system closes its hospital through the API and
the board, matrix and cards alike, shows it closed with its reason and time left within a second, without a reload;
"Find a bed" leaves it out unless asked; a limited section stays in, marked; reopening clears every mark.

On both backends: on PostgreSQL the change reaches the server's hub through LISTEN/NOTIFY, on SQLite in-process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import bearer, make_token
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer

WORLD: dict[str, Any] = {}
LIVE = 1000  # ms: "on the board live within a second"


async def two_hospitals_and_a_token(services: AppServices) -> None:
    now = datetime.now(UTC)
    alfa = await make_hospital(services, "H-A", "Spitalul Alfa")
    beta = await make_hospital(services, "H-B", "Spitalul Beta", hospital_type="clinical")
    WORLD.update(alfa=alfa, beta=beta)
    await make_section(services, alfa, "Chirurgie A", free_beds=9, updated_at=now, updated_by="op.a")
    await make_section(services, alfa, "ATI A", section_type="icu", free_beds=2, updated_at=now, updated_by="op.a")
    WORLD["beta_surgery"] = await make_section(services, beta, "Chirurgie B", free_beds=5, updated_at=now,
                                               updated_by="op.b")
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "admin", role="admin")
    WORLD["alfa_token"] = await make_token(services, alfa, "HIS Alfa")
    WORLD["beta_token"] = await make_token(services, beta, "HIS Beta")


def put_admission(server: LiveServer, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.put(f"{server.url}{path}", headers=bearer(token), json=body, timeout=10)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()["admission"]
    return answer


def open_board(browser: Browser, server: LiveServer, path: str) -> Page:
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB").new_page()
    log_in(page, server, "coord")
    expect(page).to_have_url(f"{server.url}/board")
    if path != "/board":
        page.wait_for_load_state("load")
        page.goto(f"{server.url}{path}")
    expect(page.locator("#connection")).to_have_text("Live")
    page.evaluate("window.notReloaded = true")
    return page


def test_a_closed_hospital_shows_closed_with_its_reason_is_left_out_of_find_a_bed_and_reopens_live(
    browser: Browser, seeded_server_on_each_backend: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server_on_each_backend(two_hospitals_and_a_token)
    matrix = open_board(browser, server, "/board")
    cards = open_board(browser, server, "/board?view=cards")
    alfa_row = matrix.locator(f"#matrix-hospital-{WORLD['alfa']}")
    expect(alfa_row).to_be_visible()
    expect(alfa_row).not_to_have_class(re.compile(r"\badm-closed\b"))
    matrix.locator("#find-bed-title").click()
    matrix.locator("#find-type").select_option(label="General surgery")
    results = matrix.locator("#find-results > li")
    expect(results.locator(".find-link")).to_have_text(["9 Spitalul Alfa", "5 Spitalul Beta"])
    expect(matrix.locator("#find-closed-count")).to_be_empty()

    # The hospital closes for 2 h 10 min (and half a minute, so that the minutes left are still 10 when read).
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2, minutes=10, seconds=30)
    closed = put_admission(server, f"/api/v1/hospitals/{WORLD['alfa']}/admission", WORLD["alfa_token"], {
        "status": "closed", "reason_code": "icu_full", "reason": "only walking wounded",
        "until": until.isoformat(), "expected_version": 1})
    zone = ZoneInfo(matrix.locator("#board").get_attribute("data-timezone") or "UTC")
    local = until.astimezone(zone)
    day = "" if local.date() == datetime.now(zone).date() else f"{local:%b} {local.day}, "  # not today: its date
    words = (f"Closed to ambulances (the whole hospital): ICU full — only walking wounded · "
             f"until {day}{local:%H:%M} (2 hours, 10 minutes left)")

    # The matrix: the row says CLOSED in words, every cell of it is struck and marked; the tip says why and until when.
    expect(alfa_row).to_have_class(re.compile(r"\badm-closed\b"), timeout=LIVE)
    expect(alfa_row.locator(".admission-badge")).to_have_text("✕ CLOSED")
    surgery_cell = alfa_row.locator("button.cell-button").first
    expect(surgery_cell).to_have_class(re.compile(r"\bavail-closed\b"))
    expect(surgery_cell.locator(".adm-mark")).to_have_text("✕")
    expect(surgery_cell).to_have_attribute("aria-label", re.compile(re.escape(words)))
    surgery_cell.focus()
    expect(matrix.locator("#admission-tip")).to_have_text(words)
    alfa_row.locator(".admission-badge").hover()
    expect(matrix.locator("#admission-tip")).to_have_text(words)
    expect(matrix.locator(f"#matrix-hospital-{WORLD['beta']}")).not_to_have_class(re.compile(r"\badm-"))
    expect(matrix.locator("#board-total")).to_have_text("16 free · 11 of them closed to ambulances")
    # The cell's details say it too.
    surgery_cell.click()
    expect(matrix.locator("#cell-dialog .admission-note")).to_have_text(f"✕ {words}")
    matrix.locator("#cell-dialog").get_by_role("button", name="Close").click()

    # The cards: the heading says CLOSED, the reason and time left under it.
    alfa_card = cards.locator(f"#hospital-{WORLD['alfa']}")
    expect(alfa_card).to_have_class(re.compile(r"\badm-closed\b"), timeout=LIVE)
    expect(alfa_card.locator(".admission-badge")).to_have_text("✕ CLOSED")
    expect(alfa_card.locator(".admission-note")).to_have_text(words)

    # Find a bed leaves it out and counts it apart; asked to, lists it last, marked, with its reason.
    expect(results.locator(".find-link")).to_have_text(["5 Spitalul Beta"])
    expect(matrix.locator("#find-closed-count")).to_have_text("✕ 1 closed section left out")
    matrix.get_by_label("Include closed").check()
    expect(results.locator(".find-link")).to_have_text(["5 Spitalul Beta", "✕ 9 Spitalul Alfa"])
    expect(results.nth(1)).to_have_class(re.compile(r"\badm-closed\b"))
    expect(results.nth(1).locator(".find-sections")).to_contain_text(words)
    expect(matrix.locator("#find-closed-count")).to_have_text("✕ 1 closed section listed after the others")
    matrix.get_by_label("Include closed").uncheck()

    # A limited section stays in Find a bed, marked with its own sign and reason.
    put_admission(server, f"/api/v1/sections/{WORLD['beta_surgery']}/admission", WORLD["beta_token"], {
        "status": "limited", "reason_code": "ct_down", "expected_version": 1})
    beta_cell = matrix.locator(f"#matrix-hospital-{WORLD['beta']} button.cell-button").first
    expect(beta_cell).to_have_class(re.compile(r"\badm-limited\b"), timeout=LIVE)
    expect(beta_cell.locator(".adm-mark")).to_have_text("◐")
    expect(results.locator(".find-link")).to_have_text(["5 Spitalul Beta"])
    expect(results.nth(0).locator(".find-sections")).to_contain_text(
        "◐ Limited: takes only some patients: CT out of order · until")
    expect(cards.locator(f"#hospital-{WORLD['beta']} tr.section.adm-limited .admission-text")).to_contain_text(
        "Limited: takes only some patients: CT out of order · until")

    # Reopened: every mark goes, Find a bed lists it again.
    put_admission(server, f"/api/v1/hospitals/{WORLD['alfa']}/admission", WORLD["alfa_token"], {
        "status": "open", "expected_version": closed["version"]})
    expect(alfa_row).not_to_have_class(re.compile(r"\badm-closed\b"), timeout=LIVE)
    expect(alfa_row.locator(".admission-badge")).to_have_count(0)
    expect(alfa_row.locator(".adm-mark")).to_have_count(0)
    expect(cards.locator(f"#hospital-{WORLD['alfa']}")).not_to_have_class(re.compile(r"\badm-closed\b"), timeout=LIVE)
    expect(cards.locator(f"#hospital-{WORLD['alfa']} .admission-note")).to_have_count(0)
    expect(results.locator(".find-link")).to_have_text(["9 Spitalul Alfa", "5 Spitalul Beta"])
    expect(matrix.locator("#find-closed-count")).to_be_empty()
    expect(matrix.locator("#board-total")).to_have_text("16 free")
    assert matrix.evaluate("window.notReloaded") is True
    assert cards.evaluate("window.notReloaded") is True
