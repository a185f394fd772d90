"""The append-only, hash-chained audit log that every domain writes to.

Each event takes the next number of one commit-ordered sequence: the single ``audit_head`` row is
locked ``FOR UPDATE`` inside the writing transaction, so two transactions can never hold the same
number, numbers are gapless, and the order of numbers is the order of commits. The same lock gives
the hash chain its order: ``hash = sha256(prev_hash + canonical JSON of the event)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, bindparam, cast, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.actors import Actor
from app.kit.db import Base, UTCDateTime, canonical_json, session_now

GENESIS_HASH = "0" * 64
# Keys that must never reach the log, whatever a caller passes in before/after.
FORBIDDEN_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})

JsonObject = Mapping[str, Any]


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # History of one section (its chart, the board as it was, filters by hospital) reads by object.
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organisation: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10))
    client_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def canonical(self) -> str:
        return canonical_json(
            {
                "seq": self.seq,
                "at": self.at.isoformat(),
                "actor": self.actor,
                "actor_id": self.actor_id,
                "organisation": self.organisation,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "before": self.before,
                "after": self.after,
                "source": self.source,
                "client_address": self.client_address,
            }
        )

    def computed_hash(self) -> str:
        return chain_hash(self.prev_hash, self.canonical())


class AuditHead(Base):
    """One row: the last sequence number and hash. Locking it orders every audited write."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


_HEAD = AuditHead.metadata.tables["audit_head"]
# Locks the head (an UPDATE takes the row lock SELECT ... FOR UPDATE took) and reads it in one statement: the new
# seq, and the hash, which this statement leaves as it was: the previous event's. Core statements built once: the
# ORM's load of the head row and its flush cost more CPU than their round trips (bench/write_path.py).
_TAKE_SEQS = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + bindparam("count"))
              .returning(_HEAD.c.seq, _HEAD.c.hash))
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("head_hash"))

__all__ = ["canonical_json"]  # the hashed form, which the database also stores (app/kit/db.py)


def chain_hash(prev_hash: str, canonical_event: str) -> str:
    return hashlib.sha256((prev_hash + canonical_event).encode()).hexdigest()


def _checked(values: JsonObject | None) -> dict[str, Any] | None:
    if values is None:
        return None
    leaked = FORBIDDEN_KEYS.intersection(values)
    if leaked:
        raise ValueError(f"secret fields may not be audited: {sorted(leaked)}")
    # A JSON round trip fixes the exact value that is hashed now and re-read by verify later.
    loaded: dict[str, Any] = json.loads(canonical_json(dict(values)))
    return loaded


@dataclass(frozen=True)
class Entry:
    """One event to append (``record_many``)."""

    actor: Actor
    action: str
    object_type: str | None = None
    object_id: object = None
    before: JsonObject | None = None
    after: JsonObject | None = None


async def record_many(session: AsyncSession, entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append the events, in order, in the caller's transaction, and return them (with their sequence numbers).

    Three statements whatever their number: the head moved by all of them at once (locked until the commit), the
    events inserted, the head's hash. The group commit of free-bed writes appends its batch's events together, so
    that the chain's head, which every audited write of every process waits for, is held for those three and the
    commit only, not for the statements of every write of the batch."""
    if not entries:
        return []
    last_seq, prev_hash = (await session.execute(_TAKE_SEQS, {"count": len(entries)})).one()
    at = session_now(session)
    events = []
    for seq, entry in enumerate(entries, start=last_seq - len(entries) + 1):
        actor = entry.actor
        event = AuditEvent(
            seq=seq,
            at=at,
            actor=actor.username,
            actor_id=actor.user_id,
            organisation=actor.organisation_code,
            action=entry.action,
            object_type=entry.object_type,
            object_id=None if entry.object_id is None else str(entry.object_id),
            before=_checked(entry.before),
            after=_checked(entry.after),
            source=actor.source,
            client_address=actor.client_address,
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event.computed_hash()
        events.append(event)
    session.add_all(events)  # ORM objects, so that the app's metrics see them (app/kit/metrics.py: watch_audit)
    await session.execute(_SET_HEAD_HASH, {"head_hash": prev_hash})  # its autoflush inserts the events first
    return events


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    object_type: str | None = None,
    object_id: object = None,
    before: JsonObject | None = None,
    after: JsonObject | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction and return it (with its sequence number)."""
    events = await record_many(session, [Entry(actor, action, object_type, object_id, before, after)])
    return events[0]


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        seq, _, digest = text.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise ValueError("a head is written SEQ:HASH, as printed by 'bedboard audit head'")
        return cls(int(seq), digest.lower())


@dataclass(frozen=True)
class Verification:
    count: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


async def head(session: AsyncSession) -> ChainHead:
    # Columns, not the ORM row: ``record`` moves the head with Core statements, which a loaded row would not see.
    seq, digest = (await session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))).one()
    return ChainHead(seq, digest)


# What verify reads of a row, in the order ``_stored_canonical`` unpacks it. ``before`` and ``after`` are read
# as the text the database holds (CAST AS TEXT keeps a PostgreSQL ``json`` value's text as it was written),
# not decoded: decoding and re-encoding them was most of verify's time (see ``verify``).
_VERIFIED = (AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.actor_id, AuditEvent.organisation,
             AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, cast(AuditEvent.before, Text),
             cast(AuditEvent.after, Text), AuditEvent.source, AuditEvent.client_address, AuditEvent.prev_hash,
             AuditEvent.hash)
_quoted = encode_basestring  # how the canonical encoder (ensure_ascii=False) writes a string


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else _quoted(value)


def _stored_canonical(row: Sequence[Any]) -> str:
    """The canonical JSON of a row, its before/after taken as stored: the keys in ``canonical_json``'s sorted
    order, each value as its encoder writes it. When the stored text of before/after is canonical (every JSON
    column stores it so, app/kit/db.py's ``json_serializer``; rows written before that hold ``json.dumps``'s
    spacing) this is exactly the text that was hashed; otherwise the hash will not match and ``_holds`` decodes.
    """
    seq, at, actor, actor_id, organisation, action, object_type, object_id, before, after, source, address = row[:12]
    return (f'{{"action":{_text_or_null(action)},"actor":{_text_or_null(actor)},'
            f'"actor_id":{"null" if actor_id is None else int(actor_id)},"after":{after or "null"},'
            f'"at":{_quoted(at.isoformat())},"before":{before or "null"},"client_address":{_text_or_null(address)},'
            f'"object_id":{_text_or_null(object_id)},"object_type":{_text_or_null(object_type)},'
            f'"organisation":{_text_or_null(organisation)},"seq":{seq},"source":{_text_or_null(source)}}}')


def _decoded_canonical(row: Sequence[Any]) -> str:
    """The canonical JSON as ``AuditEvent.canonical`` builds it, before/after decoded and re-encoded."""
    seq, at, actor, actor_id, organisation, action, object_type, object_id, before, after, source, address = row[:12]
    return canonical_json({
        "seq": seq, "at": at.isoformat(), "actor": actor, "actor_id": actor_id, "organisation": organisation,
        "action": action, "object_type": object_type, "object_id": object_id,
        "before": None if before is None else json.loads(before),
        "after": None if after is None else json.loads(after), "source": source, "client_address": address})


def _holds(row: Sequence[Any]) -> bool:
    """Whether a row's content matches its hash. The stored text is tried first unless it shows ``json.dumps``'s
    spacing ('": '): a match proves the content, since every other value is written by the JSON string encoder
    (no bare quote inside), so ``,"at":"...","before":`` and its like occur once and cut the hashed text into the
    same fields; a mismatch is decided by the decoded values, as before."""
    prev_hash: str = row[12]
    stored_hash: str = row[13]
    stored_text = (row[8] or "") + (row[9] or "")
    if '": ' not in stored_text and chain_hash(prev_hash, _stored_canonical(row)) == stored_hash:
        return True
    return chain_hash(prev_hash, _decoded_canonical(row)) == stored_hash


async def verify(session: AsyncSession, kept_head: ChainHead | None = None) -> Verification:
    """Walk the whole chain in order and name the first row that does not hold.

    Plain rows read 2,000 at a time and before/after hashed from their stored text: ORM objects and the JSON
    decoded and re-encoded per event ran at 8,300 events/s against 33,000 for the same checks on bare asyncpg
    rows (bench/history_verify.py, 200,000 generated events on PostgreSQL, load average 7 on 2 cores).
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    kept_seen = False
    result = await session.stream(select(*_VERIFIED).order_by(AuditEvent.seq).execution_options(yield_per=2000))
    async for rows in result.partitions():
        for row in rows:
            seq = row[0]
            if seq != expected_seq:
                return Verification(count, expected_seq, f"event {expected_seq} is missing")
            if row[12] != prev_hash:
                return Verification(count, seq, "its previous hash does not match the event before it")
            if not _holds(row):
                return Verification(count, seq, "its content does not match its hash")
            if kept_head is not None and seq == kept_head.seq:
                if row[13] != kept_head.hash:
                    return Verification(count, seq, "it differs from the kept head")
                kept_seen = True
            prev_hash, expected_seq, count = row[13], expected_seq + 1, count + 1
    if kept_head is not None and not kept_seen and kept_head.seq > 0:
        return Verification(count, expected_seq, f"the chain ends before the kept head {kept_head.seq}")
    stored = await head(session)
    if stored.seq != count or stored.hash != prev_hash:
        return Verification(count, expected_seq, f"the chain ends at {count} but the head says {stored.seq}")
    return Verification(count)
