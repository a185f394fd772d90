"""CSV of any filtered view, streamed: rows are read in batches and written as they come, never all held."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit import AuditEvent, canonical_json
from app.history.filters import HistoryFilter
from app.history.queries import HistoryRow, events_query, section_names, to_row
from app.spreadsheets import spreadsheet_safe

BATCH = 2000
HEADER = ("seq", "at_utc", "at_local", "action", "actor", "organisation", "source", "hospital", "section",
          "old_free_beds", "new_free_beds", "object_type", "object_id", "client_address", "before", "after")


def _line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([spreadsheet_safe(value) for value in values])
    return buffer.getvalue()


def _iso_utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def csv_fields(row: HistoryRow, zone: ZoneInfo) -> tuple[object, ...]:
    def as_json(values: object) -> str:
        return "" if values is None else canonical_json(values)

    return (row.seq, _iso_utc(row.at), row.at.astimezone(zone).isoformat(), row.action, row.actor,
            row.organisation or "", row.source, row.hospital or "", row.section or "",
            "" if row.old_value is None else row.old_value, "" if row.new_value is None else row.new_value,
            row.object_type or "", row.object_id or "", row.client_address or "", as_json(row.before),
            as_json(row.after))


async def csv_lines(session_factory: async_sessionmaker[AsyncSession], filters: HistoryFilter,
                    zone: ZoneInfo) -> AsyncIterator[str]:
    """The header, then one line per event, newest first (the order of the page)."""
    yield _line(HEADER)
    async with session_factory() as session, session.begin():
        names = await section_names(session)
        query = (await events_query(session, filters)).order_by(AuditEvent.seq.desc())
        events = await session.stream_scalars(query.execution_options(yield_per=BATCH))
        chunk: list[str] = []
        async for event in events:
            chunk.append(_line(csv_fields(to_row(event, names), zone)))
            if len(chunk) >= BATCH:
                yield "".join(chunk)
                chunk.clear()
        if chunk:
            yield "".join(chunk)
