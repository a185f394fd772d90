"""What a refused attempt must leave alone: every row of every domain table, and every audit event that is not a
refusal. Taken before and after the attempt (after logging in, which writes its own rows) and compared whole."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select

import app.main  # noqa: F401  every domain's tables are registered on Base.metadata
from app.kit.audit import AuditEvent
from app.kit.db import Base
from app.kit.state import AppServices

REFUSED: Final = "accounts.authorization_refused"
# Written by logging in, sessions and refusals themselves, not by the domain: left out of the comparison.
NOT_DOMAIN: Final = frozenset({"activation_tokens", "audit_events", "audit_head", "auth_sessions", "login_failures",
                               "login_locks", "login_throttle_keys", "users", "user_roles"})

Snapshot = dict[str, list[str]]


async def domain_rows(services: AppServices) -> Snapshot:
    found: Snapshot = {}
    async with services.session_factory() as session:
        for name, table in sorted(Base.metadata.tables.items()):
            if name in NOT_DOMAIN:
                continue
            found[name] = sorted(repr(tuple(row)) for row in (await session.execute(select(table))).all())
        events = await session.execute(select(AuditEvent.seq, AuditEvent.action, AuditEvent.object_id)
                                       .where(AuditEvent.action != REFUSED).order_by(AuditEvent.seq))
        found["audit_events"] = [repr(tuple(row)) for row in events.all()]
    return found


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


async def refusals_by(services: AppServices, username: str) -> int:
    """Audited refusals of one person (possibly several attempts in one event, when repeats are aggregated)."""
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == REFUSED, AuditEvent.actor == username)) or 0)
