"""The history's CSV lines written by PostgreSQL: each row comes back as its finished line.

What ``app/history/export.py`` does to a row in Python, spelled in SQL: the moments in UTC and in the reader's
zone as ``datetime.isoformat`` writes them (``to_char`` in the transaction's own time zone), the names joined
from arrays (the beds domain gives them; no beds table is read here), the free beds read out of the JSON, the
formula guard of ``app.kit.spreadsheets`` on every text cell, and ``csv.writer``'s minimal quoting
(tests/history/test_export_lines.py holds the two writers to the same bytes).

The stored before/after text is written as it is when it is compact, taken for the canonical text: every JSON column
stores ``canonical_json``'s text (app/kit/db.py's ``json_serializer``), so the app's own events take this path. For
rows written before that (``json.dumps``'s spacing), and any text with a ``\\u`` escape or a ``", "``/``": "``
inside a string, the line is NULL and Python writes it as before. A compact text from some other writer, with
unsorted keys or a number written unlike Python (``-0``, ``1.50``), would be exported as stored.

Measured (bench/history.py's export, 57,500 rows of 200,000 on PostgreSQL, load average 7 to 9 on 2 cores,
medians of interleaved runs): 8,600 to 17,700 rows/s before, 23,000 to 23,700 after, COPY 158,000 to 260,000.
What is left is PostgreSQL's own expression work, by EXPLAIN ANALYZE: the scan and sorts take 220 ms of 1,300
per worker, building the lines the rest, about 16 µs a line here (a cell costs about what COPY spends on a
whole row, and a line has sixteen); issue 24's 0.5× COPY is not reached this way.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, String, Text, bindparam, func, literal_column, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableValuedAlias

from app.beds.interface import SectionName
from app.kit.spreadsheets import FORMULA_STARTS

# The text of one stored JSON column, and whether it can be written as it is.
_JSON = "CAST(audit_events.{0} AS text)"
_COMPACT = ("({0} IS NULL OR (strpos({0}, ': ') = 0 AND strpos({0}, ', ') = 0 AND strpos({0}, '\\u') = 0))")
_STARTS = ", ".join(f"chr({ord(start)})" for start in FORMULA_STARTS)


# A cell that needs more than itself: a formula's first character, or something csv.writer quotes. This one
# regex is the common case's whole cost (guarding and quoting every cell took most of the line's time).
_START_CLASS = "".join(sorted(FORMULA_STARTS, key=lambda start: start != "-")).replace("\t", "\\\\t") \
    .replace("\r", "\\\\r")
_QUOTED_CLASS = '[",\\\\r\\\\n]'
_NEEDS_WORK = f"E'^[{_START_CLASS}]|{_QUOTED_CLASS}'"


def _text_cell(value: str) -> str:
    """A text cell as ``spreadsheet_safe_row`` then ``csv.writer`` write it: a leading apostrophe before a
    formula's first character, quotes around a comma, quote or line break, nothing for NULL."""
    guarded = f"(CASE WHEN left({value}, 1) IN ({_STARTS}) THEN '''' || {value} ELSE {value} END)"
    quoted = (f"(CASE WHEN {value} ~ E'{_QUOTED_CLASS}' THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' "
              f"ELSE {guarded} END)")
    return f"COALESCE(CASE WHEN {value} ~ {_NEEDS_WORK} THEN {quoted} ELSE {value} END, '')"


def _integer(json_value: str) -> str:
    """``queries._int_or_none``: a JSON integer's digits, or NULL (a string, a float, a boolean, nothing)."""
    return f"substring(CAST({json_value} AS text) from '^-?[0-9]+$')"


def _json_cell(column: str) -> str:
    """A JSON object always holds a quote and never starts like a formula: quoted straight away."""
    stored = f"NULLIF({_JSON.format(column)}, 'null')"
    return (f"(CASE WHEN left({stored}, 1) = '{{' AND {stored} <> '{{}}' THEN "
            f"'\"' || replace({stored}, '\"', '\"\"') || '\"' ELSE {_text_cell(stored)} END)")


def _free_beds(column: str) -> str:
    """``queries._int_or_none(values, "free_beds")``. In a flat compact object (the only text this SQL writes)
    the digits after ``"free_beds":`` are read by a regex: parsing the JSON twice a line was a quarter of the
    line's time. A quote inside a canonical string is escaped, so the key cannot be matched inside a value."""
    stored = _JSON.format(column)
    return (f"(CASE WHEN strpos(substr({stored}, 2), '{{') = 0 "
            f"THEN substring({stored} from '\"free_beds\":(-?[0-9]+)[,}}]') "
            f"ELSE {_integer(f'audit_events.{column} -> {chr(39)}free_beds{chr(39)}')} END)")


def _text_cells(values: tuple[str, ...]) -> str:
    """Neighbouring text cells, checked at once: one regex over them all (a formula's first character after
    the start or a separator, or anything csv.writer quotes) instead of one a cell; a hit, which is rare, or a
    separator inside a value (a false hit, never a miss), writes each cell the careful way."""
    joined = f"concat_ws(chr(1), {', '.join(values)})"
    plain = f"concat_ws(',', {', '.join(f'COALESCE({value}, {chr(39)}{chr(39)})' for value in values)})"
    careful = " || ',' || ".join(_text_cell(value) for value in values)
    return f"(CASE WHEN {joined} ~ E'(^|\\\\x01)[{_START_CLASS}]|{_QUOTED_CLASS}' THEN {careful} ELSE {plain} END)"


_NEW = _free_beds("after")
_OLD = f"(CASE WHEN audit_events.action = 'beds.confirmed' THEN {_NEW} ELSE {_free_beds('before')} END)"
_MOMENT = "'YYYY-MM-DD\"T\"HH24:MI:SS.US"
_CELLS = (
    "CAST(audit_events.seq AS text)",
    f"replace(to_char(audit_events.at AT TIME ZONE 'UTC', {_MOMENT}'), '.000000', '') || 'Z'",
    f"replace(to_char(audit_events.at, {_MOMENT}TZH:TZM'), '.000000', '')",
    _text_cells(("audit_events.action", "audit_events.actor", "audit_events.organisation", "audit_events.source",
                 "(CASE WHEN audit_events.object_type = 'hospital' THEN hospitals.name ELSE names.hospital END)",
                 "names.section")),
    f"COALESCE({_OLD}, '')", f"COALESCE({_NEW}, '')",
    _text_cells(("audit_events.object_type", "audit_events.object_id", "audit_events.client_address")),
    _json_cell("before"), _json_cell("after"),
)
LINE = literal_column(
    f"CASE WHEN {_COMPACT.format(_JSON.format('before'))} AND {_COMPACT.format(_JSON.format('after'))} "
    f"THEN {' || chr(44) || '.join(_CELLS)} END", Text)


def section_names_table(names: dict[int, SectionName]) -> TableValuedAlias:
    """The sections' names as a table of three arrays, joined on the event's ``object_id`` (a hash join). One
    JSON object of names, looked up per line, was slower: PostgreSQL reads the whole object again for every
    lookup (17,400 rows/s against 24,100, the bench's export, same run)."""
    ordered = sorted(names.items())
    return func.unnest(
        bindparam("section_ids", [str(id_) for id_, _name in ordered], type_=ARRAY(String)),
        bindparam("section_hospitals", [name.hospital for _id, name in ordered], type_=ARRAY(String)),
        bindparam("section_names", [name.section for _id, name in ordered], type_=ARRAY(String)),
    ).table_valued("id", "hospital", "section").render_derived("names", with_types=False)


def hospital_names_table(hospitals: dict[int, str]) -> TableValuedAlias:
    ordered = sorted(hospitals.items())
    return func.unnest(
        bindparam("hospital_ids", [str(id_) for id_, _name in ordered], type_=ARRAY(String)),
        bindparam("hospital_names", [name for _id, name in ordered], type_=ARRAY(String)),
    ).table_valued("id", "name").render_derived("hospitals", with_types=False)


async def use_zone(session: AsyncSession, zone_key: str) -> None:
    """The transaction's time zone: ``to_char``'s local moment and offset are the reader's."""
    await session.execute(text("SELECT set_config('timezone', :zone, true)"), {"zone": zone_key})

