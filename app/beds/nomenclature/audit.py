"""Audit events of an import, written as one batch that extends the hash chain exactly as ``audit.record``.

An import of 10,000 sections writes one event per section so that an auditor can see when a section's
approved total changed. ``audit.record`` locks the chain head and flushes once per event; for a whole
import that is tens of thousands of round trips, so the head is locked once here, the chain computed with
the same ``AuditEvent.computed_hash`` and the rows inserted with one executemany.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.nomenclature.apply import AuditEntry
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now

COLUMNS = ("seq", "at", "actor", "actor_id", "organisation", "action", "object_type", "object_id", "before",
           "after", "source", "client_address", "prev_hash", "hash")


def _json(values: Mapping[str, object] | None) -> dict[str, Any] | None:
    # The same round trip as audit.record: the value hashed now is the value verify re-reads later.
    if values is None:
        return None
    loaded: dict[str, Any] = json.loads(audit.canonical_json(dict(values)))
    if audit.FORBIDDEN_KEYS.intersection(loaded):
        raise ValueError(f"secret fields may not be audited: {sorted(audit.FORBIDDEN_KEYS.intersection(loaded))}")
    return loaded


def _chain(actor: Actor, entries: Sequence[AuditEntry], head: audit.ChainHead, now: datetime
           ) -> list[dict[str, Any]]:
    """The rows to insert, each hashed onto the one before it, starting from the current head."""
    seq, prev_hash = head.seq, head.hash
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        event = audit.AuditEvent(
            seq=seq, at=now, actor=actor.username, actor_id=actor.user_id, organisation=actor.organisation_code,
            action=entry.action, object_type=entry.object_type, object_id=str(entry.object_id),
            before=_json(entry.before), after=_json(entry.after), source=actor.source,
            client_address=actor.client_address, prev_hash=prev_hash)
        event.hash = prev_hash = event.computed_hash()
        rows.append({column: getattr(event, column) for column in COLUMNS})
    return rows


async def record_all(session: AsyncSession, *, actor: Actor, entries: Sequence[AuditEntry]) -> list[int]:
    """Appends the entries, in order, to the chain in the caller's transaction; returns their sequence numbers."""
    if not entries:
        return []
    # populate_existing: ``audit.record`` moves the head with Core statements, which a row this session loaded
    # before would not show.
    head = (await session.execute(
        select(audit.AuditHead).where(audit.AuditHead.id == 1).with_for_update()
        .execution_options(populate_existing=True))).scalar_one()
    # Hashing 10,000 events takes a few tenths of a second: off the event loop.
    rows = await asyncio.to_thread(_chain, actor, entries, audit.ChainHead(head.seq, head.hash),
                                   session_now(session))
    await session.execute(insert(audit.AuditEvent), rows)
    head.seq, head.hash = rows[-1]["seq"], rows[-1]["hash"]
    await session.flush()
    return [row["seq"] for row in rows]
