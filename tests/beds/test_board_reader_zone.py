"""The board writes its times (a change's moment, an admission status's expiry) in the reader's organisation's zone
(issue 21: "until 18:30" must be the reader's 18:30), the installation's when the organisation has none."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import update

from accounts.models import Organisation
from app.kit.state import AppServices
from tests.factories import make_organisation, make_user
from tests.web import BrowserFactory, log_in


def board_zone(page: str) -> str:
    found = re.search(r'<section id="board"[^>]* data-timezone="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


async def test_the_board_reads_times_in_the_readers_zone_else_the_installations(
        client: httpx.AsyncClient, new_client: BrowserFactory, services: AppServices) -> None:
    await make_organisation(services, "SAJ-CH", name="Serviciul de Ambulanță Chișinău")
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Organisation).where(Organisation.code == "SAJ-CH")
                                  .values(timezone="Europe/Chisinau"))
    await make_user(services, "coord.ch", organisation="SAJ-CH")
    await make_user(services, "coord.b", organisation="SAMB")

    await log_in(client, "coord.ch")
    assert board_zone((await client.get("/board")).text) == "Europe/Chisinau"
    async with new_client() as other:
        await log_in(other, "coord.b")
        assert board_zone((await other.get("/board")).text) == services.settings.timezone == "Europe/Bucharest"
