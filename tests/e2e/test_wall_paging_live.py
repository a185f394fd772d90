"""A wall screen that pages through its hospitals keeps every live change: in Chromium, on a real server.

Free-bed counts written through the API while the wall turns its pages reach their cells at once when their page
is on screen and are there when their page comes round; the pages keep turning one after the other, none skipped
or repeated out of turn, and no row or number is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer

HOSPITALS = 90  # three or four pages at 1920x1080
PAGE_SECONDS = 3
SECTIONS: dict[int, int] = {}  # hospital number -> its section's id
HOSPITAL_IDS: dict[int, int] = {}  # hospital number -> its organisation id
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')

# Every mutation of the matrix is logged in the page: the page indicator, which rows are on screen, and the cells
# of the hospitals the test changes, so that what happened between two looks is known too.
RECORDER = """(watched) => {
  window.wallLog = [];
  const snapshot = () => {
    const indicator = document.getElementById("matrix-pages");
    const rows = [...document.querySelectorAll("tr.matrix-row")];
    const cells = {};
    for (const id of watched) {
      const row = document.getElementById(`matrix-hospital-${id}`);
      cells[id] = row ? [row.hidden, row.querySelector(".cell-free")?.textContent ?? null] : null;
    }
    window.wallLog.push({ page: indicator ? indicator.textContent : null, rows: rows.length,
                          shown: rows.filter((r) => !r.hidden).map((r) => Number(r.dataset.hospital)), cells });
  };
  new MutationObserver(snapshot).observe(document.getElementById("matrix"),
                                         { childList: true, subtree: true, attributes: true, characterData: true });
  snapshot();
}"""


def name_of(number: int) -> str:
    return f"Spitalul {number:03d}"


def initial_free_beds(number: int) -> int:
    return number % 17


async def ninety_hospitals(services: AppServices) -> None:
    for number in range(HOSPITALS):
        hospital = await make_hospital(services, f"H{number:03d}", name_of(number))
        HOSPITAL_IDS[number] = hospital
        SECTIONS[number] = await make_section(services, hospital, "Chirurgie", total_beds=40,
                                              free_beds=initial_free_beds(number), updated_at=datetime.now(UTC))
        await make_user(services, f"op.{number:03d}", role="operator", organisation=f"H{number:03d}")
    await make_user(services, "coord", role="coordinator")


class Operator:
    """A hospital system's writes through the API, with an operator's session (the same path as a token's)."""

    def __init__(self, server: LiveServer, number: int) -> None:
        self.http = httpx.Client(base_url=server.url)
        self.number = number
        self.version = 1
        login_page = self.http.get("/login")
        token = CSRF_META.search(login_page.text)
        assert token is not None
        answer = self.http.post("/login", data={"username": f"op.{number:03d}", "password": TEST_PASSWORD,
                                                "csrf_token": token.group(1)})
        assert answer.status_code == 303, answer.text
        found = CSRF_META.search(self.http.get("/account").text)
        assert found is not None
        self.csrf = found.group(1)

    def set_free_beds(self, free_beds: int) -> None:
        answer = self.http.put(f"/api/v1/sections/{SECTIONS[self.number]}/free-beds",
                               json={"free_beds": free_beds, "expected_version": self.version},
                               headers={"X-CSRF-Token": self.csrf})
        assert answer.status_code == 200, answer.text
        self.version = answer.json()["version"]

    def close(self) -> None:
        self.http.close()


def page_label(page: int, pages: int) -> str:
    return f"Page {page} of {pages}"


def wait_for_page(wall: Page, page: int, pages: int) -> None:
    expect(wall.locator("#matrix-pages")).to_have_text(page_label(page, pages),
                                                       timeout=(pages + 2) * PAGE_SECONDS * 1000)


def shown_numbers(wall: Page) -> list[int]:
    names = wall.locator("tr.matrix-row:not([hidden]) .hospital-label").all_inner_texts()
    return [int(name.removeprefix("Spitalul ")) for name in names]


def turns(log: list[dict[str, Any]]) -> list[int]:
    """The page numbers the indicator showed, in order, each run of the same page once."""
    seen: list[int] = []
    for entry in log:
        found = re.fullmatch(r"Page (\d+) of \d+", entry["page"] or "")
        if found and (not seen or seen[-1] != int(found.group(1))):
            seen.append(int(found.group(1)))
    return seen


def test_live_changes_reach_a_paging_wall_on_their_own_pages_and_paging_goes_on(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(ninety_hospitals)
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB").new_page()
    log_in(wall, server, "coord")
    expect(wall).to_have_url(f"{server.url}/board")
    wall.goto(f"{server.url}/board?wall=1&page_seconds={PAGE_SECONDS}")
    expect(wall.locator("#connection")).to_have_text("Live")
    indicator = wall.locator("#matrix-pages")
    expect(indicator).to_have_text(re.compile(r"^Page 1 of \d+$"))
    pages = int(indicator.inner_text().rsplit(" ", 1)[1])
    assert pages >= 3, pages

    # One round of the pages, to know which hospitals each shows.
    on_page: dict[int, list[int]] = {}
    for page in [*range(2, pages + 1), 1]:
        wait_for_page(wall, page, pages)
        on_page[page] = shown_numbers(wall)
    assert sorted(number for numbers in on_page.values() for number in numbers) == list(range(HOSPITALS))

    # Written while page 2 is on screen: one of its hospitals, two on page 1 (already shown, due again after the
    # last page; one of them changed twice: the later number must win) and one on the last page.
    visible_now = on_page[2][3]
    passed = on_page[1][0]
    twice = on_page[1][1]
    last_page = on_page[pages][-1]
    watched = [visible_now, passed, twice, last_page]
    wall.evaluate(RECORDER, [HOSPITAL_IDS[number] for number in watched])
    expected = {number: initial_free_beds(number) for number in range(HOSPITALS)}

    writers = {number: Operator(server, number) for number in watched}
    try:
        wait_for_page(wall, 2, pages)  # page 2 has just come round: it stays for PAGE_SECONDS
        for number, free_beds in ((visible_now, 31), (passed, 32), (last_page, 33), (twice, 34), (twice, 35)):
            writers[number].set_free_beds(free_beds)
            expected[number] = free_beds
        row = wall.locator(f"#matrix-hospital-{HOSPITAL_IDS[visible_now]}")
        expect(row.locator(".cell-free")).to_have_text("31")
        expect(row).to_be_visible()

        for page, number, text in ((pages, last_page, "33"), (1, passed, "32"), (1, twice, "35")):
            wait_for_page(wall, page, pages)
            row = wall.locator(f"#matrix-hospital-{HOSPITAL_IDS[number]}")
            expect(row).to_be_visible()
            expect(row.locator(".cell-free")).to_have_text(text)
            assert number in shown_numbers(wall)
        wait_for_page(wall, 2, pages)  # and on
    finally:
        for writer in writers.values():
            writer.close()

    log: list[dict[str, Any]] = wall.evaluate("window.wallLog")
    # The change to a hospital on screen arrived while its page was on screen: no wait for a turn.
    arrived = next(entry for entry in log if entry["cells"][str(HOSPITAL_IDS[visible_now])][1] == "31")
    assert arrived["page"] == page_label(2, pages), arrived["page"]
    assert arrived["cells"][str(HOSPITAL_IDS[visible_now])][0] is False
    # The pages went on turning in order through the changes: 2, 3, ..., last, 1, 2, never a jump or a step back.
    seen = turns(log)
    assert all(later == earlier % pages + 1 for earlier, later in zip(seen, seen[1:], strict=False)), seen
    assert len(seen) >= pages + 1, seen
    # Every row stayed on the board all along, and each page showed the same hospitals as before the changes.
    assert {entry["rows"] for entry in log} == {HOSPITALS}
    for entry in log:
        found = re.fullmatch(r"Page (\d+) of \d+", entry["page"] or "")
        if found:
            assert sorted(entry["shown"]) == sorted(HOSPITAL_IDS[n] for n in on_page[int(found.group(1))]), entry
    # Nothing lost: every cell holds its last number, the four changed ones and the eighty-six others.
    cells = wall.locator("tr.matrix-row").evaluate_all(
        "(rows) => rows.map((r) => [r.querySelector('.hospital-label').textContent,"
        " r.querySelector('.cell-free').textContent])")
    assert dict(cells) == {name_of(number): str(free) for number, free in expected.items()}
