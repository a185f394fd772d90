"""Pages in the reader's language through the gettext catalogues: CLDR plural forms and Babel's dates.

Romanian has three plural forms (1 zi, 2 zile, 20 de zile): the operator's stale warning counts days, hours and
minutes, one of each form. Times are in the organisation's zone (Europe/Bucharest in the tests), with the month by
name and a 24-hour clock in every language.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from accounts.models import User
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications import notify as notifications
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.web import log_in

MESSAGE = "The password must have at least {min} characters."  # any message with a text in every catalogue


async def speaking(services: AppServices, username: str, language: str) -> None:
    async with services.unit_of_work() as uow:
        user = (await uow.session.scalars(select(User).where(User.username == username))).one()
        user.language = language


async def test_a_romanian_operator_reads_each_plural_form_and_a_babel_time(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    await make_section(services, hospital, "Chirurgie", total_beds=6, free_beds=1, updated_by="ion",
                       updated_at=clock.now() - timedelta(days=1, hours=2, minutes=20))
    await make_user(services, "op.a", role="operator", organisation="H-A")
    await speaking(services, "op.a", "ro")
    await log_in(client, "op.a")

    page = (await client.get("/operator")).text

    assert "Neactualizat de 1 zi, 2 ore, 20 de minute" in page  # one, few, other
    # 2026-03-13 00:52 UTC is 02:52 in Bucharest: Romanian's medium date, a 24-hour time.
    assert "modificat la 13 mar. 2026, 02:52 de ion" in page


async def test_english_pages_keep_a_24_hour_clock(client: httpx.AsyncClient, services: AppServices,
                                                  clock: ManualClock) -> None:
    hospital = await make_hospital(services, "H-A", "Spitalul A")
    await make_section(services, hospital, "Chirurgie", total_beds=6, free_beds=1, updated_by="ion",
                       updated_at=clock.now() - timedelta(days=20, hours=1, minutes=2))
    await make_user(services, "op.a", role="operator", organisation="H-A")
    await log_in(client, "op.a")

    page = (await client.get("/operator")).text

    assert "Not updated for 20 days, 1 hour, 2 minutes" in page
    assert "changed Feb 22, 2026, 04:10 by ion" in page  # 02:10 UTC; not "4:10 AM"


async def test_a_swedish_reader_sees_a_babel_time_on_the_notifications_page(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    user = await make_user(services, "sara.berg", role="coordinator")
    await speaking(services, "sara.berg", "sv")
    async with services.unit_of_work() as uow:
        await notifications.notify(uow.session, recipients=[await uow.session.get_one(User, user.id)],
                                   message=MESSAGE, params={"min": 12}, link=None)
    await log_in(client, "sara.berg")

    page = (await client.get("/notifications")).text

    assert "Lösenordet måste ha minst 12 tecken." in page
    # 03:12 UTC is 05:12 in Bucharest; Swedish writes the month by name and joins date and time with a space.
    assert "14 mars 2026 05:12" in page
