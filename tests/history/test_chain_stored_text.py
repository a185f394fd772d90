"""``audit.verify`` hashes before/after from the text the database holds when that text is canonical (the
app's own events and the bench's million are stored so), and decodes them otherwise (rows stored with
``json.dumps``'s spacing by earlier versions): both kinds of row verify, and an edit to either is named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork

ACTOR = Actor(username="ana", source="web", user_id=7, organisation_code="SAMB", client_address="10.0.0.5")
INSERT = ("INSERT INTO audit_events (seq, at, actor, actor_id, organisation, action, object_type, object_id, "
          "before, after, source, client_address, prev_hash, hash) VALUES (:seq, :at, 'op, \"x\"', NULL, NULL, "
          "'beds.free_beds_set', 'section', '4', {before}, {after}, 'api', NULL, :prev_hash, :hash)")


async def _append_canonical(engine: AsyncEngine, values: list[tuple[dict[str, object], dict[str, object]]]) -> None:
    """Events whose before/after are stored as their canonical text, as bench/history_data.py loads them."""
    cast = "CAST({} AS json)" if engine.dialect.name == "postgresql" else "{}"
    statement = text(INSERT.format(before=cast.format(":before"), after=cast.format(":after")))
    async with engine.begin() as connection:
        seq, prev_hash = (await connection.execute(text("SELECT seq, hash FROM audit_head"))).one()
        for before, after in values:
            seq += 1
            at = datetime(2026, 3, 1, 12, seq % 60, 30, 250_000, tzinfo=UTC)
            canonical = audit.canonical_json({
                "seq": seq, "at": at.isoformat(), "actor": 'op, "x"', "actor_id": None, "organisation": None,
                "action": "beds.free_beds_set", "object_type": "section", "object_id": "4", "before": before,
                "after": after, "source": "api", "client_address": None})
            digest = audit.chain_hash(prev_hash, canonical)
            at_value = at if engine.dialect.name == "postgresql" else at.replace(tzinfo=None)
            await connection.execute(statement, {
                "seq": seq, "at": at_value, "before": audit.canonical_json(before),
                "after": audit.canonical_json(after), "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
        await connection.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"),
                                 {"seq": seq, "hash": prev_hash})


async def _edit(engine: AsyncEngine, seq: int, after: str) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await connection.execute(text("UPDATE audit_events SET after = CAST(:after AS json) WHERE seq = :seq"),
                                     {"after": after, "seq": seq})
        else:
            await connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            await connection.execute(text("UPDATE audit_events SET after = :after WHERE seq = :seq"),
                                     {"after": after, "seq": seq})


async def _verify(session_factory: async_sessionmaker[AsyncSession]) -> audit.Verification:
    async with session_factory() as session:
        return await audit.verify(session)


async def test_rows_stored_either_way_verify_and_an_edit_is_named(
        unit_of_work: Callable[[], UnitOfWork], session_factory: async_sessionmaker[AsyncSession],
        engine: AsyncEngine) -> None:
    async with unit_of_work() as uow:  # the app's own row
        await audit.record(uow.session, actor=ACTOR, action="beds.free_beds_set", object_type="section",
                           object_id=4, before={"free_beds": 2, "reason": "Secția „ATI”, 2"},
                           after={"free_beds": 3, "version": 2})
    written = (await _verify(session_factory)).count
    await _append_canonical(engine, [({"free_beds": 3, "note": "a \"quoted\": text, é"}, {"free_beds": 5}),
                                     ({}, {"free_beds": 6, "version": 4, "nested": {"b": [1, 2.5], "a": None}})])
    assert await _verify(session_factory) == audit.Verification(written + 2)

    # The same value written with other spacing is the same content: it still holds (decoded, not as text).
    await _edit(engine, written + 1, '{"free_beds": 5}')
    assert await _verify(session_factory) == audit.Verification(written + 2)

    # Another number, written canonically, is an edit, named by its sequence number.
    await _edit(engine, written + 2, '{"free_beds":7,"nested":{"a":null,"b":[1,2.5]},"version":4}')
    assert await _verify(session_factory) == audit.Verification(
        written + 1, written + 2, "its content does not match its hash")


async def test_the_apps_own_events_are_stored_as_their_canonical_text(
        unit_of_work: Callable[[], UnitOfWork], engine: AsyncEngine) -> None:
    """Every JSON column stores the canonical text (app/kit/db.py's json_serializer), so the app's own events take
    verify's and the CSV export's fast paths, not only the bench's: what the database holds is, byte for byte, what
    the chain hashed."""
    before, after = {"reason": "Secția „ATI”, 2", "free_beds": 2}, {"version": 2, "free_beds": 3}
    async with unit_of_work() as uow:
        await audit.record(uow.session, actor=ACTOR, action="beds.free_beds_set", object_type="section",
                           object_id=4, before=before, after=after)
    async with engine.connect() as connection:
        stored = (await connection.execute(text(
            "SELECT CAST(before AS text), CAST(after AS text) FROM audit_events "
            "WHERE action = 'beds.free_beds_set' ORDER BY seq DESC LIMIT 1"))).one()
    assert tuple(stored) == ('{"free_beds":2,"reason":"Secția „ATI”, 2"}', '{"free_beds":3,"version":2}')
