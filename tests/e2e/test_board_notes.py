"""Clarification notes from the board in Chromium (issue 21): a SAMB coordinator opens a closed section's cell, asks
why, and reads the note there; the hospital's operator finds it on their screen; SMURD's coordinator opening the same
cell sees the status but not the conversation. On both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_api_setup import bearer, make_token
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_organisation, make_user
from tests.live_server import LiveServer

WORLD: dict[str, Any] = {}


async def a_hospital_with_a_closed_icu(services: AppServices) -> None:
    now = datetime.now(UTC)
    alfa = await make_hospital(services, "H-A", "Spitalul Alfa")
    WORLD["icu"] = await make_section(services, alfa, "ATI A", section_type="icu", free_beds=2, updated_at=now,
                                      updated_by="op.a")
    await make_user(services, "coord", role="coordinator")
    await make_organisation(services, "SMURD")
    await make_user(services, "coord.smurd", role="coordinator", organisation="SMURD")
    await make_user(services, "admin", role="admin")
    await make_user(services, "op.a", role="operator", organisation="H-A")
    WORLD["token"] = await make_token(services, alfa, "HIS Alfa")


def board_of(browser: Browser, server: LiveServer, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB").new_page()
    log_in(page, server, username)
    expect(page).to_have_url(f"{server.url}/board")
    expect(page.locator("#connection")).to_have_text("Live")
    return page


def test_a_coordinator_asks_from_the_cell_and_another_authoritys_sees_no_notes(
    browser: Browser, seeded_server_on_each_backend: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server_on_each_backend(a_hospital_with_a_closed_icu)
    closed = httpx.put(f"{server.url}/api/v1/sections/{WORLD['icu']}/admission", headers=bearer(WORLD["token"]),
                       json={"status": "closed", "reason_code": "icu_full", "expected_version": 1}, timeout=10)
    assert closed.status_code == 200, closed.text

    samb = board_of(browser, server, "coord")
    samb.locator("button.cell-button.adm-closed").first.click()
    dialog = samb.locator("#cell-dialog")
    expect(dialog.locator(".cell-notes-title")).to_have_text("ATI A")
    dialog.get_by_label("Ask to clarify").fill("Until when for strokes?")
    dialog.get_by_role("button", name="Send the note").click()
    expect(dialog.locator(".cell-notes .note")).to_have_count(1)
    expect(dialog.locator(".cell-notes .note")).to_contain_text("coord (Serviciul de Ambulanță București-Ilfov), ")
    expect(dialog.locator(".note-status")).to_have_text("Note sent")

    operator = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB").new_page()
    log_in(operator, server, "op.a")
    operator.goto(f"{server.url}/operator")
    expect(operator.locator(f"#notes-{WORLD['icu']} [data-testid=note]")).to_contain_text("Until when for strokes?")

    smurd = board_of(browser, server, "coord.smurd")
    smurd.locator("button.cell-button.adm-closed").first.click()
    other = smurd.locator("#cell-dialog")
    expect(other.locator(".cell-notes-title")).to_have_text("ATI A")
    expect(other.locator(".cell-notes .notes[data-loaded=true]")).to_have_count(1)  # the server has answered
    expect(other.locator(".cell-notes .note")).to_have_count(0)
    expect(other.get_by_label("Ask to clarify")).to_be_visible()  # SMURD may ask too, and then reads its own
