"""Writes a computed diff in the caller's transaction with bulk statements.

A 10,000-section first import is a few dozen statements (multi-row INSERT ... RETURNING and
executemany UPDATEs by primary key), never one round trip per row. Free-bed counts are never written:
an existing section keeps its number, a new one starts at 0 and "never reported" (``updated_at`` NULL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, Section
from app.beds.nomenclature.diff import RETIRED, Diff, SectionItem, Snapshot, TypeIds, Value

SectionKey = tuple[int, str]  # hospital id, section code


@dataclass(frozen=True)
class AuditEntry:
    """One audit event to write; ``object_type`` "section" entries also go to the live board."""

    action: str
    object_type: str
    object_id: int
    before: Mapping[str, Value] | None
    after: Mapping[str, Value]


@dataclass
class _Writer:
    session: AsyncSession
    snapshot: Snapshot
    types: TypeIds
    now: datetime

    def __post_init__(self) -> None:
        self.hospital_ids = {code: known.organisation_id for code, known in self.snapshot.hospitals.items()}
        self.section_ids: dict[SectionKey, int] = {
            (hospital_id, code): known.id
            for hospital_id, by_code in self.snapshot.sections.items() for code, known in by_code.items()}
        self.versions = {known.id: known.version for by_code in self.snapshot.sections.values()
                         for known in by_code.values()}
        self.entries: list[AuditEntry] = []

    async def _update(self, model: type[Organisation | Hospital | Section], rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(update(model), list(rows))

    async def hospitals(self, diff: Diff) -> None:
        new = [item for item in diff.hospitals_added if item.organisation_id is None]
        if new:
            inserted = await self.session.execute(
                insert(Organisation).returning(Organisation.id, Organisation.code),
                [{"code": item.code, "name": item.name, "kind": "hospital", "parent_id": None} for item in new])
            self.hospital_ids.update({code: id_ for id_, code in inserted})
        renamed = [*(item for item in diff.hospitals_added if item.organisation_id is not None),
                   *(item for item in diff.hospitals_changed if any(c.field == "name" for c in item.changes))]
        await self._update(Organisation, [{"id": self.hospital_ids[item.code], "name": item.name}
                                          for item in renamed])
        if diff.hospitals_added:
            await self.session.execute(insert(Hospital), [
                {"organisation_id": self.hospital_ids[item.code], "short_code": item.code, "retired_at": None,
                 "hospital_type_id": self.types.hospital[item.type], "latitude": item.latitude,
                 "longitude": item.longitude} for item in diff.hospitals_added])
        await self._update(Hospital, [
            {"organisation_id": item.organisation_id, "hospital_type_id": self.types.hospital[item.type],
             "retired_at": None, "latitude": item.latitude, "longitude": item.longitude}
            for item in diff.hospitals_changed])
        await self._update(Hospital, [{"organisation_id": item.organisation_id, "retired_at": self.now}
                                      for item in diff.hospitals_retired])
        self._audit_hospitals(diff)

    def _audit_hospitals(self, diff: Diff) -> None:
        for item in diff.hospitals_added:
            located = {} if item.latitude is None else {"latitude": item.latitude, "longitude": item.longitude}
            self.entries.append(AuditEntry("beds.hospital_added", "hospital", self.hospital_ids[item.code], None,
                                           {"code": item.code, "name": item.name, "type": item.type, **located}))
        for item in diff.hospitals_changed:
            self.entries.append(AuditEntry(
                "beds.hospital_changed", "hospital", self.hospital_ids[item.code],
                {change.field: change.old for change in item.changes},
                {"code": item.code, **{change.field: change.new for change in item.changes}}))
        for item in diff.hospitals_retired:
            self.entries.append(AuditEntry("beds.hospital_retired", "hospital", self.hospital_ids[item.code],
                                           {"status": "active"}, {"code": item.code, "status": RETIRED}))

    def _parent_id(self, hospital_id: int, parent: str | None) -> int | None:
        return None if parent is None else self.section_ids[(hospital_id, parent)]

    async def add_sections(self, items: Sequence[SectionItem]) -> None:
        # Parents first: by the file's rules a parent is never itself a sub-section.
        for batch in ([item for item in items if item.parent is None], [item for item in items if item.parent]):
            if not batch:
                continue
            rows = []
            for item in batch:
                hospital_id = self.hospital_ids[item.hospital_code]
                rows.append({"hospital_id": hospital_id, "parent_id": self._parent_id(hospital_id, item.parent),
                             "section_type_id": self.types.section[item.type], "code": item.code,
                             "name": item.name, "total_beds": item.total_beds, "free_beds": 0, "version": 1})
            inserted = await self.session.execute(
                insert(Section).returning(Section.id, Section.hospital_id, Section.code), rows)
            self.section_ids.update({(hospital_id, code): id_ for id_, hospital_id, code in inserted})
        for item in items:
            hospital_id = self.hospital_ids[item.hospital_code]
            self.entries.append(AuditEntry("beds.section_added", "section", self.section_ids[(hospital_id, item.code)],
                                           None, {"hospital_id": hospital_id, **_facts(item)}))

    async def change_sections(self, items: Sequence[SectionItem]) -> None:
        rows = []
        for item in items:
            assert item.section_id is not None
            assert item.hospital_id is not None
            rows.append({"id": item.section_id, "name": item.name, "total_beds": item.total_beds,
                         "section_type_id": self.types.section[item.type], "retired_at": None,
                         "parent_id": self._parent_id(item.hospital_id, item.parent),
                         "version": self.versions[item.section_id] + 1})
            self.entries.append(AuditEntry(
                "beds.section_changed", "section", item.section_id, {c.field: c.old for c in item.changes},
                {"hospital_id": item.hospital_id, "hospital_code": item.hospital_code, "code": item.code,
                 **{c.field: c.new for c in item.changes}}))
        await self._update(Section, rows)

    async def retire_sections(self, items: Sequence[SectionItem]) -> None:
        rows = []
        for item in items:
            assert item.section_id is not None
            assert item.hospital_id is not None
            rows.append({"id": item.section_id, "retired_at": self.now,
                         "version": self.versions[item.section_id] + 1})
            self.entries.append(AuditEntry(
                "beds.section_retired", "section", item.section_id, {"status": "active"},
                {"hospital_id": item.hospital_id, "hospital_code": item.hospital_code, "code": item.code,
                 "status": RETIRED}))
        await self._update(Section, rows)


def _facts(item: SectionItem) -> dict[str, Value]:
    return {"hospital_code": item.hospital_code, "code": item.code, "name": item.name, "type": item.type,
            "total_beds": item.total_beds, "parent": item.parent}


async def write(session: AsyncSession, diff: Diff, snapshot: Snapshot, types: TypeIds,
                now: datetime) -> list[AuditEntry]:
    """Applies ``diff`` (computed from ``snapshot``, read in this same transaction) and returns the audit
    entries describing it: hospitals first, then sections added, changed and retired."""
    writer = _Writer(session, snapshot, types, now)
    await writer.hospitals(diff)
    await writer.add_sections(diff.sections_added)
    await writer.change_sections(diff.sections_changed)
    await writer.retire_sections(diff.sections_retired)
    return writer.entries
