"""The rules' revision (``alert_rules_revision``): moved by every transaction that changes a rule, read by each
evaluation to know whether the rules it keeps are still the database's."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.alerts.models import AlertRulesRevision


async def bump(session: AsyncSession) -> None:
    await session.execute(update(AlertRulesRevision).where(AlertRulesRevision.id == 1)
                          .values(revision=AlertRulesRevision.revision + 1))


async def current(session: AsyncSession) -> int:
    return int(await session.scalar(select(AlertRulesRevision.revision).where(AlertRulesRevision.id == 1)) or 0)
