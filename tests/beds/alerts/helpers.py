"""A small world for the alert tests: two hospitals, their sections reported now, and the people who keep rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from app.beds.models import SectionType
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.beds.test_api_setup import World, make_world, session_login
from tests.factories import make_organisation, make_user
from tests.web import BrowserFactory


@dataclass
class People:
    """Logged-in clients, by username, each with the headers of its session's API writes."""

    clients: dict[str, tuple[httpx.AsyncClient, dict[str, str]]]

    def __getitem__(self, username: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
        return self.clients[username]

    async def close(self) -> None:
        for client, _headers in self.clients.values():
            await client.aclose()


async def alert_world(services: AppServices, new_client: BrowserFactory) -> tuple[World, People]:
    """make_world's hospitals and people, plus a second coordinator of SAMB and a coordinator of another authority
    (SMURD-X); every section reported now, so that its beds count (a never-reported section is overdue)."""
    world = await make_world(services)
    await make_user(services, "coord2", role="coordinator")
    await make_organisation(services, "OTHER", "authority")
    await make_user(services, "outsider", role="coordinator", organisation="OTHER")
    people = People({})
    for username in ("op.a", "op.b", "coord", "coord2", "admin", "auditor", "outsider"):
        client = new_client()
        people.clients[username] = (client, await session_login(client, username))
    for section, free in ((world.a_icu, 2), (world.a_surgery, 5), (world.b_surgery, 7)):
        operator = "op.a" if section != world.b_surgery else "op.b"
        await set_free_beds(people, operator, section, free)
    return world, people


async def set_free_beds(people: People, operator: str, section_id: int, free_beds: int) -> dict[str, Any]:
    client, headers = people[operator]
    current = (await client.get(f"/api/v1/sections/{section_id}")).json()
    response = await client.put(f"/api/v1/sections/{section_id}/free-beds", headers=headers,
                                json={"free_beds": free_beds, "expected_version": current["version"],
                                      "reason": "test" if free_beds < 0 else None})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_rule(people: People, username: str, **rule: Any) -> httpx.Response:
    client, headers = people[username]
    return await client.post("/api/v1/alerts/rules", json=rule, headers=headers)


async def open_alerts(people: People, username: str) -> list[dict[str, Any]]:
    client, _headers = people[username]
    response = await client.get("/api/v1/alerts")
    assert response.status_code == 200, response.text
    alerts: list[dict[str, Any]] = response.json()["alerts"]
    return alerts


async def audit_count(services: AppServices, action: str) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action == action)) or 0)


async def icu_type_id(services: AppServices) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
    assert found is not None
    return found
