"""Competence roles in a real browser: the nearest manager gives one; the employee's login tickets show the new
unit + role choice, and picking it says where they would log in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from app.kit.state import AppServices
from app.provisioning.roles import assigning
from tests.e2e.conftest import Seed
from tests.e2e.test_licence_browser import log_in, log_out
from tests.live_server import LiveServer
from tests.provisioning.roles_world import HSA_WARD, NURSE, actor, make_roles_world


async def roles_world(services: AppServices) -> None:
    """Anna has an active assignment on the ward (made by IT support) and no competence role yet."""
    world = await make_roles_world(services)
    async with services.unit_of_work() as uow:
        request = await assigning.request_assignment(
            uow, actor=await actor(services, "mgr.ward"), employee_id=world.employee_id,
            care_area_id=world.cardiology, unit_ids=[world.ward], valid_from=date.today() - timedelta(days=30),
            valid_to=None, systems=["Clinic24"])
    support = await actor(services, "it.support")
    async with services.unit_of_work() as uow:
        await assigning.accept_for_support(uow, actor=support, request_id=request.id)
    async with services.unit_of_work() as uow:
        await assigning.complete_creation(uow, actor=support, request_id=request.id)


def test_a_manager_gives_a_role_and_the_employee_can_log_in_with_it(
        page: Page, seeded_server: Callable[[Seed], LiveServer]) -> None:
    server = seeded_server(roles_world)
    log_in(page, server, "anna")
    page.get_by_role("link", name="Login tickets").first.click()
    expect(page.get_by_test_id("no-choices")).to_be_visible()
    expect(page.get_by_test_id("ticket-gaps")).to_contain_text("No competence role")
    log_out(page)

    log_in(page, server, "mgr.ward")
    page.get_by_role("link", name="My staff").first.click()
    page.get_by_test_id("staff").get_by_role("link", name="Anna Berg").click()
    page.get_by_label("Competence role to give").select_option(label=NURSE)
    page.get_by_role("button", name="Give the role").click()
    expect(page.locator("main")).to_contain_text("The competence role is given.")
    expect(page.get_by_test_id("held-roles")).to_contain_text(NURSE)
    log_out(page)

    log_in(page, server, "anna")
    page.get_by_role("link", name="Login tickets").first.click()
    choices = page.get_by_test_id("ticket-choices")
    expect(choices).to_contain_text("KARD-AVD name")
    expect(choices).to_contain_text(NURSE)
    page.get_by_label(NURSE).check()
    page.get_by_role("button", name="Log in with this choice").click()
    expect(page.get_by_test_id("chosen")).to_have_text(f"You would log in to KARD-AVD name ({HSA_WARD}) as {NURSE}.")
