"""The dispatch tests' world: the alert tests' hospitals and people (H-A with surgery 5 free and ICU 2 free,
H-B with surgery 7 free; op.a, op.b, coord, coord2, admin, auditor and another authority's outsider), logged in."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from app.beds.models import SectionType
from app.kit.state import AppServices
from tests.beds.alerts.helpers import People


async def type_id(services: AppServices, code: str) -> int:
    async with services.session_factory() as session:
        found = await session.scalar(select(SectionType.id).where(SectionType.code == code))
    assert found is not None
    return found


def patient(hospital_id: int, section_type_id: int, /, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"hospital_id": hospital_id, "section_type_id": section_type_id, "category": "trauma",
                            "urgency": "urgent", "age_band": "18-64", "flags": ["ventilated"], "eta_minutes": 12,
                            "note": "fall from height, GCS 12"}
    return {**body, **changes}


async def announce(people: People, username: str, body: dict[str, Any]) -> httpx.Response:
    client, headers = people[username]
    return await client.post("/api/v1/announcements", json=body, headers=headers)


async def step(people: People, username: str, announcement_id: int, what: str,
               body: dict[str, Any] | None = None) -> httpx.Response:
    client, headers = people[username]
    return await client.post(f"/api/v1/announcements/{announcement_id}/{what}", json=body, headers=headers)


async def listed(people: People, username: str, query: str = "") -> httpx.Response:
    client, _headers = people[username]
    return await client.get(f"/api/v1/announcements{query}")
