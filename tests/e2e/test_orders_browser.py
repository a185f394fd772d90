"""An end-user order in a real browser (seed 002): the IT contact opens it from the person's page with the answers
the access register gives, works the cancellations, and sees the directory record unlock only after the last one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from app.kit.state import AppServices
from app.provisioning.orders import order_queries, working
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order
from tests.e2e.conftest import Seed
from tests.e2e.test_licence_browser import log_in
from tests.live_server import LiveServer
from tests.provisioning.orders.orders_world import actor, make_orders_world

PERSON = "Olof Lind"
CANCELLATIONS = ("rsvpn", "websesam", "auditbase")


async def olof_has_his_systems(services: AppServices) -> None:
    """Olof, a prescriber at the Lund clinic without WebPriva, got every system through a done new-user order."""
    await make_orders_world(services)
    lund = await actor(services, "it.lund")
    async with services.unit_of_work() as uow:
        placed = await place_order(uow, actor=lund, draft=OrderDraft(
            "skane_audiology", "new_user",
            {"clinics": ["Hörselmottagningen Lund"], "profession": "prescriber", "needs_webpriva_read": False},
            date.today() + timedelta(days=1), new_person=NewPerson(PERSON)))  # a date passed is refused
    while True:
        async with services.session_factory() as session:
            view = await order_queries.order_view(session, lund, placed.request_id, services.clock.now())
        ready = [line for line in view.lines if "complete" in line.actions]
        if not ready:
            return
        async with services.unit_of_work() as uow:
            await working.act_on_task(uow, actor=lund, request_id=placed.request_id, task_key=ready[0].task.key,
                                      action="complete")


def task(page: Page, key: str) -> Locator:
    return page.locator(f'[data-testid="task"][data-key="{key}"]')


def test_the_directory_record_unlocks_only_after_the_last_cancellation(
        page: Page, seeded_server: Callable[[Seed], LiveServer]) -> None:
    server = seeded_server(olof_has_his_systems)
    log_in(page, server, "it.lund")
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("link", name=PERSON).click()
    page.get_by_role("link", name="Avsluta användare").click()
    # The register answered what he had: the clinic, the profession, Auditbase yes and WebPriva no.
    expect(page.get_by_label("Förskrivare (annan än audionom)")).to_be_checked()
    page.get_by_label("Date the change takes effect").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Place the order").click()

    directory = task(page, "skat")
    expect(directory.get_by_test_id("task-waits")).to_contain_text("RSVPN")
    expect(directory.get_by_role("button", name="Done")).to_have_count(0)
    for key in CANCELLATIONS:
        expect(directory.get_by_role("button", name="Done")).to_have_count(0)
        task(page, key).get_by_role("button", name="Done").click()
        expect(task(page, key).get_by_test_id("task-state")).to_have_text("Done")
    expect(directory.get_by_test_id("task-waits")).to_have_count(0)
    directory.get_by_role("button", name="Done").click()
    expect(directory.get_by_test_id("task-state")).to_have_text("Done")
    task(page, "e_card").get_by_role("button", name="Done").click()
    expect(task(page, "e_card").get_by_test_id("task-state")).to_have_text("Done")

    page.get_by_role("link", name="The person's page").click()
    expect(page.get_by_test_id("register-empty")).to_be_visible()
