"""The operator screen never drops a typed number, confirms what was looked at, and fits a desk screen.

Issue 20: "Confirm all unchanged" after typing 8 over a stored 9 (not yet saved) confirmed the 9 as
freshly right and dropped the 8 without a word. Each test asserts both what the operator sees and what
the database and the audit log hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Dialog, Locator, Page, expect
from sqlalchemy import select

from app.beds.models import Section
from app.kit.audit import AuditEvent
from app.kit.db import make_engine
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_operator_browser import stored_free_beds
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer

# A hospital of 15 sections, as long-named and as stale as the demo's: three not updated for two days.
SECTIONS = [
    ("ATI", 2), ("Anestezie și terapie intensivă pediatrică", 1), ("Cardiologie", 6), ("Chirurgie", 9),
    ("Chirurgie vasculară", 3), ("Gastroenterologie", 4), ("Medicină internă", 11), ("Nefrologie", 0),
    ("Neurologie", 5), ("Neurochirurgie", 2), ("Obstetrică-ginecologie", 7), ("Oncologie medicală", 3),
    ("Ortopedie și traumatologie", 8), ("Pneumologie", 4), ("Urologie", 2),
]


async def fifteen_sections(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul Clinic de Urgență Demo A")
    long_ago = datetime.now(UTC) - timedelta(days=2, hours=3)
    for index, (name, free) in enumerate(SECTIONS):
        stale = index % 5 == 1
        await make_section(services, hospital, name, code=f"S{index}", total_beds=30, free_beds=free,
                           updated_at=long_ago if stale else datetime.now(UTC) - timedelta(hours=1),
                           updated_by="ion.pop")
    await make_user(services, "op.a", role="operator", organisation="H-A", display_name="Operator A")


def audit_actions(database_url: str) -> list[tuple[str, str]]:
    """(action, section name) of every bed event, oldest first."""
    async def read() -> list[tuple[str, str]]:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as connection:
                sections = await connection.execute(select(Section.id, Section.name))
                names = {str(section_id): name for section_id, name in sections}
                rows = await connection.execute(select(AuditEvent.action, AuditEvent.object_id)
                                                .where(AuditEvent.action.like("beds.%")).order_by(AuditEvent.seq))
                return [(action, names[str(object_id)]) for action, object_id in rows]
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, read()).result()


def operator_screen(page: Page, seeded_server: Callable[[Seed], LiveServer]) -> LiveServer:
    server = seeded_server(fifteen_sections)
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill("op.a")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{server.url}/operator")
    return server


def type_over(page: Page, section: str, value: str) -> None:
    box = page.get_by_label(f"Free beds in {section}", exact=True)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def test_a_typed_number_is_marked_unsaved_and_confirm_all_saves_it_with_agreement(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer], database_url: str
) -> None:
    operator_screen(page, seeded_server_on_each_backend)
    type_over(page, "Chirurgie", "8")
    surgery = page.locator("tr[data-section-id]", has=page.get_by_label("Free beds in Chirurgie", exact=True))
    expect(surgery.locator(".unsaved-mark")).to_have_text("Not saved")  # words, not only a colour

    page.get_by_role("button", name="Confirm all unchanged").click()
    question = page.get_by_role("dialog")
    expect(question).to_contain_text("Chirurgie: 8")
    question.get_by_role("button", name="Save them, then confirm the others").click()

    expect(surgery.locator(".row-message")).to_have_text("Saved")
    expect(surgery.locator(".unsaved-mark")).to_be_hidden()
    expect(page.get_by_label("Free beds in ATI", exact=True).locator("xpath=ancestor::tr")
           .locator(".row-message")).to_have_text("Confirmed as still right")
    assert stored_free_beds(database_url)["Chirurgie"] == 8
    actions = audit_actions(database_url)
    assert ("beds.free_beds_set", "Chirurgie") in actions
    assert ("beds.confirmed", "Chirurgie") not in actions  # the 9 was never called right
    assert sum(action == "beds.confirmed" for action, _name in actions) == len(SECTIONS) - 1


def test_confirm_all_can_leave_an_unsaved_number_alone_and_says_so(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer], database_url: str
) -> None:
    operator_screen(page, seeded_server_on_each_backend)
    type_over(page, "Chirurgie", "8")
    surgery = page.locator("tr[data-section-id]", has=page.get_by_label("Free beds in Chirurgie", exact=True))
    surgery.get_by_role("button", name="Still right").click()  # this row's own confirmation: refused too
    expect(surgery.locator(".row-message")).to_have_text(
        "Not confirmed: the number in the box is not saved. Press Enter to save it.")
    page.get_by_role("button", name="Confirm all unchanged").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm only the others").click()

    expect(page.locator("#confirm-all-message")).to_have_text(
        "Not confirmed, their numbers are not saved: Chirurgie.")
    expect(page.get_by_label("Free beds in Chirurgie", exact=True)).to_have_value("8")  # the 8 is still there
    expect(surgery.locator(".unsaved-mark")).to_have_text("Not saved")
    assert stored_free_beds(database_url)["Chirurgie"] == 9
    actions = audit_actions(database_url)
    assert ("beds.confirmed", "Chirurgie") not in actions
    assert ("beds.confirmed", "ATI") in actions


def test_leaving_the_page_with_an_unsaved_number_asks_first(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer]
) -> None:
    server = operator_screen(page, seeded_server_on_each_backend)
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    type_over(page, "Chirurgie", "8")
    page.get_by_role("link", name="Account").click()
    page.wait_for_timeout(300)  # the navigation, had it not been stopped, would have started by now
    assert asked == ["beforeunload"]
    assert page.url == f"{server.url}/operator"
    expect(page.get_by_label("Free beds in Chirurgie", exact=True)).to_have_value("8")

    page.get_by_label("Free beds in Chirurgie", exact=True).press("Enter")  # saved: nothing left to lose
    expect(row_message(page, "Chirurgie")).to_have_text("Saved")
    page.get_by_role("link", name="Account").click()
    page.wait_for_url(f"{server.url}/account**")
    assert asked == ["beforeunload"]


def row_message(page: Page, section: str) -> Locator:
    return page.locator("tr[data-section-id]", has=page.get_by_label(f"Free beds in {section}", exact=True)
                        ).locator(".row-message")


def test_cancelling_a_negative_number_restores_the_box(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer], database_url: str
) -> None:
    operator_screen(page, seeded_server_on_each_backend)
    type_over(page, "Chirurgie", "-1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("-1 is negative: save it only in an exceptional case.")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    box = page.get_by_label("Free beds in Chirurgie", exact=True)
    expect(box).to_have_value("9")
    expect(box).to_be_focused()
    expect(page.locator(".unsaved-mark:visible")).to_have_count(0)
    assert stored_free_beds(database_url)["Chirurgie"] == 9
    assert audit_actions(database_url) == []


def test_enter_on_an_unchanged_number_confirms_it_and_refreshes_the_last_update(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer], database_url: str
) -> None:
    operator_screen(page, seeded_server_on_each_backend)
    surgery = page.locator("tr[data-section-id]", has=page.get_by_label("Free beds in Chirurgie", exact=True))
    expect(surgery.locator(".updated")).not_to_contain_text("confirmed")
    page.get_by_label("Free beds in Chirurgie", exact=True).press("Enter")
    expect(surgery.locator(".row-message")).to_have_text("Confirmed as still right")
    expect(surgery.locator(".updated")).to_contain_text("confirmed")
    expect(surgery.locator(".updated")).to_contain_text("by op.a")
    assert audit_actions(database_url) == [("beds.confirmed", "Chirurgie")]  # a confirmation, not 9 -> 9
    assert stored_free_beds(database_url)["Chirurgie"] == 9

    stale = page.locator("tr[data-section-id]", has=page.get_by_label(
        "Free beds in Anestezie și terapie intensivă pediatrică", exact=True))
    expect(stale.locator(".updated")).to_contain_text("Not updated for")
    stale.get_by_role("button", name="Still right").click()
    expect(stale.locator(".updated")).to_contain_text("by op.a")
    expect(stale.locator(".updated")).not_to_contain_text("Not updated for")


def test_twelve_sections_fit_a_desk_screen_and_a_confirmation_does_not_reflow_the_table(
    page: Page, seeded_server_on_each_backend: Callable[[Seed], LiveServer]
) -> None:
    operator_screen(page, seeded_server_on_each_backend)
    assert page.viewport_size == {"width": 1366, "height": 768}
    rows = page.locator("tbody tr[data-section-id]")
    bottoms = [box["y"] + box["height"] for box in
               (rows.nth(index).bounding_box() for index in range(rows.count())) if box is not None]
    inside = sum(bottom <= 768 for bottom in bottoms)
    assert inside >= 12, f"{inside} section rows inside 1366x768; row bottoms {bottoms}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    def layout() -> list[tuple[float, float, float, float]]:
        cells = page.locator("table.sections th, table.sections td")
        return [(round(b["x"]), round(b["y"]), round(b["width"]), round(b["height"]))
                for b in (cells.nth(index).bounding_box() for index in range(cells.count())) if b is not None]

    before = layout()
    type_over(page, "Gastroenterologie", "-2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Save -2")).to_be_visible()
    after = layout()
    assert after == before, [(b, a) for b, a in zip(before, after, strict=True) if a != b]
