"""A licence request in a real browser: a bad RUN caught in the form, the officer accepts, the referent is told."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from app.kit.state import AppServices
from tests.e2e.conftest import Seed
from tests.factories import TEST_PASSWORD
from tests.live_server import LiveServer
from tests.provisioning.licence_world import make_licence_world


async def licence_world(services: AppServices) -> None:
    await make_licence_world(services)


def log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login**")


def test_a_referent_corrects_a_bad_run_and_the_officer_accepts(
        page: Page, seeded_server: Callable[[Seed], LiveServer]) -> None:
    server = seeded_server(licence_world)
    log_in(page, server, "ref_a")
    page.get_by_role("link", name="Licence requests").first.click()
    page.get_by_role("link", name="Request licences").click()

    page.get_by_label("Full name, row 1").fill("alba PLAZA santelices")
    page.get_by_label("RUN, row 1").fill("12.345.678-5")
    page.get_by_label("Gender, row 1").select_option("female")
    page.get_by_label("Full name, row 2").fill("juan de la FUENTE rojas")
    page.get_by_label("RUN, row 2").fill("12345678-9")  # the seed's example: its check digit is wrong
    page.get_by_label("Gender, row 2").select_option("male")
    page.get_by_role("button", name="Send the request").click()

    reason = page.get_by_test_id("error-run-2")
    expect(reason).to_contain_text("The check digit does not match the number")
    expect(page.get_by_label("RUN, row 2")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Full name, row 1")).to_have_value("alba PLAZA santelices")  # nothing typed is lost
    page.get_by_label("RUN, row 2").fill("10000013-K")
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_test_id("request-state")).to_have_text("Submitted")
    expect(page.get_by_test_id("collaborators")).to_contain_text("Juan de la Fuente Rojas")
    request_url = page.url.split("?")[0]
    log_out(page)

    log_in(page, server, "officer")
    page.get_by_role("link", name="Licence queue").first.click()
    page.get_by_test_id("licence-requests").get_by_role("link").first.click()
    page.get_by_role("button", name="Accept and create the licences").click()
    expect(page.get_by_test_id("request-state")).to_have_text("In progress")
    log_out(page)

    log_in(page, server, "ref_a")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notifications-link").click()
    expect(page.locator("main")).to_contain_text("was accepted: 2 licences created")
    page.goto(request_url)
    expect(page.get_by_test_id("tasks")).to_contain_text("Generate the access keys to the user's nodes")
