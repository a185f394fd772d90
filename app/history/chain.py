"""Whether the audit chain held when last checked from the History page (per process, kept in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from app.kit import audit

STATE_ATTRIBUTE = "history_chain_check"


@dataclass(frozen=True)
class ChainCheck:
    checked_at: datetime
    result: audit.Verification


def last_check(app: Starlette) -> ChainCheck | None:
    found: ChainCheck | None = getattr(app.state, STATE_ATTRIBUTE, None)
    return found


async def run_check(app: Starlette, session: AsyncSession, now: datetime) -> ChainCheck:
    check = ChainCheck(checked_at=now, result=await audit.verify(session))
    setattr(app.state, STATE_ATTRIBUTE, check)
    return check
