"""Many audit events fast: the chain computed here exactly as ``app.kit.audit.record`` does, then bulk-inserted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from app.kit.audit import AuditEvent, AuditHead
from app.kit.state import AppServices

COLUMNS = ("seq", "at", "actor", "actor_id", "organisation", "action", "object_type", "object_id", "before",
           "after", "source", "client_address", "prev_hash", "hash")


@dataclass(frozen=True)
class Change:
    at: datetime
    section_id: int
    hospital_id: int
    free_beds: int
    actor: str = "op.one"
    source: str = "web"


async def insert_changes(services: AppServices, changes: Sequence[Change], batch: int = 5000) -> None:
    """Appends one ``beds.free_beds_set`` per change (versions and old values follow on per section)."""
    async with services.unit_of_work() as uow:
        head = (await uow.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())).scalar_one()
        seq, prev_hash = head.seq, head.hash
        state: dict[int, tuple[int, int]] = {}
        rows: list[dict[str, object]] = []
        for change in changes:
            old_value, version = state.get(change.section_id, (0, 1))
            seq += 1
            event = AuditEvent(
                seq=seq, at=change.at, actor=change.actor, actor_id=None, organisation=None,
                action="beds.free_beds_set", object_type="section", object_id=str(change.section_id),
                before={"free_beds": old_value, "version": version},
                after={"free_beds": change.free_beds, "version": version + 1, "hospital_id": change.hospital_id},
                source=change.source, client_address="10.0.0.1", prev_hash=prev_hash)
            event.hash = event.computed_hash()
            prev_hash = event.hash
            state[change.section_id] = (change.free_beds, version + 1)
            rows.append({column: getattr(event, column) for column in COLUMNS})
            if len(rows) >= batch:
                await uow.session.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            await uow.session.execute(insert(AuditEvent), rows)
        head.seq, head.hash = seq, prev_hash


def spaced(start: datetime, count: int, step: timedelta = timedelta(minutes=1)) -> list[datetime]:
    return [start + step * index for index in range(count)]
