"""An administrator creates an operator and copies the activation link; the operator activates and works."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, expect

from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.factories import TEST_PASSWORD, make_user
from tests.live_server import LiveServer

CHOSEN = "my own long passphrase here"


async def admin_and_hospitals(services: AppServices) -> None:
    await make_user(services, "admin.samb", role="admin", display_name="Admin SAMB")
    await make_hospital(services, "H-B", "Spitalul Demo B")
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    await make_section(services, hospital, "ATI", section_type="icu", total_beds=12, free_beds=2)


def test_an_admin_creates_an_operator_who_activates_the_account(
        browser: Browser, seeded_server: Callable[[Seed], LiveServer]) -> None:
    server = seeded_server(admin_and_hospitals)
    admin_context = browser.new_context(locale="en-GB", permissions=["clipboard-read", "clipboard-write"])
    admin = admin_context.new_page()
    admin.goto(f"{server.url}/login")
    admin.get_by_label("Username").fill("admin.samb")
    admin.get_by_label("Password").fill(TEST_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("navigation").get_by_role("link", name="Users").click()
    admin.get_by_role("link", name="New user").click()
    hospital = admin.get_by_label("Hospital (operators only)")
    expect(hospital).to_be_hidden()  # only operators name a hospital
    admin.get_by_label("Name", exact=True).fill("Maria Ionescu")
    admin.get_by_label("Username").fill("maria.ionescu")
    admin.get_by_label("Role", exact=True).select_option("operator")
    expect(hospital).to_be_visible()
    hospital.select_option(label="Spitalul Demo A")
    admin.get_by_role("button", name="Create user").click()
    shown = admin.get_by_test_id("activation-link").input_value()
    assert shown.startswith(f"{server.url}/activate/")
    admin.get_by_role("button", name="Copy").click()
    expect(admin.get_by_role("button", name="Copied")).to_be_visible()
    link = admin.evaluate("navigator.clipboard.readText()")
    assert link == shown
    admin_context.close()

    operator_context = browser.new_context(locale="en-GB")
    operator = operator_context.new_page()
    operator.goto(link)
    operator.get_by_label("New password", exact=True).fill(CHOSEN)
    operator.get_by_label("New password again").fill(CHOSEN)
    operator.get_by_role("button", name="Set password").click()
    expect(operator.get_by_role("status")).to_contain_text("maria.ionescu")
    operator.get_by_role("link", name="Log in").click()
    operator.get_by_label("Username").fill("maria.ionescu")
    operator.get_by_label("Password").fill(CHOSEN)
    operator.get_by_role("button", name="Log in").click()
    operator.wait_for_url(f"{server.url}/operator")
    expect(operator.get_by_test_id("who")).to_contain_text("Spitalul Demo A")
    operator.goto(link)
    expect(operator.get_by_text("This link no longer works")).to_be_visible()
    operator_context.close()
