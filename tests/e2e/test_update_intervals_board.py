"""The board in Chromium marks a section past its type's update interval (issue 21), and follows a new interval live.

The server runs on the real clock, so the sections are seeded as reported 9 hours ago (nothing is slept).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect
from sqlalchemy import update

from app.beds.models import SectionType
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer


async def icu_every_8_hours_both_9_hours_old(services: AppServices) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(SectionType).where(SectionType.code == "icu").values(update_interval_hours=8))
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    nine_hours_ago = datetime.now(UTC) - timedelta(hours=9)
    await make_section(services, hospital, "ATI", section_type="icu", total_beds=12, free_beds=2,
                       updated_at=nine_hours_ago, updated_by="op.a")
    await make_section(services, hospital, "Chirurgie", section_type="surgery", total_beds=40, free_beds=9,
                       updated_at=nine_hours_ago, updated_by="op.a")
    await make_user(services, "coord", role="coordinator", display_name="Coordonator")
    await make_user(services, "ana.admin", role="admin", organisation="SAMB")


def test_an_8_hour_section_9_hours_old_is_marked_and_a_new_interval_reaches_an_open_board(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(icu_every_8_hours_both_9_hours_old)
    board = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(board, server, "coord")
    expect(board.locator("#connection")).to_have_text("Live")
    board.evaluate("window.notReloaded = true")

    icu = board.locator("tr.section", has=board.locator("th.name", has_text="ATI"))
    surgery = board.locator("tr.section", has=board.locator("th.name", has_text="Chirurgie"))
    expect(icu).to_have_class("section depth-0 stale")
    expect(icu.locator(".age")).to_have_text("Not updated for 9 hours")
    expect(surgery).to_have_class("section depth-0")
    expect(board.locator("#stale-count")).to_have_text("1")

    # An administrator asks surgery for a number every 8 hours too: the open board marks it without a reload.
    admin = browser.new_context().new_page()
    log_in(admin, server, "ana.admin")
    admin.goto(f"{server.url}/admin/nomenclature/intervals")
    box = admin.get_by_label("Update interval in hours for General surgery")
    box.fill("8")
    box.press("Enter")
    expect(admin.locator("tr", has=box).get_by_role("status")).to_have_text("Saved")
    expect(surgery).to_have_class(re.compile(r"\bstale\b"), timeout=2000)
    expect(board.locator("#stale-count")).to_have_text("2")
    assert board.evaluate("window.notReloaded") is True


async def two_overdue_icu_sections(services: AppServices) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(SectionType).where(SectionType.code == "icu").values(update_interval_hours=8))
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    nine_hours_ago = datetime.now(UTC) - timedelta(hours=9)
    for name in ("ATI 1", "ATI 2"):
        await make_section(services, hospital, name, section_type="icu", total_beds=12, free_beds=2,
                           updated_at=nine_hours_ago, updated_by="op.a")
    await make_section(services, hospital, "Chirurgie", section_type="surgery", total_beds=40, free_beds=9,
                       updated_at=nine_hours_ago, updated_by="op.a")
    await make_user(services, "op.a", role="operator", organisation="H-A")


def test_an_operator_logs_in_to_the_overdue_banner_which_empties_as_the_sections_are_saved(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(two_overdue_icu_sections)
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, server, "op.a")
    banner = page.locator("#overdue-banner")
    expect(banner.locator(".overdue-count")).to_have_text("2 sections are overdue for an update:")
    expect(banner).to_be_in_viewport()
    expect(page.locator("tbody th.name")).to_have_text(["ATI 1", "ATI 2", "Chirurgie"])

    first = page.get_by_label("Free beds in ATI 1")
    first.fill("3")
    first.press("Enter")
    expect(page.locator("tr", has=first).locator(".row-message")).to_have_text("Saved")
    expect(banner.locator(".overdue-count")).to_have_text("1 section is overdue for an update:")
    expect(banner.locator("li")).to_have_count(1)

    page.locator("tr", has=page.get_by_label("Free beds in ATI 2")).get_by_role("button", name="Still right").click()
    expect(banner).to_have_count(0)
