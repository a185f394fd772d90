"""Benchmark 4's data: a year of bed events for 200 hospitals of 10 sections each, on PostgreSQL.

The events are what ``app/beds/service.py`` writes (``beds.free_beds_set`` and ``beds.confirmed`` with the
same before/after), chained as ``app.kit.audit.record`` chains them, and loaded with COPY: writing a million
events through the service would take hours. ``audit.verify`` checks the result.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice

import asyncpg
from sqlalchemy import insert, select

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.kit.audit import AuditEvent, chain_hash
from app.kit.db import make_engine
from app.migrations import upgrade_to_head

HOSPITALS, SECTIONS_PER_HOSPITAL = 200, 10
YEAR_START, YEAR_END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 50_000  # rows per COPY, each its own transaction
SAMPLE_EVERY = 10_000  # one event in so many is also hashed by the app's own AuditEvent
CONFIRMED_SHARE = 0.15  # "confirmed unchanged" is the rarer of the two bed actions
API_SHARE = 0.6  # most numbers come from the hospital's system (its token), the rest from an operator
COLUMNS = ("seq", "at", "actor", "actor_id", "organisation", "action", "object_type", "object_id", "before",
           "after", "source", "client_address", "prev_hash", "hash")
SECTION_NAMES = ("Chirurgie generală", "ATI", "Medicină internă", "Cardiologie", "Neurologie", "Pediatrie",
                 "Ortopedie", "Obstetrică-ginecologie", "Boli infecțioase", "Urologie")


@dataclass(frozen=True)
class Voice:
    """Who writes a section's numbers; ``fragment`` is its part of the canonical JSON."""

    actor: str
    actor_id: int | None
    source: str

    @cached_property
    def fragment(self) -> str:
        return f'"actor":"{self.actor}","actor_id":{"null" if self.actor_id is None else self.actor_id}'


@dataclass(frozen=True)
class Ward:
    """A section as its events name it. ``fragment`` is the canonical JSON of the fields that never change."""

    id: int
    hospital_id: int
    organisation: str
    total_beds: int
    client_address: str
    system: Voice
    operator: Voice

    @cached_property
    def fragment(self) -> str:
        return (f'"client_address":"{self.client_address}","object_id":"{self.id}","object_type":"section",'
                f'"organisation":"{self.organisation}"')


@dataclass
class WardState:
    free_beds: int
    version: int = 1
    confirmed_at: str = "null"  # JSON of the last confirmation moment
    updated_at: datetime = YEAR_START


def make_ward(id_: int, hospital_id: int, code: str, total_beds: int) -> Ward:
    desk = id_ % 4
    return Ward(id_, hospital_id, code, total_beds, f"10.{hospital_id // 250}.{hospital_id % 250}.{desk + 1}",
                system=Voice(f"token:{code} HIS", None, "api"),
                operator=Voice(f"op.{code.lower()}.{desk}", 1_000 + 4 * hospital_id + desk, "web"))


async def create_hospitals(database_url: str) -> list[Ward]:
    """200 hospital organisations with their bed-board rows and 10 sections each, as bench/snapshot.py makes them."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            type_ids = list(await connection.scalars(select(SectionType.id).order_by(SectionType.id)))
            hospital_type = await connection.scalar(select(HospitalType.id).order_by(HospitalType.id))
            codes = [f"H{n:03d}" for n in range(1, HOSPITALS + 1)]
            await connection.execute(insert(Organisation), [
                {"code": code, "name": f"Spitalul Județean {code}", "kind": "hospital"} for code in codes])
            ids = {code: id_ for code, id_ in await connection.execute(
                select(Organisation.code, Organisation.id).where(Organisation.code.in_(codes)))}
            await connection.execute(insert(Hospital), [
                {"organisation_id": ids[code], "hospital_type_id": hospital_type, "short_code": code}
                for code in codes])
            await connection.execute(insert(Section), [
                {"hospital_id": ids[code], "section_type_id": type_ids[k % len(type_ids)], "code": f"S{k:02d}",
                 "name": SECTION_NAMES[k], "total_beds": 20 + 5 * k, "free_beds": 0, "version": 1}
                for code in codes for k in range(SECTIONS_PER_HOSPITAL)])
            rows = await connection.execute(select(Section.id, Section.hospital_id, Organisation.code,
                                                   Section.total_beds).join(
                Organisation, Organisation.id == Section.hospital_id).order_by(Section.id))
            return [make_ward(id_, hospital_id, code, total) for id_, hospital_id, code, total in rows]
    finally:
        await engine.dispose()


@dataclass
class ChainWriter:
    """Makes COPY rows for consecutive events of one year, carrying the chain and each section's state.

    The canonical JSON is written directly (the keys in the sorted order ``canonical_json`` gives, values
    that need no escaping): json.dumps takes 25 µs an event on this machine, 25 s of a million.
    ``check_sample`` and ``audit.verify`` hold it to the app's own ``AuditEvent.canonical``.
    """

    wards: list[Ward]
    seq: int
    prev_hash: str
    total: int
    rng: random.Random = field(default_factory=lambda: random.Random(4))  # the same world every run
    states: dict[int, WardState] = field(init=False)
    first_seq: int = field(init=False)

    def __post_init__(self) -> None:
        self.states = {ward.id: WardState(free_beds=ward.total_beds // 3) for ward in self.wards}
        self.first_seq = self.seq + 1

    def change(self, ward: Ward, at: datetime, at_text: str) -> tuple[str, str, str]:
        """One bed event's action, before and after, as ``set_free_beds``/``confirm_unchanged`` write them."""
        state, rng = self.states[ward.id], self.rng
        if rng.random() < CONFIRMED_SHARE:
            before = f'{{"confirmed_at":{state.confirmed_at}}}'
            state.confirmed_at = f'"{at_text}"'
            action = "beds.confirmed"
        else:
            before = f'{{"free_beds":{state.free_beds},"version":{state.version}}}'
            state.free_beds = min(ward.total_beds, max(0, state.free_beds + int(rng.random() * 7) - 3))
            state.version, state.updated_at, action = state.version + 1, at, "beds.free_beds_set"
        return (action, before,
                f'{{"free_beds":{state.free_beds},"hospital_id":{ward.hospital_id},"version":{state.version}}}')

    def rows(self, count: int) -> Iterator[tuple[object, ...]]:
        random_, wards, start = self.rng.random, self.wards, YEAR_START.timestamp()
        step = (YEAR_END - YEAR_START).total_seconds() / self.total
        for _ in range(count):
            ward = wards[int(random_() * len(wards))]
            # Strictly increasing moments, as commits are: one slot of the year per event, a random point in it.
            at = datetime.fromtimestamp(start + (self.seq + 1 - self.first_seq + random_()) * step, UTC)
            at_text = at.isoformat()
            action, before, after = self.change(ward, at, at_text)
            voice = ward.system if random_() < API_SHARE else ward.operator
            self.seq += 1
            digest = chain_hash(self.prev_hash, f'{{"action":"{action}",{voice.fragment},"after":{after},'
                                f'"at":"{at_text}","before":{before},{ward.fragment},"seq":{self.seq},'
                                f'"source":"{voice.source}"}}')
            row = (self.seq, at, voice.actor, voice.actor_id, ward.organisation, action, "section", str(ward.id),
                   before, after, voice.source, ward.client_address, self.prev_hash, digest)
            if self.seq % SAMPLE_EVERY == 1:
                check_sample(row)
            # Moved on before the yield: the consumer may stop at the last row and never resume us.
            self.prev_hash = digest
            yield row


def check_sample(row: tuple[object, ...]) -> None:
    """The app's own AuditEvent, built in memory from a generated row, must hash it to the same value."""
    values = dict(zip(COLUMNS, row, strict=True))
    values["before"], values["after"] = json.loads(str(values["before"])), json.loads(str(values["after"]))
    if AuditEvent(**values).computed_hash() != values["hash"]:
        raise RuntimeError(f"generated event {values['seq']} does not hash as app.kit.audit hashes it")


def dsn_of(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class Loader:
    """Appends generated events to a migrated database in steps, leaving a complete chain after each."""

    connection: asyncpg.Connection
    writer: ChainWriter
    index_definitions: list[str]

    @classmethod
    async def open(cls, database_url: str, total: int) -> Loader:
        upgrade_to_head(database_url)
        wards = await create_hospitals(database_url)
        connection = await asyncpg.connect(dsn_of(database_url))
        head = await connection.fetchrow("SELECT seq, hash FROM audit_head WHERE id = 1")
        # COPY into a table with its four secondary indexes runs at a third of the speed; they are
        # dropped here and made again, from their own definitions, by ``finish``.
        indexes = await connection.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                                         "'audit_events' AND indexname <> 'pk_audit_events'")
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        return cls(connection, ChainWriter(wards, int(head["seq"]), str(head["hash"]), total),
                   [index["indexdef"] for index in indexes])

    async def append(self, count: int) -> None:
        rows = self.writer.rows(count)
        for _ in range(0, count, CHUNK):
            # An iterator, not a list: asyncpg sends while the next rows are made, so both cores work.
            await self.connection.copy_records_to_table("audit_events", records=islice(rows, CHUNK),
                                                        columns=COLUMNS)
        async with self.connection.transaction():
            await self.connection.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                                          self.writer.seq, self.writer.prev_hash)
            await self.connection.executemany(
                "UPDATE sections SET free_beds = $2, version = $3, updated_at = $4, updated_by = 'bench' "
                "WHERE id = $1", [(id_, state.free_beds, state.version, state.updated_at)
                                  for id_, state in self.writer.states.items()])

    async def finish(self) -> None:
        """The indexes back, and fresh planner statistics."""
        await self.connection.execute("SET maintenance_work_mem = '256MB'")
        for definition in self.index_definitions:
            await self.connection.execute(definition)
        await self.connection.execute("ANALYZE")

    @property
    def sections_by_hospital(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for ward in self.writer.wards:
            found.setdefault(ward.hospital_id, []).append(ward.id)
        return found


@asynccontextmanager
async def loading(database_url: str, total: int) -> AsyncIterator[Loader]:
    """A Loader for a fresh database, its connection closed whatever happens."""
    loader = await Loader.open(database_url, total)
    try:
        yield loader
    finally:
        await loader.connection.close()
