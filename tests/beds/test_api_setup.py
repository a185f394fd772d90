"""The world the API tests share: two hospitals, their sections, people of every role, tokens.

It holds no tests; it is named test_* only so that it lives with the API tests it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select, update

from accounts import sessions, tokens
from accounts.models import ApiToken, User
from app.beds.models import Hospital, Section
from app.beds.tokens import BEDS
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.web import csrf_from, log_in

CLIENT_ADDRESS = "10.1.2.3"  # the address of the `client` fixture


@dataclass(frozen=True)
class World:
    hospital_a: int
    hospital_b: int
    a_surgery: int
    a_icu: int
    b_surgery: int
    a_retired: int


async def make_world(services: AppServices) -> World:
    """Hospital H-A (emergency) with surgery, ICU and a retired section; H-B (clinical) with surgery.

    People: op.a and op.b (operators of H-A and H-B), coord (coordinator), auditor, admin (SAMB).
    """
    hospital_a = await make_hospital(services, "H-A", "Spitalul A", hospital_type="emergency")
    hospital_b = await make_hospital(services, "H-B", "Spitalul B", hospital_type="clinical")
    a_surgery = await make_section(services, hospital_a, "Chirurgie A", free_beds=5)
    a_icu = await make_section(services, hospital_a, "ATI A", section_type="icu", free_beds=2, total_beds=10)
    b_surgery = await make_section(services, hospital_b, "Chirurgie B", free_beds=7)
    a_retired = await make_section(services, hospital_a, "Veche A", free_beds=1)
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Section).where(Section.id == a_retired)
                                  .values(retired_at=services.clock.now()))
    await make_user(services, "op.a", role="operator", organisation="H-A")
    await make_user(services, "op.b", role="operator", organisation="H-B")
    await make_user(services, "coord", role="coordinator")
    await make_user(services, "auditor", role="auditor")
    await make_user(services, "admin", role="admin")
    return World(hospital_a, hospital_b, a_surgery, a_icu, b_surgery, a_retired)


async def actor_of(services: AppServices, username: str) -> Actor:
    async with services.session_factory() as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return await sessions.actor_for(session, user, source="web", client_address="10.0.0.1")


async def make_token(services: AppServices, hospital_id: int, name: str) -> str:
    """A raw API token, made by the authority admin (who must exist: see make_world)."""
    async with services.unit_of_work() as uow:
        created = await tokens.create_token(uow, actor=await actor_of(services, "admin"), scope=BEDS, name=name,
                                            organisation_id=hospital_id)
    return created.raw


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


async def session_login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Logs the client in; returns the headers of a session-authenticated API write."""
    await log_in(client, username)
    return {"X-CSRF-Token": await csrf_from(client, "/account")}


async def section_row(services: AppServices, section_id: int) -> Section:
    async with services.session_factory() as session:
        return await session.get_one(Section, section_id)


async def token_row(services: AppServices, name: str) -> ApiToken:
    async with services.session_factory() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.name == name))
        assert row is not None
        return row


async def audit_events(services: AppServices, action: str | None = None) -> list[AuditEvent]:
    async with services.session_factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(await session.scalars(query))


async def audit_count(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def retire_hospital(services: AppServices, hospital_id: int, when: datetime) -> None:
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Hospital).where(Hospital.organisation_id == hospital_id)
                                  .values(retired_at=when))


def change(free_beds: object, expected_version: object = 1, **extra: Any) -> dict[str, Any]:
    return {"free_beds": free_beds, "expected_version": expected_version, **extra}


def free_beds_path(section_id: int | str) -> str:
    return f"/api/v1/sections/{section_id}/free-beds"
