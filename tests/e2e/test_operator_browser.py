from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.beds.models import Section
from app.kit.db import make_engine
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer


async def one_hospital(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    await make_section(services, hospital, "ATI", section_type="icu", total_beds=12, free_beds=2)
    await make_section(services, hospital, "Cardiologie", section_type="cardiology", total_beds=30, free_beds=6)
    await make_section(services, hospital, "Chirurgie", total_beds=40, free_beds=9)
    await make_user(services, "op.a", role="operator", organisation="H-A", display_name="Operator A")


def stored_free_beds(database_url: str) -> dict[str, int]:
    async def read() -> dict[str, int]:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(select(Section.name, Section.free_beds))
                return {name: free for name, free in rows}
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, read()).result()


def test_an_operator_saves_with_the_keyboard_only(page: Page, seeded_server: Callable[[Seed], LiveServer],
                                                  sqlite_url: str) -> None:
    server = seeded_server(one_hospital)
    page.goto(f"{server.url}/login")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus: the operator can type at once
    page.keyboard.type("op.a")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/operator")  # an operator starts on the sections

    first = page.get_by_label("Free beds in ATI")
    first.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("tr", has=first).locator(".row-message")).to_have_text("Saved")

    page.keyboard.press("Tab")
    second = page.get_by_label("Free beds in Cardiologie")
    expect(second).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(page.locator("tr", has=second).locator(".row-message")).to_have_text("Saved")

    page.keyboard.press("Tab")
    third = page.get_by_label("Free beds in Chirurgie")
    expect(third).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("-1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("-1 is negative: save it only in an exceptional case.")).to_be_visible()
    expect(page.get_by_role("button", name="Save -1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("tr", has=third).locator(".row-message")).to_have_text("Saved")
    expect(third).to_have_class("free-input negative")
    expect(third).to_have_css("color", "rgb(179, 18, 31)")

    assert stored_free_beds(sqlite_url) == {"ATI": 5, "Cardiologie": 11, "Chirurgie": -1}
    page.reload()
    expect(page.get_by_label("Free beds in Chirurgie")).to_have_value("-1")


def test_a_negative_number_sent_before_the_script_ran_is_saved_by_the_servers_question(
    page: Page, seeded_server: Callable[[Seed], LiveServer], sqlite_url: str
) -> None:
    """On a slow hospital PC the operator may press Enter before the page's script has run: the form goes to the
    server, which asks about the negative number itself. Its "Save -1" must save -1, whether the script has
    arrived by then or never does."""
    server = seeded_server(one_hospital)
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill("op.a")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/operator")

    # The script that arrived late: the first page runs without it, the server's answer with it.
    page.route("**/static/js/operator.js", lambda route: route.abort())
    page.reload()
    page.unroute("**/static/js/operator.js")
    field = page.get_by_label("Free beds in ATI")
    field.fill("-1")
    field.press("Enter")
    expect(page.get_by_text("-1 is negative: save it only in an exceptional case.")).to_be_visible()
    page.get_by_label("Reason (optional)").fill("patient on a trolley")
    page.get_by_role("button", name="Save -1").click()
    expect(page.locator("tr", has=field).locator(".row-message")).to_have_text("Saved")
    assert stored_free_beds(sqlite_url)["ATI"] == -1

    # A PC that never runs the script: the same question, the same answer, through plain forms.
    plain = page.context.browser.new_context(java_script_enabled=False).new_page()  # type: ignore[union-attr]
    plain.goto(f"{server.url}/login")
    plain.get_by_label("Username").fill("op.a")
    plain.get_by_label("Password").fill(TEST_PASSWORD)
    plain.get_by_role("button", name="Log in").click()
    box = plain.get_by_label("Free beds in Chirurgie")
    box.fill("-2")
    box.press("Enter")
    plain.get_by_role("button", name="Save -2").click()
    expect(plain.locator("tr", has=box).locator(".row-message")).to_have_text("Saved")
    assert stored_free_beds(sqlite_url)["Chirurgie"] == -2
