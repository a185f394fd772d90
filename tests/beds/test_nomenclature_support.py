"""Helpers shared by the nomenclature tests (files, actors, one-call import), and the example files' tests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from app.beds.nomenclature.diff import Diff, load_types
from app.beds.nomenclature.formats import CSV_COLUMNS, read
from app.beds.nomenclature.models import NomenclatureImport
from app.beds.nomenclature.service import Preview, apply, preview
from app.beds.nomenclature.validation import Problem, Reading, Vocabulary
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.state import AppServices

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "docs" / "examples"
VOCABULARY = Vocabulary(frozenset({"emergency", "clinical", "specialised", "paediatric"}),
                        frozenset({"icu", "surgery", "orthopaedics", "cardiology", "neurology", "paediatrics"}))
ADMIN = Actor(username="ana.admin", source="web", user_id=101, display_name="Ana", organisation_id=1,
              organisation_code="MS", organisation_kind="authority", roles=frozenset({"admin"}),
              client_address="10.0.0.7")
COORDINATOR = Actor(username="coord", source="web", user_id=102, organisation_id=1, organisation_code="SAMB",
                    organisation_kind="authority", roles=frozenset({"coordinator"}))
CLI = Actor.system("cli")

# hospital_code, hospital_name, hospital_type, section_code, section_name, section_type, parent, total_beds
Line = tuple[str, str, str, str, str, str, str, str | int]
BASE: list[Line] = [
    ("H-A", "Spitalul A", "emergency", "ATI", "Anestezie și terapie intensivă", "icu", "", 20),
    ("H-A", "Spitalul A", "emergency", "CHIR", "Chirurgie generală", "surgery", "", 40),
    ("H-A", "Spitalul A", "emergency", "CHIR-1", "Chirurgie I", "surgery", "CHIR", 15),
    ("H-B", "Spitalul B", "clinical", "CARD", "Cardiologie", "cardiology", "", 30),
]


def csv_bytes(lines: Sequence[Line], *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(lines)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def json_bytes(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def large_csv(hospitals: int = 400, sections: int = 25, total: int = 10) -> bytes:
    lines: list[Line] = []
    for h in range(hospitals):
        for s in range(sections):
            parent = f"S{s - 1:02d}" if s % 5 == 4 else ""  # a sub-section under the section before it
            lines.append((f"H{h:04d}", f"Spitalul nr. {h}, București", "emergency", f"S{s:02d}",
                          f"Secția {s} — chirurgie", "surgery", parent, total + s))
    return csv_bytes(lines)


def unit(services: AppServices, clock: ManualClock, published: list[object] | None = None) -> UnitOfWork:
    async def publish(events: Sequence[object]) -> None:
        if published is not None:
            published.extend(events)

    return UnitOfWork(services.session_factory, clock=clock, publish=publish)


async def upload(services: AppServices, clock: ManualClock, content: bytes, *, actor: Actor = ADMIN,
                 file_name: str = "nomenclature.csv") -> Preview:
    async with unit(services, clock) as uow:
        return await preview(uow, actor=actor, file_name=file_name, content=content)


def diff_of(shown: Preview) -> Diff:
    """The diff of a preview that has no problems (the test fails, naming them, otherwise)."""
    assert shown.examination is not None
    assert shown.examination.diff is not None, [problem.text() for problem in shown.examination.problems]
    return shown.examination.diff


def kept(shown: Preview) -> tuple[NomenclatureImport, Diff]:
    assert shown.record is not None
    return shown.record, diff_of(shown)


def problems_of(shown: Preview) -> tuple[Problem, ...]:
    assert shown.record is None
    assert shown.examination is not None
    return shown.examination.problems


async def import_file(services: AppServices, clock: ManualClock, content: bytes, *, actor: Actor = ADMIN,
                      published: list[object] | None = None, file_name: str = "nomenclature.csv"
                      ) -> NomenclatureImport:
    """Preview then confirm, as an admin would; fails the test if the file has problems."""
    record, diff = kept(await upload(services, clock, content, actor=actor, file_name=file_name))
    async with unit(services, clock, published) as uow:
        return await apply(uow, actor=actor, import_id=record.id, fingerprint=diff.fingerprint())


def read_example(name: str, vocabulary: Vocabulary) -> Reading:
    return read((EXAMPLES / name).read_bytes(), name, vocabulary)


async def seeded_vocabulary(unit_of_work: Callable[[], UnitOfWork]) -> Vocabulary:
    async with unit_of_work() as uow:
        return (await load_types(uow.session)).vocabulary


async def test_the_example_files_validate_against_the_seeded_types(
        unit_of_work: Callable[[], UnitOfWork]) -> None:
    vocabulary = await seeded_vocabulary(unit_of_work)
    for name in ("nomenclature.csv", "nomenclature.json"):
        reading = read_example(name, vocabulary)
        assert reading.ok, [(problem.where, problem.field, problem.text()) for problem in reading.problems]
        assert len(reading.hospitals) == 3
        assert reading.section_count == 14


def facts(reading: Reading) -> list[object]:
    """What a reading says, without where it was found (line numbers against JSON pointers)."""
    return [(h.code, h.name, h.type, [(s.code, s.name, s.type, s.parent, s.total_beds) for s in h.sections])
            for h in reading.hospitals]


async def test_the_two_example_files_describe_the_same_list(unit_of_work: Callable[[], UnitOfWork]) -> None:
    vocabulary = await seeded_vocabulary(unit_of_work)
    csv_facts = facts(read_example("nomenclature.csv", vocabulary))
    assert csv_facts == facts(read_example("nomenclature.json", vocabulary))
    assert "Chirurgie generală, secția I" in str(csv_facts)
