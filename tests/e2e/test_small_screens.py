"""Every page fits a phone (390×844) without sideways scrolling, and the header stays one line on a desk (1366 px)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
# (who logs in, the page); None: nobody.
PAGES = [(None, "/login"), ("coord.samb", "/board"), ("op.a", "/operator"), ("audit.ms", "/audit?kind=all"),
         ("audit.ms", "/audit/board"), ("admin.samb", "/admin/users"), ("admin.samb", "/admin/users/new"),
         ("coord.samb", "/account"), ("coord.samb", "/board/map"), ("coord.samb", "/board?view=cards")]

# A box that scrolls sideways inside the page (a table in an overflow:auto panel) is sideways scrolling too. The
# board's matrix (hospitals by section types) is left out: its phone layout belongs to the board's own work.
SCROLLING_BOXES = """[...document.querySelectorAll('main *:not(.matrix-box)')].filter(element => {
  const style = getComputedStyle(element);
  return ['auto', 'scroll'].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
}).length"""


async def _world(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul Clinic de Urgență pentru Copii Demo Marie Curie")
    parent = await make_section(services, hospital, "Secția Anestezie și Terapie Intensivă", section_type="icu",
                                total_beds=24, free_beds=-2)
    await make_section(services, hospital, "Compartiment Terapie Intensivă Postoperatorie", section_type="icu",
                       parent_id=parent, total_beds=8, free_beds=0)
    await make_section(services, hospital, "Secția Chirurgie Generală", total_beds=40, free_beds=9)
    await make_user(services, "op.a", role="operator", organisation="H-A", display_name="Operator Spital A")
    await make_user(services, "coord.samb", display_name="Coordonator Dispecerat Ambulanță")
    await make_user(services, "audit.ms", role="auditor", display_name="Auditor Ministerul Sănătății")
    await make_user(services, "admin.samb", role="admin", display_name="Administrator Conturi Ambulanță")


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: "/login" not in address)


def _page_as(browser: Browser, url: str, username: str | None, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
    page = context.new_page()
    if username is not None:
        _log_in(page, url, username)
    return page


def test_no_page_is_wider_than_a_phone(browser: Browser, seeded_server: Callable[[Seed], LiveServer]) -> None:
    server = seeded_server(_world)
    wider: dict[str, int] = {}
    pages: dict[str | None, Page] = {}
    for username, path in PAGES:
        page = pages.get(username) or _page_as(browser, server.url, username, PHONE)
        pages[username] = page
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
        width = int(page.evaluate("document.scrollingElement.scrollWidth"))
        boxes = int(page.evaluate(SCROLLING_BOXES))
        if width > PHONE["width"] or boxes:
            wider[path] = max(width, boxes)
    assert wider == {}


@pytest.mark.parametrize("username", ["admin.samb", "audit.ms", "op.a"])
def test_the_header_is_one_line_on_a_desk(browser: Browser, seeded_server: Callable[[Seed], LiveServer],
                                          username: str) -> None:
    server = seeded_server(_world)
    page = _page_as(browser, server.url, username, DESK)
    page.goto(f"{server.url}/account")
    header = page.locator("header.topbar")
    brand = page.locator("header.topbar .brand").bounding_box()
    box = header.bounding_box()
    assert box is not None
    assert brand is not None
    # One line: the header is no taller than its tallest single item plus its padding (about 50 px).
    assert box["height"] < brand["height"] * 2 + 16, box
    links = page.locator("header.topbar a, header.topbar button").all()
    tops = {round((link.bounding_box() or {"y": 0.0})["y"] + (link.bounding_box() or {"height": 0.0})["height"] / 2)
            for link in links}
    assert max(tops) - min(tops) <= 6, tops


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_activation_link_box_shows_the_whole_link(browser: Browser, seeded_server: Callable[[Seed], LiveServer],
                                                      viewport: dict[str, int]) -> None:
    server = seeded_server(_world)
    page = _page_as(browser, server.url, "admin.samb", viewport)
    page.goto(f"{server.url}/admin/users/new")
    page.get_by_label("Name", exact=True).fill("Maria Ionescu")
    page.get_by_label("Username").fill("maria.ionescu")
    page.get_by_label("Role", exact=True).select_option("coordinator")
    page.get_by_role("button", name="Create user").click()
    box = page.get_by_test_id("activation-link")
    assert box.input_value().startswith(f"{server.url}/activate/")
    hidden = box.evaluate("field => [field.scrollWidth - field.clientWidth, field.scrollHeight - field.clientHeight]")
    assert hidden == [0, 0]  # nothing of the link is scrolled out of the box
