"""Applying the nomenclature: add, change, retire, bring back; free beds kept; exactly the previewed diff."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from accounts.models import Organisation
from app.beds.events import SectionChanged
from app.beds.models import Hospital, Section
from app.beds.nomenclature.models import NomenclatureImport
from app.beds.nomenclature.service import (
    ImportClosed,
    NomenclatureChanged,
    apply,
    cancel,
    preview,
    recent,
    review,
)
from app.kit import audit
from app.kit.clock import ManualClock
from app.kit.errors import PermissionDenied
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.beds.test_nomenclature_support import (
    ADMIN,
    BASE,
    CLI,
    COORDINATOR,
    Line,
    csv_bytes,
    diff_of,
    import_file,
    kept,
    large_csv,
    problems_of,
    unit,
    upload,
)


async def sections(services: AppServices) -> dict[tuple[str, str], Section]:
    async with services.session_factory() as session:
        rows = await session.execute(select(Hospital.short_code, Section).join(
            Hospital, Hospital.organisation_id == Section.hospital_id))
        return {(code, section.code): section for code, section in rows}


async def audit_events(services: AppServices, action: str | None = None) -> list[audit.AuditEvent]:
    async with services.session_factory() as session:
        query = select(audit.AuditEvent).order_by(audit.AuditEvent.seq)
        if action is not None:
            query = query.where(audit.AuditEvent.action == action)
        return list(await session.scalars(query))


async def set_free_beds(services: AppServices, section_id: int, free_beds: int) -> None:
    async with services.session_factory() as session, session.begin():
        await session.execute(update(Section).where(Section.id == section_id).values(free_beds=free_beds))


async def chain_ok(services: AppServices) -> bool:
    async with services.session_factory() as session:
        return (await audit.verify(session)).ok


def replaced(code: str, **values: Any) -> list[Line]:
    """BASE with one section's fields replaced (by position: name 4, type 5, parent 6, total 7)."""
    positions = {"name": 4, "type": 5, "parent": 6, "total_beds": 7}
    lines = []
    for line in BASE:
        if line[3] == code:
            cells = list(line)
            for name, value in values.items():
                cells[positions[name]] = value
            line = tuple(cells)  # type: ignore[assignment]
        lines.append(line)
    return lines


async def test_a_first_import_adds_hospitals_and_sections_never_reported(services: AppServices,
                                                                          clock: ManualClock) -> None:
    published: list[object] = []
    record = await import_file(services, clock, csv_bytes(BASE), published=published)
    assert record.counts == {"hospitals_added": 2, "hospitals_changed": 0, "hospitals_retired": 0,
                             "sections_added": 4, "sections_changed": 0, "sections_retired": 0}
    found = await sections(services)
    assert set(found) == {("H-A", "ATI"), ("H-A", "CHIR"), ("H-A", "CHIR-1"), ("H-B", "CARD")}
    assert found[("H-A", "CHIR-1")].parent_id == found[("H-A", "CHIR")].id
    assert found[("H-A", "ATI")].name == "Anestezie și terapie intensivă"
    assert all(s.free_beds == 0 and s.updated_at is None and s.retired_at is None for s in found.values())
    async with services.session_factory() as session:
        organisation = await session.scalar(select(Organisation).where(Organisation.code == "H-A"))
    assert organisation is not None
    assert (organisation.kind, organisation.name, organisation.parent_id) == ("hospital", "Spitalul A", None)
    assert [e.action for e in await audit_events(services)] == [
        "beds.hospital_added", "beds.hospital_added", *["beds.section_added"] * 4, "beds.nomenclature_applied"]
    changes = [event for event in published if isinstance(event, SectionChanged)]
    assert {event.section["code"] for event in changes} == {"ATI", "CHIR", "CHIR-1", "CARD"}
    assert all(event.kind == "nomenclature" for event in changes)
    assert await chain_ok(services)


async def test_changes_keep_free_beds_and_are_audited_before_and_after(services: AppServices,
                                                                       clock: ManualClock) -> None:
    await import_file(services, clock, csv_bytes(BASE))
    before = await sections(services)
    await set_free_beds(services, before[("H-A", "CHIR-1")].id, 7)
    lines = replaced("CHIR-1", name="Chirurgie I, etaj 2", type="orthopaedics", parent="", total_beds=18)
    published: list[object] = []
    record = await import_file(services, clock, csv_bytes(lines), published=published)
    assert record.counts["sections_changed"] == 1
    after = (await sections(services))[("H-A", "CHIR-1")]
    assert (after.name, after.total_beds, after.parent_id, after.free_beds) == ("Chirurgie I, etaj 2", 18, None, 7)
    assert after.version == before[("H-A", "CHIR-1")].version + 1
    [event] = await audit_events(services, "beds.section_changed")
    assert event.before == {"name": "Chirurgie I", "type": "surgery", "total_beds": 15, "parent": "CHIR"}
    assert event.after is not None
    assert {key: event.after[key] for key in ("name", "type", "total_beds", "parent")} == {
        "name": "Chirurgie I, etaj 2", "type": "orthopaedics", "total_beds": 18, "parent": None}
    [change] = [e for e in published if isinstance(e, SectionChanged)]
    assert change.seq == event.seq
    assert change.section["free_beds"] == 7
    assert change.section["section_type"] == "orthopaedics"


async def test_an_absent_section_and_hospital_are_retired_and_come_back(services: AppServices,
                                                                        clock: ManualClock) -> None:
    await import_file(services, clock, csv_bytes(BASE))
    published: list[object] = []
    record = await import_file(services, clock, csv_bytes([line for line in BASE[:2]]), published=published)
    assert record.counts["sections_retired"] == 2
    assert record.counts["hospitals_retired"] == 1
    found = await sections(services)
    assert found[("H-A", "CHIR-1")].retired_at == clock.now()
    assert found[("H-B", "CARD")].retired_at == clock.now()
    assert found[("H-A", "ATI")].retired_at is None
    retired = [e for e in published if isinstance(e, SectionChanged)]
    assert {e.section["code"] for e in retired} == {"CHIR-1", "CARD"}
    assert all(e.section["retired"] is True for e in retired)

    clock.advance(hours=2)
    record = await import_file(services, clock, csv_bytes(BASE))
    assert record.counts["sections_changed"] == 2
    assert record.counts["hospitals_changed"] == 1
    assert all(section.retired_at is None for section in (await sections(services)).values())
    back = await audit_events(services, "beds.section_changed")
    assert {(e.before or {}).get("status") for e in back} == {"retired"}
    async with services.session_factory() as session:
        assert await session.scalar(select(Hospital.retired_at).where(Hospital.short_code == "H-B")) is None


async def test_the_same_file_again_changes_nothing(services: AppServices, clock: ManualClock) -> None:
    await import_file(services, clock, csv_bytes(BASE))
    assert diff_of(await upload(services, clock, csv_bytes(BASE, delimiter=";", bom=True))).is_empty
    count = len(await audit_events(services))
    record = await import_file(services, clock, csv_bytes(BASE))
    assert not any(record.counts.values())
    assert [e.action for e in await audit_events(services)][count:] == ["beds.nomenclature_applied"]


async def test_a_file_with_problems_is_not_kept_and_changes_nothing(services: AppServices,
                                                                    clock: ManualClock) -> None:
    shown = await upload(services, clock, csv_bytes([*BASE, ("H-C", "", "castle", "X", "Y", "surgery", "", "-1")]))
    assert {(p.where, p.field) for p in problems_of(shown)} == {
        ("6", "hospital_name"), ("6", "hospital_type"), ("6", "total_beds")}
    assert await sections(services) == {}
    async with services.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(NomenclatureImport)) == 0


async def test_apply_refuses_when_the_data_changed_since_the_preview(services: AppServices,
                                                                     clock: ManualClock) -> None:
    await import_file(services, clock, csv_bytes(BASE))
    record, diff = kept(await upload(services, clock, csv_bytes(replaced("ATI", total_beds=25))))
    await import_file(services, clock, csv_bytes(replaced("ATI", total_beds=22)))  # another admin, meanwhile
    events = len(await audit_events(services))
    with pytest.raises(NomenclatureChanged):
        async with unit(services, clock) as uow:
            await apply(uow, actor=ADMIN, import_id=record.id, fingerprint=diff.fingerprint())
    assert (await sections(services))[("H-A", "ATI")].total_beds == 22
    assert len(await audit_events(services)) == events


async def test_operators_typing_numbers_do_not_invalidate_a_preview(services: AppServices,
                                                                    clock: ManualClock) -> None:
    await import_file(services, clock, csv_bytes(BASE))
    record, diff = kept(await upload(services, clock, csv_bytes(replaced("ATI", total_beds=25))))
    await set_free_beds(services, (await sections(services))[("H-A", "ATI")].id, 3)
    async with unit(services, clock) as uow:
        await apply(uow, actor=ADMIN, import_id=record.id, fingerprint=diff.fingerprint())
    ati = (await sections(services))[("H-A", "ATI")]
    assert (ati.total_beds, ati.free_beds) == (25, 3)


async def test_a_preview_expires_after_an_hour_and_is_applied_once(services: AppServices,
                                                                   clock: ManualClock) -> None:
    stale, _diff = kept(await upload(services, clock, csv_bytes(BASE)))
    clock.advance(minutes=61)
    fresh, diff = kept(await upload(services, clock, csv_bytes(BASE)))
    assert fresh.diff_sha256 == stale.diff_sha256 == diff.fingerprint()
    with pytest.raises(ImportClosed):
        async with unit(services, clock) as uow:
            await apply(uow, actor=ADMIN, import_id=stale.id, fingerprint=fresh.diff_sha256)
    async with unit(services, clock) as uow:
        await apply(uow, actor=ADMIN, import_id=fresh.id, fingerprint=fresh.diff_sha256)
    with pytest.raises(ImportClosed):
        async with unit(services, clock) as uow:
            await apply(uow, actor=ADMIN, import_id=fresh.id, fingerprint=fresh.diff_sha256)
    async with unit(services, clock) as uow:
        listed = await recent(uow, actor=ADMIN)
    assert [(item.id, item.status) for item in listed] == [(fresh.id, "applied"), (stale.id, "expired")]
    async with services.session_factory() as session:
        stored = await session.get(NomenclatureImport, stale.id)
    assert stored is not None
    assert stored.content == b""  # an expired file is dropped: it never took effect


async def test_a_cancelled_import_cannot_be_applied(services: AppServices, clock: ManualClock) -> None:
    shown = await upload(services, clock, csv_bytes(BASE))
    assert shown.record is not None
    async with unit(services, clock) as uow:
        await cancel(uow, actor=ADMIN, import_id=shown.record.id)
    async with unit(services, clock) as uow:
        assert (await review(uow, actor=ADMIN, import_id=shown.record.id)).status == "cancelled"
    with pytest.raises(ImportClosed):
        async with unit(services, clock) as uow:
            await apply(uow, actor=ADMIN, import_id=shown.record.id, fingerprint=shown.record.diff_sha256)
    assert await sections(services) == {}


async def test_only_an_admin_or_the_command_line_may_import(services: AppServices, clock: ManualClock) -> None:
    with pytest.raises(PermissionDenied):
        await upload(services, clock, csv_bytes(BASE), actor=COORDINATOR)
    shown = await upload(services, clock, csv_bytes(BASE))
    assert shown.record is not None
    with pytest.raises(PermissionDenied):
        async with unit(services, clock) as uow:
            await apply(uow, actor=COORDINATOR, import_id=shown.record.id, fingerprint=shown.record.diff_sha256)
    assert await sections(services) == {}
    record = await import_file(services, clock, csv_bytes(BASE), actor=CLI)
    assert record.decided_by == "<cli>"


async def test_an_existing_hospital_organisation_gets_its_bed_board_row(services: AppServices,
                                                                        clock: ManualClock) -> None:
    async with services.unit_of_work() as uow:
        uow.session.add(Organisation(code="H-A", name="Old name", kind="hospital"))
    await import_file(services, clock, csv_bytes(BASE))
    async with services.session_factory() as session:
        rows = (await session.execute(select(Organisation.name, Hospital.short_code).join(
            Hospital, Hospital.organisation_id == Organisation.id).where(Organisation.code == "H-A"))).all()
    assert [tuple(row) for row in rows] == [("Spitalul A", "H-A")]


async def test_a_code_of_another_kind_of_organisation_is_a_problem(services: AppServices,
                                                                   clock: ManualClock) -> None:
    shown = await upload(services, clock, csv_bytes([("SAMB", "Ambulanța", "emergency", "X", "Y", "icu", "", 1)]))
    [problem] = problems_of(shown)
    assert (problem.where, problem.field, problem.params["kind"]) == ("2", "hospital_code", "authority")


async def test_sections_made_by_hand_are_matched_by_code(services: AppServices, clock: ManualClock) -> None:
    hospital_id = await make_hospital(services, "H-A", "Spitalul A")
    await make_section(services, hospital_id, "Anestezie și terapie intensivă", code="ATI", section_type="icu",
                       total_beds=20, free_beds=4)
    diff = diff_of(await upload(services, clock, csv_bytes(BASE)))
    assert diff.counts()["sections_added"] == 3
    assert diff.counts()["hospitals_added"] == 1  # H-B only
    assert not diff.sections_changed


async def test_ten_thousand_sections_are_previewed_and_applied(services: AppServices, clock: ManualClock) -> None:
    content = large_csv(hospitals=400, sections=25)
    record = await import_file(services, clock, content)
    assert record.counts["sections_added"] == 10_000
    assert record.counts["hospitals_added"] == 400
    assert diff_of(await upload(services, clock, content)).is_empty
    assert len(await audit_events(services, "beds.section_added")) == 10_000
    assert await chain_ok(services)


async def test_the_preview_and_apply_tell_the_same_counts(services: AppServices, clock: ManualClock) -> None:
    async with unit(services, clock) as uow:
        shown = await preview(uow, actor=ADMIN, file_name="C:\\Users\\ana\\lista.csv", content=csv_bytes(BASE))
    assert shown.record is not None
    assert shown.record.file_name == "lista.csv"
    async with unit(services, clock) as uow:
        record = await apply(uow, actor=ADMIN, import_id=shown.record.id, fingerprint=shown.record.diff_sha256)
    assert record.counts == shown.record.counts
    [summary] = await audit_events(services, "beds.nomenclature_applied")
    assert summary.after is not None
    assert summary.after["sha256"] == record.sha256
    assert summary.after["sections_added"] == 4
