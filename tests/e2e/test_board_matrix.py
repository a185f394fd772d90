"""The board's matrix view in Chromium: hospitals by section type, fitting the wall, paging, sorting, live."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer

IDS: dict[str, int] = {}


async def a_coordinator(services: AppServices) -> None:
    await make_user(services, "coord", role="coordinator")


async def two_hospitals(services: AppServices) -> None:
    now = datetime.now(UTC)
    a = await make_hospital(services, "H-A", "Spitalul Alfa")
    b = await make_hospital(services, "H-B", "Spitalul Beta", hospital_type="clinical")
    IDS["A"], IDS["B"] = a, b
    IDS["Chirurgie I"] = await make_section(services, a, "Chirurgie I", free_beds=9, updated_at=now, updated_by="op.a")
    await make_section(services, a, "Chirurgie II", free_beds=3, updated_at=now, updated_by="op.a")
    # A compartment inside Chirurgie I: its 2 beds are among Chirurgie I's 9, so the cell is 12, not 14.
    await make_section(services, a, "Compartiment Toracic", free_beds=2, parent_id=IDS["Chirurgie I"],
                       updated_at=now, updated_by="op.a")
    await make_section(services, a, "ATI", section_type="icu", free_beds=0, updated_at=now - timedelta(hours=30))
    await make_section(services, b, "Chirurgie", free_beds=20, updated_at=now, updated_by="op.b")
    await make_section(services, b, "ATI", section_type="icu", free_beds=4, updated_at=now, updated_by="op.b")
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "op.a", role="operator", organisation="H-A")


async def two_hundred_hospitals(services: AppServices) -> None:
    for number in range(200):
        hospital = await make_hospital(services, f"H{number:03d}", f"Spitalul {number:03d}")
        await make_section(services, hospital, "Chirurgie", free_beds=number % 17, updated_at=datetime.now(UTC))
    await make_user(services, "coord", role="coordinator")


def open_board(browser: Browser, server: LiveServer, width: int, height: int, path: str = "/board") -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB").new_page()
    log_in(page, server, "coord")
    expect(page).to_have_url(f"{server.url}/board")
    if path != "/board":
        # Only once the board the login led to has loaded: a second navigation while the first still loads was
        # aborted (net::ERR_ABORTED) on a loaded CI machine.
        page.wait_for_load_state("load")
        page.goto(f"{server.url}{path}")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("tr.matrix-row").first).to_be_visible()
    return page


def cell(page: Page, hospital: int, type_code_column: str) -> str:
    header = page.locator("#matrix-table thead th.type-col")
    names = header.evaluate_all("(ths) => ths.map((th) => th.title)")
    index = names.index(type_code_column) + 2  # the hospital column first, nth-child counts from 1
    return page.locator(f"#matrix-hospital-{hospital} td:nth-child({index})").inner_text().split("\n")[0]


def test_every_demo_hospital_fits_a_wall_screen_and_the_desk_matrix_takes_two_screens_at_most(
    browser: Browser, demo_server: Callable[[Seed], LiveServer]
) -> None:
    server = demo_server(a_coordinator)  # on the demo
    wall = open_board(browser, server, 1920, 1080, "/board?wall=1")
    rows = wall.locator("tr.matrix-row")
    expect(rows).to_have_count(25)
    for box in rows.evaluate_all("(rows) => rows.map((r) => r.getBoundingClientRect().toJSON())"):
        assert box["top"] >= 0, box
        assert box["bottom"] <= 1080, box
    assert wall.evaluate("document.documentElement.scrollHeight") <= 1080
    expect(wall.locator("#matrix-pages")).to_have_count(0)
    # The demo has stale sections with free beds, and a hospital closed to ambulances (issue 21): the board's total
    # says how much of it is overdue and how much is closed.
    expect(wall.locator("#board-total")).to_have_text(
        re.compile(r"^[\d,]+ free · \d+ of them overdue · \d+ of them closed to ambulances$"))

    desk = open_board(browser, server, 1366, 768)
    expect(desk.locator("tr.matrix-row")).to_have_count(25)
    bottom = desk.locator("#matrix-table").evaluate("(t) => t.getBoundingClientRect().bottom + window.scrollY")
    assert bottom <= 2 * 768, bottom


def test_a_cell_sums_its_type_opens_its_sections_sorts_and_follows_a_live_change(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hospitals)
    page = open_board(browser, server, 1366, 768)
    assert cell(page, IDS["A"], "General surgery") == "12"
    assert cell(page, IDS["B"], "General surgery") == "20"
    expect(page.locator("#board-total")).to_have_text("36 free")
    # The total adds top-level sections only: 9 + 3 + 0.
    expect(page.locator(f"#matrix-hospital-{IDS['A']} [data-testid=row-total] strong")).to_have_text("12")
    # A 0 that is also stale: framed, hatched, with its age, and said in words.
    stale = page.locator("button.cell-button.stale")
    expect(stale).to_have_count(1)
    expect(stale).to_have_class(re.compile(r"avail-none"))
    expect(stale.locator(".cell-age")).to_have_text("30 h")

    page.locator(f"#matrix-hospital-{IDS['A']} button.cell-button", has_text="12").click()
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("li.depth-1")).to_have_text(re.compile("Compartiment Toracic"))
    expect(dialog.locator(f"li[data-section-id='{IDS['Chirurgie I']}']")).to_contain_text("by op.a")
    dialog.get_by_role("button", name="Close").click()

    page.locator("th.type-col[title='General surgery'] button").click()
    expect(page).to_have_url(re.compile(r"sort=\d+"))
    names = page.locator("tr.matrix-row .hospital-label").all_inner_texts()
    assert names == ["Spitalul Beta", "Spitalul Alfa"]
    page.reload()
    expect(page.locator("#connection")).to_have_text("Live")
    assert page.locator("tr.matrix-row .hospital-label").all_inner_texts() == ["Spitalul Beta", "Spitalul Alfa"]

    operator = browser.new_context().new_page()
    log_in(operator, server, "op.a")
    field = operator.get_by_label("Free beds in Chirurgie II")
    field.fill("30")
    field.press("Enter")
    expect(operator.locator("tr", has=field).locator(".row-message")).to_have_text("Saved")
    expect(page.locator(f"#matrix-hospital-{IDS['A']} button.cell-button", has_text="39")).to_be_visible()
    assert page.locator("tr.matrix-row .hospital-label").all_inner_texts() == ["Spitalul Alfa", "Spitalul Beta"]

    icu = operator.get_by_label("Free beds in ATI")
    icu.fill("-1")
    icu.press("Enter")
    operator.locator("tr", has=icu).get_by_label("Reason (optional)").fill("pacient pe targă în hol")
    operator.get_by_role("button", name="Save -1").click()
    expect(operator.locator("tr", has=icu).locator(".row-message")).to_have_text("Saved")
    negative = page.locator(f"#matrix-hospital-{IDS['A']} button.avail-negative")
    expect(negative).to_have_text("−1")
    expect(negative).to_have_css("color", "rgb(179, 18, 31)")
    negative.click()
    expect(page.locator("#cell-dialog .reason")).to_have_text("reason: pacient pe targă în hol")


def test_a_wall_with_more_hospitals_than_fit_pages_through_all_of_them(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hundred_hospitals)
    wall = open_board(browser, server, 1920, 1080, "/board?wall=1&page_seconds=1")
    indicator = wall.locator("#matrix-pages")
    expect(indicator).to_have_text(re.compile(r"Page 1 of \d+"))
    seen: set[str] = set()
    pages_seen: set[str] = set()
    for _turn in range(40):  # the pages turn every second; a few turns more than there are pages suffice
        shown = indicator.inner_text()
        rows = wall.locator("tr.matrix-row:not([hidden])")
        boxes = rows.evaluate_all("(rows) => rows.map((r) => [r.textContent, r.getBoundingClientRect().bottom])")
        for _text, bottom in boxes:
            assert bottom <= 1080, (shown, bottom)
        names = wall.locator("tr.matrix-row:not([hidden]) .hospital-label").all_inner_texts()
        if indicator.inner_text() == shown:  # still the same page as measured
            seen.update(names)
            pages_seen.add(shown)
        if len(seen) == 200:
            break
        wall.wait_for_timeout(500)
    assert len(pages_seen) >= 2
    assert seen == {f"Spitalul {number:03d}" for number in range(200)}
    wall.mouse.click(5, 5)
    expect(indicator).to_have_text(re.compile(r"\(paused\)"))


def test_find_a_bed_ranks_hospitals_links_their_cells_and_says_when_nothing_matches(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hospitals)
    page = open_board(browser, server, 1366, 768)
    page.locator("#find-bed-title").click()
    page.locator("#find-type").select_option(label="General surgery")
    results = page.locator("#find-results > li")
    expect(results).to_have_count(2)
    expect(results.nth(0).locator(".find-link")).to_have_text("20 Spitalul Beta")
    expect(results.nth(1).locator(".find-link")).to_have_text("12 Spitalul Alfa")  # 9 + 3, the compartment inside
    expect(results.nth(1).locator(".find-sections")).to_contain_text("Chirurgie II: 3 · reported")
    page.locator("#find-type").select_option(label="Anaesthesia and intensive care")
    expect(results.nth(1)).to_contain_text("stale")
    expect(results.nth(1).locator(".find-sections")).to_contain_text("ATI: 0 · reported 1 day, 6 hours")
    results.nth(1).locator(".find-link").click()
    expect(page.locator("#cell-dialog")).to_be_visible()
    expect(page.locator("#cell-dialog h2")).to_have_text("Spitalul Alfa — Anaesthesia and intensive care")
    page.locator("#cell-dialog").get_by_role("button", name="Close").click()

    page.goto(f"{server.url}/board?hospital={IDS['B']}&q=chirurgie")
    expect(page.locator("#connection")).to_have_text("Live")
    page.locator("#find-bed-title").click()
    page.locator("#find-type").select_option(label="Anaesthesia and intensive care")
    expect(page.locator("#find-results")).to_contain_text("No hospital on the board has a section of the chosen types.")
    page.locator("#find-widen").click()
    expect(page).to_have_url(f"{server.url}/board")
    expect(results).to_have_count(2)


def test_the_dark_theme_follows_the_system_the_wall_and_the_readers_choice_kept_on_the_account(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_hospitals)
    desk = open_board(browser, server, 1366, 768)
    body = desk.locator("body")
    expect(body).not_to_have_class(re.compile("theme-dark"))
    desk.get_by_role("button", name="Dark theme").click()
    expect(body).to_have_class(re.compile("theme-dark"))
    expect(desk.locator("#board")).to_have_css("color", "rgb(228, 232, 236)")
    desk.reload()
    expect(body).to_have_class(re.compile("theme-dark"))  # kept on the account

    # The same coordinator on another computer, whose browser never saw the toggle, and without any script:
    # the server painted the page dark from the first frame, and the toggle still works as a plain form.
    elsewhere = browser.new_context(viewport={"width": 1366, "height": 768}, java_script_enabled=False).new_page()
    log_in(elsewhere, server, "coord")
    elsewhere.goto(f"{server.url}/board")
    expect(elsewhere.locator("body")).to_have_css("background-color", "rgb(15, 20, 24)")
    elsewhere.get_by_role("button", name="Light theme").click()
    expect(elsewhere).to_have_url(f"{server.url}/board")
    expect(elsewhere.locator("body")).to_have_css("background-color", "rgb(244, 246, 248)")
    desk.reload()
    expect(body).not_to_have_class(re.compile("theme-dark"))
    expect(desk.get_by_role("button", name="Dark theme")).to_be_visible()

    # A chosen light holds on the wall too; given back to the computer, the wall starts dark again.
    wall = open_board(browser, server, 1920, 1080, "/board?wall=1")
    expect(wall.locator("body")).not_to_have_class(re.compile("theme-dark"))
    wall.goto(f"{server.url}/account")
    wall.get_by_label("Board theme").select_option(label="This computer's setting")
    wall.get_by_role("button", name="Save theme").click()
    expect(wall.locator(".notice")).to_have_text("Your changes are saved.")
    wall.goto(f"{server.url}/board?wall=1")
    expect(wall.locator("body")).to_have_class(re.compile("theme-dark"))

    cards = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(cards, server, "coord")
    cards.get_by_role("link", name="By hospital").click()
    expect(cards).to_have_url(f"{server.url}/board?view=cards")
    expect(cards.locator(f"#hospital-{IDS['A']} .type-badge")).to_have_text("EMER")
    expect(cards.locator("#matrix")).to_be_hidden()
    expect(cards.locator("body")).not_to_have_class(re.compile("theme-dark"))

    night = browser.new_context(viewport={"width": 1366, "height": 768}, color_scheme="dark").new_page()
    log_in(night, server, "coord")
    expect(night.locator("body")).to_have_class(re.compile("theme-dark"))
    expect(night.locator("body")).to_have_css("background-color", "rgb(15, 20, 24)")
