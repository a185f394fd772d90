from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD
from tests.live_server import LiveServer


def test_log_in_see_who_you_are_and_log_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account")
    expect(page).to_have_url(f"{live_server.url}/login?next=/account")

    page.get_by_label("Username").fill("ana.pop")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value("ana.pop")

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/account")
    who = page.get_by_test_id("who")
    expect(who).to_contain_text("Ana Pop")
    expect(who).to_contain_text("Serviciul de Ambulanță București-Ilfov")
    box = who.bounding_box()
    assert box is not None
    assert box["x"] > 1366 / 2
    assert box["y"] < 80

    who.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto(f"{live_server.url}/account")
    expect(page).to_have_url(f"{live_server.url}/login?next=/account")
