"""The history page shows why a count was set below zero, as the operator gave it."""

from __future__ import annotations

import re

import httpx

from app.beds import service
from app.kit.actors import Actor
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.web import log_in


async def test_a_negative_count_shows_its_reason(client: httpx.AsyncClient, services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD")
    section = await make_section(services, hospital, "ATI", free_beds=1)
    operator = Actor(username="op.one", source="web", user_id=900, organisation_id=hospital,
                     organisation_code="NORD", organisation_kind="hospital", roles=frozenset({"operator"}))
    async with services.unit_of_work() as uow:
        await service.set_free_beds(uow, actor=operator, section_id=section, free_beds=-2, expected_version=1,
                                    reason="Doi pacienți pe targă în hol")
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    page = await client.get("/audit")
    row = re.search(r'<tr data-seq="\d+">(.*?)</tr>', page.text, re.DOTALL)
    assert row
    assert ">-2<" in row.group(1)
    assert "Doi pacienți pe targă în hol" in row.group(1)
    assert "changed" in row.group(1)
