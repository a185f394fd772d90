"""What applying a nomenclature would change: hospitals and sections to add, change and retire.

The database side is read with a handful of queries into a plain ``Snapshot``; the comparison itself is
pure CPU (routes run it in a worker thread). The file is the complete list: what the database has and the
file does not is retired; what was retired and reappears is brought back. Free-bed counts are no part
of the nomenclature and never appear here, so operators typing numbers do not invalidate a preview.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.beds.nomenclature.validation import HOSPITAL_FIELDS, Format, HospitalEntry, Problem, SectionEntry, Vocabulary
from app.kit.i18n import _

Value = str | int | float | None
ACTIVE, RETIRED = "active", "retired"


@dataclass(frozen=True)
class TypeIds:
    hospital: Mapping[str, int]
    section: Mapping[str, int]

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(frozenset(self.hospital), frozenset(self.section))


@dataclass(frozen=True)
class KnownHospital:
    organisation_id: int
    code: str
    name: str
    type: str | None  # None: a hospital organisation without its bed-board row yet
    retired: bool
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class KnownSection:
    id: int
    hospital_id: int
    code: str
    name: str
    type: str
    parent_id: int | None
    total_beds: int
    version: int
    retired: bool


@dataclass(frozen=True)
class Snapshot:
    hospitals: Mapping[str, KnownHospital]
    sections: Mapping[int, Mapping[str, KnownSection]]  # hospital id -> section code -> section
    other_organisations: Mapping[str, str]  # codes of organisations that are not hospitals -> their kind
    codes: Mapping[int, str]  # section id -> section code, to name parents

    def code_of(self, section_id: int | None) -> str | None:
        return None if section_id is None else self.codes.get(section_id)


@dataclass(frozen=True)
class Change:
    field: str
    old: Value
    new: Value


@dataclass(frozen=True)
class HospitalItem:
    code: str
    name: str
    type: str
    organisation_id: int | None
    changes: tuple[Change, ...] = ()
    # Where the hospital stands after the import (the file's location, or its own when the file gives none).
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class SectionItem:
    hospital_code: str
    code: str
    name: str
    type: str
    total_beds: int
    parent: str | None
    hospital_id: int | None
    section_id: int | None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Diff:
    hospitals_added: tuple[HospitalItem, ...] = ()
    hospitals_changed: tuple[HospitalItem, ...] = ()
    hospitals_retired: tuple[HospitalItem, ...] = ()
    sections_added: tuple[SectionItem, ...] = ()
    sections_changed: tuple[SectionItem, ...] = ()
    sections_retired: tuple[SectionItem, ...] = ()

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def fingerprint(self) -> str:
        """Equal fingerprints mean the same operations on the same rows: what was previewed is applied."""
        plain = {name: [_plain(item) for item in getattr(self, name)] for name in self.__dataclass_fields__}
        canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(item: HospitalItem | SectionItem) -> dict[str, object]:
    # By hand rather than dataclasses.asdict, which deep-copies and takes several times longer.
    return {**vars(item), "changes": [[change.field, change.old, change.new] for change in item.changes]}


async def load_types(session: AsyncSession) -> TypeIds:
    hospital = {code: id_ for id_, code in await session.execute(select(HospitalType.id, HospitalType.code))}
    section = {code: id_ for id_, code in await session.execute(select(SectionType.id, SectionType.code))}
    return TypeIds(hospital, section)


async def load_snapshot(session: AsyncSession, types: TypeIds, *, lock: bool = False) -> Snapshot:
    """The current nomenclature in three queries. ``lock`` takes the section rows in id order, the order
    every free-beds writer locks them in, so that an import and those writers cannot deadlock."""
    hospital_type = {id_: code for code, id_ in types.hospital.items()}
    section_type = {id_: code for code, id_ in types.section.items()}
    registered = {row.organisation_id: row for row in await session.execute(
        select(Hospital.organisation_id, Hospital.hospital_type_id, Hospital.retired_at, Hospital.latitude,
               Hospital.longitude))}
    hospitals: dict[str, KnownHospital] = {}
    others: dict[str, str] = {}
    for id_, code, name, kind in await session.execute(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.kind)):
        row = registered.get(id_)
        if row is None and kind != "hospital":
            others[code] = kind
            continue
        hospitals[code] = KnownHospital(id_, code, name, None if row is None else hospital_type[row.hospital_type_id],
                                        row is not None and row.retired_at is not None,
                                        None if row is None else row.latitude, None if row is None else row.longitude)
    query = select(Section.id, Section.hospital_id, Section.code, Section.name, Section.section_type_id,
                   Section.parent_id, Section.total_beds, Section.version, Section.retired_at).order_by(Section.id)
    sections: dict[int, dict[str, KnownSection]] = {}
    for line in await session.execute(query.with_for_update() if lock else query):
        sections.setdefault(line.hospital_id, {})[line.code] = KnownSection(
            line.id, line.hospital_id, line.code, line.name, section_type[line.section_type_id], line.parent_id,
            line.total_beds, line.version, line.retired_at is not None)
    codes = {known.id: known.code for by_code in sections.values() for known in by_code.values()}
    return Snapshot(hospitals, sections, others, codes)


def _changes(pairs: Iterable[tuple[str, Value, Value]]) -> tuple[Change, ...]:
    return tuple(Change(name, old, new) for name, old, new in pairs if old != new)


def _status(retired: bool) -> str:
    return RETIRED if retired else ACTIVE


@dataclass
class _Builder:
    snapshot: Snapshot
    file_format: Format
    hospitals_added: list[HospitalItem] = field(default_factory=list)
    hospitals_changed: list[HospitalItem] = field(default_factory=list)
    hospitals_retired: list[HospitalItem] = field(default_factory=list)
    sections_added: list[SectionItem] = field(default_factory=list)
    sections_changed: list[SectionItem] = field(default_factory=list)
    sections_retired: list[SectionItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def diff(self) -> Diff:
        return Diff(tuple(self.hospitals_added), tuple(self.hospitals_changed), tuple(self.hospitals_retired),
                    tuple(self.sections_added), tuple(self.sections_changed), tuple(self.sections_retired))

    def hospital(self, entry: HospitalEntry) -> None:
        known = self.snapshot.hospitals.get(entry.code)
        if entry.code in self.snapshot.other_organisations:
            self.problems.append(Problem(entry.where, HOSPITAL_FIELDS[self.file_format]["code"], _(
                "The code {code} belongs to an organisation of kind {kind}, not to a hospital."),
                {"code": entry.code, "kind": self.snapshot.other_organisations[entry.code]}))
            return
        if known is None or known.type is None:
            latitude, longitude = entry.location or (None, None)
            self.hospitals_added.append(HospitalItem(entry.code, entry.name, entry.type,
                                                     None if known is None else known.organisation_id,
                                                     latitude=latitude, longitude=longitude))
            self.sections(entry, None, {})
            return
        latitude, longitude = (entry.location or (None, None)) if entry.located else (known.latitude, known.longitude)
        changes = _changes([("name", known.name, entry.name), ("type", known.type, entry.type),
                            ("latitude", known.latitude, latitude), ("longitude", known.longitude, longitude),
                            ("status", _status(known.retired), ACTIVE)])
        if changes:
            self.hospitals_changed.append(HospitalItem(entry.code, entry.name, entry.type, known.organisation_id,
                                                      changes, latitude, longitude))
        self.sections(entry, known.organisation_id, self.snapshot.sections.get(known.organisation_id, {}))

    def sections(self, entry: HospitalEntry, hospital_id: int | None, known: Mapping[str, KnownSection]) -> None:
        for section in entry.sections:
            self.section(entry.code, hospital_id, section, known.get(section.code))
        listed = {section.code for section in entry.sections}
        for code, gone in known.items():
            if code not in listed and not gone.retired:
                self.retire_section(entry.code, gone)

    def section(self, hospital_code: str, hospital_id: int | None, entry: SectionEntry,
                known: KnownSection | None) -> None:
        item = SectionItem(hospital_code, entry.code, entry.name, entry.type, entry.total_beds, entry.parent,
                           hospital_id, None if known is None else known.id)
        if known is None:
            self.sections_added.append(item)
            return
        parent = self.snapshot.code_of(known.parent_id)
        changes = _changes([("name", known.name, entry.name), ("type", known.type, entry.type),
                            ("total_beds", known.total_beds, entry.total_beds), ("parent", parent, entry.parent),
                            ("status", _status(known.retired), ACTIVE)])
        if changes:
            self.sections_changed.append(replace(item, changes=changes))

    def retire_section(self, hospital_code: str, gone: KnownSection) -> None:
        parent = self.snapshot.code_of(gone.parent_id)
        self.sections_retired.append(SectionItem(hospital_code, gone.code, gone.name, gone.type, gone.total_beds,
                                                  parent, gone.hospital_id, gone.id))

    def retire_absent(self, listed: set[str]) -> None:
        for code in sorted(set(self.snapshot.hospitals) - listed):
            known = self.snapshot.hospitals[code]
            if known.type is None or known.retired:
                continue
            self.hospitals_retired.append(HospitalItem(code, known.name, known.type, known.organisation_id))
            for gone in self.snapshot.sections.get(known.organisation_id, {}).values():
                if not gone.retired:
                    self.retire_section(code, gone)


def compute(snapshot: Snapshot, hospitals: Sequence[HospitalEntry], file_format: Format
            ) -> tuple[Diff, tuple[Problem, ...]]:
    builder = _Builder(snapshot, file_format)
    for entry in hospitals:
        builder.hospital(entry)
    builder.retire_absent({entry.code for entry in hospitals})
    return builder.diff(), tuple(builder.problems)
