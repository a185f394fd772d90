"""The board's alert panel in Chromium (issue 21): an authority's rule "ICU below 2" fires when the last-but-one ICU
bed goes, both coordinators' open boards show it without a reload, one Acknowledge clears it on both, and the wall
screen shows the panel without the sound button; a board whose sound is on rings at once and again until the alert
is acknowledged (each tone counted as it starts on the page's real Web Audio context)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from accounts.models import Organisation, User
from app.beds.alerts.rules import RuleDraft, create_rule
from app.beds.models import SectionType
from app.kit.actors import Actor
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer


async def icu_rule_of_samb(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    await make_section(services, hospital, "ATI", section_type="icu", total_beds=12, free_beds=2,
                       updated_at=datetime.now(UTC), updated_by="op.a")
    for username, role, organisation in (("coord", "coordinator", "SAMB"), ("coord2", "coordinator", "SAMB"),
                                         ("ana.admin", "admin", "SAMB"), ("op.a", "operator", "H-A")):
        await make_user(services, username, role=role, organisation=organisation)
    async with services.unit_of_work() as uow:
        admin_id = await uow.session.scalar(select(User.id).where(User.username == "ana.admin"))
        samb = await uow.session.scalar(select(Organisation.id).where(Organisation.code == "SAMB"))
        icu = await uow.session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
        admin = Actor(username="ana.admin", source="web", user_id=admin_id, organisation_id=samb,
                      organisation_code="SAMB", organisation_kind="authority", roles=frozenset({"admin"}))
        await create_rule(uow, actor=admin, draft=RuleDraft(kind="below", section_type_id=icu, threshold=2))


# Counts the tones a page starts on its real AudioContext (headless Chromium plays them to no speaker).
COUNT_TONES = """
window.tones = 0;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const oscillator = createOscillator.call(this);
  const start = oscillator.start.bind(oscillator);
  oscillator.start = (...args) => { window.tones += 1; return start(...args); };
  return oscillator;
};
"""


def _wait_for_tones(page: Page, count: int) -> None:
    """Until the page has started ``count`` tones (wait_for_function would evaluate a string, which the site's CSP
    refuses), for at most 10 s: longer than two repeats of the sound."""
    for _ in range(100):
        if page.evaluate("window.tones") >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{page.evaluate('window.tones')} tones started, expected {count}")


def _operator_sets(server: LiveServer, free_beds: int) -> None:
    with httpx.Client(base_url=server.url) as operator:
        token = re.search(r'name="csrf-token" content="(\w+)"', operator.get("/login").text)
        assert token
        operator.post("/login", data={"username": "op.a", "password": TEST_PASSWORD, "csrf_token": token.group(1)})
        csrf = re.search(r'name="csrf-token" content="(\w+)"', operator.get("/account").text)
        assert csrf
        [section] = operator.get("/api/v1/sections").json()["sections"]
        response = operator.put(f"/api/v1/sections/{section['id']}/free-beds", headers={"X-CSRF-Token": csrf.group(1)},
                                json={"free_beds": free_beds, "expected_version": section["version"]})
        assert response.status_code == 200, response.text


def test_an_alert_reaches_two_boards_and_one_acknowledgement_clears_both(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(icu_rule_of_samb)
    boards = []
    for username in ("coord", "coord2"):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_init_script(COUNT_TONES)
        board = context.new_page()
        log_in(board, server, username)
        expect(board.locator("#connection")).to_have_text("Live")
        expect(board.locator("#alert-count")).to_have_text("0")
        expect(board.locator("#alerts-none")).to_be_visible()
        board.evaluate("window.notReloaded = true")
        boards.append(board)
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(wall, server, "ana.admin")
    wall.goto(f"{server.url}/board?wall=1")
    expect(wall.locator("#connection")).to_have_text("Live")

    boards[0].get_by_role("button", name="Enable sound").click()
    expect(boards[0].get_by_role("button", name="Sound on (turn off)")).to_have_attribute("aria-pressed", "true")
    _operator_sets(server, 1)  # the last-but-one ICU bed goes
    for page in (*boards, wall):
        item = page.locator("#alert-list li")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("intensive care")
        expect(item).to_contain_text("1 free in all hospitals, below 2")
        expect(page.locator("#alert-count")).to_have_text("1")
    assert boards[1].evaluate("window.notReloaded") is True
    expect(wall.locator("#alert-sound")).to_have_count(0)  # the wall shows alerts without sound
    # The board with its sound on rang when the alert came, and rings again every few seconds while it is open;
    # the other board, sound off, stays silent.
    _wait_for_tones(boards[0], 2)
    assert boards[1].evaluate("window.tones") == 0

    boards[0].locator("#alert-list").get_by_role("button", name="Acknowledge").click()
    for page in (*boards, wall):
        expect(page.locator("#alert-list li")).to_have_count(0)
        expect(page.locator("#alert-count")).to_have_text("0")
    for page in boards:
        expect(page.locator("#alerts-none")).to_be_visible()
    expect(wall.locator("#alerts-panel")).to_be_hidden()  # a wall gives "no open alert" no line of its rows
    rung = boards[0].evaluate("window.tones")
    boards[0].wait_for_timeout(5_000)  # longer than the sound's repeat: acknowledged, it does not ring again
    assert boards[0].evaluate("window.tones") == rung
