"""The live board's script says an age in the reader's language with the catalogue's plural forms.

The script counts the age up by itself; it picks each unit's form by the browser's CLDR plural category
(``Intl.PluralRules``) among the forms the server took from the catalogue, so Romanian's three forms reach it
without a plural rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from accounts.models import User
from app.kit.i18n import format_moment
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.e2e.conftest import Seed
from tests.e2e.test_board_browser import log_in
from tests.factories import make_user
from tests.live_server import LiveServer

UPDATED: list[datetime] = []


async def a_stale_section_and_a_romanian_coordinator(services: AppServices) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul Demo A")
    # A few seconds past the minute, so that the page is read well inside it.
    UPDATED[:] = [datetime.now(UTC) - timedelta(days=1, hours=2, minutes=20, seconds=3)]
    await make_section(services, hospital, "Chirurgie", total_beds=40, free_beds=9, updated_by="op.a",
                       updated_at=UPDATED[0])
    await make_user(services, "coord", role="coordinator", display_name="Coordonator")
    async with services.unit_of_work() as uow:
        user = (await uow.session.scalars(select(User).where(User.username == "coord"))).one()
        user.language = "ro"


def test_the_board_says_an_age_with_each_romanian_plural_form(
    browser: Browser, seeded_server: Callable[[Seed], LiveServer]
) -> None:
    server = seeded_server(a_stale_section_and_a_romanian_coordinator)
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, server, "coord")
    expect(page).to_have_url(f"{server.url}/board")

    stale = page.locator("tr.section", has=page.locator("th.name", has_text="Chirurgie"))
    expect(stale.locator(".age")).to_have_text("Neactualizat de 1 zi, 2 ore, 20 de minute")
    # The script writes the moment as the server's pages do (Babel), from the same CLDR data.
    shown = format_moment(UPDATED[0], ZoneInfo("Europe/Bucharest"), "ro")
    expect(stale.locator(".when")).to_have_text(f"modificat la {shown} de op.a")
