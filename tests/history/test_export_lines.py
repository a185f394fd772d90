"""The CSV export's lines are the same whoever writes them: on PostgreSQL the database writes most of them
(app/history/csv_in_sql.py), Python the rest and every line on SQLite. Awkward rows on purpose: formulas, commas,
quotes and line breaks in names and actors, hospital events, numbers that are not integers, empty and null JSON, a
moment on the second, before/after stored compact (as every JSON column is now) and spaced (as earlier versions
stored them)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from app.beds.interface import hospital_choices, section_names
from app.history import export
from app.history.filters import HistoryFilter
from app.history.queries import events_query
from app.kit.actors import Actor
from app.kit.audit import AuditEvent, record
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section

AT = datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC)  # one microsecond before Bucharest's summer time
COLUMNS = ("seq, at, actor, actor_id, organisation, action, object_type, object_id, before, after, source, "
           "client_address, prev_hash, hash")


async def _insert(services: AppServices, rows: list[dict[str, object]]) -> None:
    """Events stored as given, before/after as their compact text (the export reads the log; the chain is
    verify's business, so the hashes here are placeholders)."""
    postgres = services.engine.dialect.name == "postgresql"
    json_value = "CAST({} AS json)" if postgres else "{}"
    async with services.engine.begin() as connection:
        seq = int((await connection.execute(text("SELECT seq FROM audit_head"))).scalar_one())
        statement = text(f"INSERT INTO audit_events ({COLUMNS}) VALUES (:seq, :at, :actor, NULL, :organisation, "
                         f":action, :object_type, :object_id, {json_value.format(':before')}, "
                         f"{json_value.format(':after')}, 'api', :client_address, :hash, :hash)")
        for offset, row in enumerate(rows, start=1):
            at = row.get("at", AT)
            assert isinstance(at, datetime)
            await connection.execute(statement, {
                "seq": seq + offset, "at": at if postgres else at.replace(tzinfo=None), "hash": "0" * 64,
                "actor": row.get("actor", "op.one"), "organisation": row.get("organisation", "NORD"),
                "action": row.get("action", "beds.free_beds_set"), "object_type": row.get("object_type", "section"),
                "object_id": row.get("object_id"), "client_address": row.get("client_address", "10.0.0.1"),
                "before": row.get("before"), "after": row.get("after")})
        await connection.execute(text("UPDATE audit_head SET seq = :seq"), {"seq": seq + len(rows)})


async def _both_ways(services: AppServices, zone: ZoneInfo) -> tuple[str, str]:
    """What the export writes after its header, and what Python alone writes for the same events."""
    filters = HistoryFilter()
    exported = "".join([chunk async for chunk in export.csv_lines(services.session_factory, filters, zone)])
    async with services.session_factory() as session, session.begin():
        names = await section_names(session)
        hospitals = dict(await hospital_choices(session))
        query = (await events_query(session, filters)).order_by(AuditEvent.seq.desc())
        by_python = "".join([batch async for batch in export._python_lines(session, query, names, zone, hospitals)])
    header = export._lines([list(export.HEADER)])
    assert exported.startswith(header)
    return exported[len(header):], by_python


async def test_every_line_is_the_one_python_writes(services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD", name='Spitalul "Nord", Iași')
    section = await make_section(services, hospital, "=HYPERLINK(\"http://x\")", section_type="icu")
    plain = await make_section(services, hospital, "ATI, etaj 2", section_type="surgery")
    async with services.unit_of_work() as uow:  # the app's own way: canonical text
        await record(uow.session, actor=Actor(username="ana", source="web", organisation_code="NORD"),
                     action="beds.free_beds_set", object_type="section", object_id=plain,
                     before={"free_beds": 2, "reason": "Secția „ATI”"}, after={"free_beds": 3, "version": 2})
    compact: list[dict[str, object]] = [
        {"object_id": str(section), "actor": "@op.one", "before": '{"free_beds":4,"version":1}',
         "after": '{"free_beds":-1,"hospital_id":1,"version":2}'},
        {"object_id": str(plain), "actor": "op, \"two\"", "client_address": "-1+2", "at": AT.replace(microsecond=0),
         "action": "beds.confirmed", "before": '{"confirmed_at":null}', "after": '{"free_beds":7}'},
        {"object_id": str(plain), "actor": "line\nbreak", "before": '{"free_beds":"5"}', "after": '{"free_beds":2.5}'},
        {"object_id": str(plain), "actor": "\ttab", "before": "{}", "after": '{"free_beds":true}'},
        {"object_id": str(plain), "actor": "+cr\r", "before": "null", "after": '{"free_beds":-3,"note":"a\\"b"}'},
        {"object_type": "hospital", "object_id": str(hospital), "action": "beds.admission_status_set",
         "before": '{"status":"open"}', "after": '{"reason":"=1+1","status":"closed"}'},
        {"object_type": "hospital", "object_id": "999999", "organisation": None, "client_address": None,
         "action": "accounts.login", "before": None, "after": '{"ok":false}'},
        {"object_type": None, "object_id": None, "actor": "", "before": '{"a":[1,{"b":null}]}',
         "after": json.dumps({"spaced": "text, with: separators"})},
    ]
    await _insert(services, compact)
    for zone in (ZoneInfo("Europe/Bucharest"), ZoneInfo("America/Santiago")):
        exported, by_python = await _both_ways(services, zone)
        assert exported == by_python
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) >= 6
    formula = next(row for row in rows if row[4] == "'@op.one")
    assert formula[8] == "'=HYPERLINK(\"http://x\")"  # the section's name, guarded
    assert formula[7] == 'Spitalul "Nord", Iași'
    assert formula[10] == "-1"  # a number stays a number
    assert formula[2] == "2026-03-28T21:59:59.999999-03:00"  # Santiago's local time, to the microsecond
    on_the_second = next(row for row in rows if row[4] == 'op, "two"')
    assert on_the_second[1] == "2026-03-29T00:59:59Z"
    assert on_the_second[13] == "'-1+2"
    assert on_the_second[9] == on_the_second[10] == "7"  # a confirmation leaves the number as it was


async def test_the_export_is_every_row_in_order_across_batches(services: AppServices) -> None:
    """More rows than one batch, some written by Python among those the database writes, newest first."""
    hospital = await make_hospital(services, "NORD")
    section = await make_section(services, hospital, "ATI")
    spaced = '{"free_beds": 1}'
    rows: list[dict[str, object]] = [
        {"object_id": str(section), "before": spaced if n % 7 == 0 else '{"free_beds":0}',
         "after": f'{{"free_beds":{n}}}'} for n in range(export.BATCH + 500)]
    await _insert(services, rows)
    exported, by_python = await _both_ways(services, ZoneInfo("Europe/Bucharest"))
    assert exported == by_python
    lines = list(csv.DictReader(io.StringIO(export._lines([list(export.HEADER)]) + exported)))
    assert [int(line["new_free_beds"]) for line in lines][:3] == [export.BATCH + 499, export.BATCH + 498,
                                                              export.BATCH + 497]
    assert len(lines) == export.BATCH + 500
