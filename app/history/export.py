"""CSV of any filtered view, streamed: rows are read in batches and written as they come, never all held.

Each batch is read as plain rows of the columns a line needs and written by one csv writer: building an
ORM object and a HistoryRow for every event, a writer for every line, and waking the database driver for
every row (``async for`` over a stream) took two thirds of the time (bench/history.py, 57,534 rows of
1,000,000 on PostgreSQL: 5,900 rows/s before, 16,000 after, the same machine and load). Building the
canonical JSON encoder once and making a line formula-safe in one pass took 99,727 rows on PostgreSQL
from 14,600 to 16,400 rows/s. What is left, by a cProfile of that run: decoding and re-encoding the
before/after JSON (about 40 %), then the driver's and SQLAlchemy's row handling and the two timestamps.

On PostgreSQL the database writes the lines (``app/history/csv_in_sql.py``) and Python only those it cannot (JSON
stored with ``json.dumps``'s spacing, by versions before every JSON column stored the canonical text): 57,500 rows
of 200,000, 8,600 to 12,200 rows/s before, 23,700 after, COPY 158,000 in the same run (load average 9 on 2 cores).
SQLite keeps the Python writer: 10,800 to 14,200 rows/s on 50,000 of the bench's rows, far from issue 24's 100,000.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.beds.interface import SectionName, hospital_choices, section_names
from app.history.csv_in_sql import LINE, hospital_names_table, section_names_table, use_zone
from app.history.filters import HistoryFilter
from app.history.queries import bed_values, events_query, section_id_of
from app.kit.audit import AuditEvent, canonical_json
from app.kit.i18n import _, translate
from app.kit.spreadsheets import spreadsheet_safe_row

BATCH = 2000
# The reader's scope, computed in the export's own transaction (app/history/scope.py: readable_events).
Readable = Callable[[AsyncSession], Awaitable[ColumnElement[bool]]]
# The header row in the reader's language (a Chilean auditor's spreadsheet reads "acción", not "action"); the
# English column names stay the message ids, so an English export reads as it always did.
HEADER = (_("seq"), _("at_utc"), _("at_local"), _("action"), _("actor"), _("organisation"), _("source"),
          _("hospital"), _("section"), _("old_free_beds"), _("new_free_beds"), _("object_type"), _("object_id"),
          _("client_address"), _("before"), _("after"))
# What a line needs, in the order ``_cells`` unpacks it.
EXPORTED = (AuditEvent.seq, AuditEvent.at, AuditEvent.action, AuditEvent.actor, AuditEvent.organisation,
            AuditEvent.source, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.client_address,
            AuditEvent.before, AuditEvent.after)


def _lines(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _iso_utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _json(values: object) -> str | None:
    return None if values is None else canonical_json(values)


def _cells(row: Sequence[Any], names: dict[int, SectionName], zone: ZoneInfo,
           hospitals: dict[int, str] | None = None) -> list[object]:
    """``hospitals``: names by id for the events about a whole hospital (its admission status, issue 21)."""
    seq, at, action, actor, organisation, source, object_type, object_id, client_address, before, after = row
    section_id = section_id_of(object_type, object_id)
    name = names.get(section_id) if section_id is not None else None
    hospital, section = (name.hospital, name.section) if name else (None, None)
    if object_type == "hospital" and hospitals and object_id and object_id.isdigit():
        hospital = hospitals.get(int(object_id))
    old_value, new_value = bed_values(action, before, after)
    # The csv writer writes None as an empty cell. Only text can start like a formula: the moments and the
    # JSON objects never do, so one pass over the whole line makes the same cells safe as one call per text.
    return spreadsheet_safe_row((
        seq, _iso_utc(at), at.astimezone(zone).isoformat(), action, actor, organisation, source, hospital,
        section, old_value, new_value, object_type, object_id, client_address, _json(before), _json(after)))


async def _python_lines(session: AsyncSession, query: Select[Any], names: dict[int, SectionName], zone: ZoneInfo,
                        hospitals: dict[int, str]) -> AsyncIterator[str]:
    # Through the connection: plain Core rows, without the ORM's loading layer (a tenth of the export's CPU).
    result = await (await session.connection()).stream(
        query.with_only_columns(*EXPORTED).execution_options(yield_per=BATCH))
    async for rows in result.partitions():
        yield _lines([_cells(row, names, zone, hospitals) for row in rows])


async def _postgres_lines(session: AsyncSession, query: Select[Any], names: dict[int, SectionName], zone: ZoneInfo,
                          hospitals: dict[int, str]) -> AsyncIterator[str]:
    """Lines written by PostgreSQL (``csv_in_sql``); the few it leaves NULL written here, a batch at a time."""
    await use_zone(session, zone.key)
    sections, hospital_names = section_names_table(names), hospital_names_table(hospitals)
    lines_query = query.with_only_columns(LINE, AuditEvent.seq) \
        .outerjoin(sections, and_(AuditEvent.object_type == "section", AuditEvent.object_id == sections.c.id)) \
        .outerjoin(hospital_names, and_(AuditEvent.object_type == "hospital",
                                        AuditEvent.object_id == hospital_names.c.id))
    result = await (await session.connection()).stream(lines_query.execution_options(yield_per=BATCH))
    async for rows in result.partitions():
        left = [seq for line, seq in rows if line is None]
        written: dict[int, str] = {}
        if left:  # each line as _lines writes it, less its line end
            written = {row[0]: _lines([_cells(row, names, zone, hospitals)])[:-2] for row in await session.execute(
                select(*EXPORTED).where(AuditEvent.seq.in_(left)))}
        yield "".join((written[seq] if line is None else line) + "\r\n" for line, seq in rows)


async def csv_lines(session_factory: async_sessionmaker[AsyncSession], filters: HistoryFilter,
                    zone: ZoneInfo, readable: Readable | None = None, *, language: str = "en") -> AsyncIterator[str]:
    """The header (in ``language``), then one line per event, newest first (the order of the page). The header
    comes once the query has run, so that a query that fails does so before the first byte (see routes._started)."""
    async with session_factory() as session, session.begin():
        names = await section_names(session)
        hospitals = dict(await hospital_choices(session))
        scope = None if readable is None else await readable(session)
        query = (await events_query(session, filters, scope)).order_by(AuditEvent.seq.desc())
        write = _postgres_lines if session.get_bind().dialect.name == "postgresql" else _python_lines
        batches = write(session, query, names, zone, hospitals)
        first = await anext(batches, "")
        yield _lines([[translate(language, column) for column in HEADER]])
        if first:
            yield first
        async for batch in batches:
            yield batch
