"""The nomenclature page in Chromium: the script shows progress and swaps the preview and result in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.kit.state import AppServices
from tests.beds.test_nomenclature_support import EXAMPLES, large_csv

# The browser fixtures of tests/e2e, imported so that pytest finds them here; tests name them as parameters.
from tests.e2e.conftest import Seed, browser, page, seeded_server  # noqa: F401
from tests.factories import TEST_PASSWORD, make_organisation, make_user
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


async def _admin(services: AppServices) -> None:
    await make_organisation(services, "MS", name="Ministerul Sănătății")
    await make_user(services, "ana.admin", role="admin", organisation="MS", display_name="Ana Admin")


def log_in(tab: Page, server: LiveServer) -> None:
    tab.goto(f"{server.url}/login?next=/admin/nomenclature")
    tab.get_by_label("Username").fill("ana.admin")
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab).to_have_url(f"{server.url}/admin/nomenclature")


def test_upload_shows_progress_then_the_preview_then_the_result(
        page: Page, seeded_server: Callable[[Seed], LiveServer], tmp_path: Path) -> None:  # noqa: F811
    server = seeded_server(_admin)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, server)
    big = tmp_path / "mare.csv"
    big.write_bytes(large_csv(hospitals=200, sections=25))
    page.get_by_label("File (CSV or JSON, at most 20 MB)").set_input_files(str(big))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#nomenclature-progress [role=status]")).to_contain_text("Checking the file")
    expect(page.get_by_test_id("counts")).to_contain_text("5000")
    expect(page).to_have_url(f"{server.url}/admin/nomenclature/1")
    page.get_by_role("button", name="Apply these changes").click()
    # 5,000 sections in one transaction: on a loaded machine that takes longer than the default 5 s wait.
    expect(page.get_by_test_id("status")).to_contain_text("Applied", timeout=60_000)
    expect(page.get_by_role("status")).to_contain_text("applied in one transaction")
    assert not errors  # no script or Content-Security-Policy error on the way


def test_problems_appear_in_place_and_a_large_file_is_refused_before_upload(
        page: Page, seeded_server: Callable[[Seed], LiveServer], tmp_path: Path) -> None:  # noqa: F811
    server = seeded_server(_admin)
    log_in(page, server)
    broken = tmp_path / "greșit.csv"
    broken.write_text((EXAMPLES / "nomenclature.csv").read_text().replace(",icu,", ",spa,"), encoding="utf-8")
    page.get_by_label("File (CSV or JSON, at most 20 MB)").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("problems")).to_contain_text("Unknown section type spa.")
    expect(page).to_have_url(f"{server.url}/admin/nomenclature")
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"x" * (20 * 1024 * 1024 + 1))
    page.get_by_label("File (CSV or JSON, at most 20 MB)").set_input_files(str(huge))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The file is larger than 20 MB. Split it or remove what is not needed.")
