"""The two file formats of the nomenclature, read into drafts: CSV (one line per section) and JSON (nested).

Both are UTF-8, with or without a byte-order mark. CSV takes a comma or a semicolon, whichever the header
line uses (Romanian spreadsheets export with semicolons). See docs/nomenclature.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath

from app.beds.nomenclature.validation import (
    SECTION_FIELDS,
    Format,
    HospitalDraft,
    Problem,
    Reading,
    SectionDraft,
    Vocabulary,
    clean_name,
    validate,
)
from app.kit.i18n import _
from app.kit.input_rules import TextRefused, check_text, json_loads

CSV_COLUMNS = ("hospital_code", "hospital_name", "hospital_type", "section_code", "section_name", "section_type",
               "parent_section_code", "total_beds")
HOSPITAL_COLUMNS = {"code": "hospital_code", "name": "hospital_name", "type": "hospital_type"}
# Optional (issue 22): a file without them leaves the hospitals' locations as they are.
LOCATION_COLUMNS = {"latitude": "hospital_latitude", "longitude": "hospital_longitude"}
SECTION_COLUMNS = SECTION_FIELDS["csv"]
JSON_HOSPITAL_KEYS = frozenset({"code", "name", "type", "latitude", "longitude", "sections"})
JSON_SECTION_KEYS = frozenset(SECTION_FIELDS["json"])

Row = tuple[int, dict[str, str]]
UPLOAD_FIELD = "file"  # the form field of the upload, named in a refusal by app.kit.input_rules
NOT_UTF8 = _("The file is not UTF-8 text. Save it as 'CSV UTF-8' or as JSON and try again.")
OTHER_NAME = _("The hospital {code} has another name on line {first}; every line must name it the same way.")
OTHER_TYPE = _("The hospital {code} has another type on line {first}; every line must give it the same type.")
OTHER_PLACE = _("The hospital {code} has another location on line {first}; every line must give it the same one.")


def decode(content: bytes) -> tuple[str, Problem | None]:
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        return "", Problem(str(line), "-", NOT_UTF8)


def detect_format(file_name: str, text: str) -> Format:
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".json", ".csv"):
        return "json" if suffix == ".json" else "csv"
    return "json" if text.lstrip().startswith(("{", "[")) else "csv"


def read(content: bytes, file_name: str, vocabulary: Vocabulary) -> Reading:
    """Parses and validates a whole file; the result lists every problem found."""
    text, problem = decode(content)
    file_format = detect_format(file_name, text)
    if problem is not None:
        return Reading(file_format, (), (problem,))
    try:
        drafts, problems = read_json(text) if file_format == "json" else read_csv(text)
    except TextRefused as refused:  # a NUL, a lone surrogate or a nesting too deep: nothing else is read
        message, params = refused.listed
        return Reading(file_format, (), (Problem(str(refused.line), "-", message, params),))
    return validate(drafts, vocabulary, file_format, problems)


# --- CSV ---------------------------------------------------------------------------------------------


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = [Problem("1", name, _("This column is missing from the header line."))
                for name in CSV_COLUMNS if name not in columns]
    seen: set[str] = set()
    for name in columns:
        if name and name not in CSV_COLUMNS and name not in LOCATION_COLUMNS.values():
            problems.append(Problem("1", name, _("Unknown column. The columns are: {columns}."),
                                    {"columns": ", ".join((*CSV_COLUMNS, *LOCATION_COLUMNS.values()))}))
        elif name in seen:
            problems.append(Problem("1", name, _("This column appears twice.")))
        seen.add(name)
    return problems


def _rows(reader: Iterator[list[str]], line_num: Callable[[], int], columns: list[str],
          problems: list[Problem]) -> Iterator[Row]:
    """Data lines as (line number, column -> value); a line with the wrong number of fields is a problem."""
    ended = line_num()
    for fields in reader:
        # A record starts on the line after the previous one ended (a quoted name may span lines).
        line, ended = ended + 1, line_num()
        values = [value.strip() for value in fields]
        if not any(values):
            continue
        extra = values[len(columns):]
        if len(values) < len(columns) or any(extra):
            problems.append(Problem(str(line), "-", _("This line has {count} fields; the header has {expected}."),
                                    {"count": len(values), "expected": len(columns)}))
            continue
        yield line, {name: value for name, value in zip(columns, values, strict=False) if name}


def _group(rows: Iterator[Row], problems: list[Problem]) -> list[HospitalDraft]:
    """One draft per hospital code, in order of first appearance; each line must name it the same way."""
    drafts: list[HospitalDraft] = []
    by_code: dict[str, HospitalDraft] = {}
    for line, values in rows:
        code = values["hospital_code"]
        draft = by_code.get(code) if code else None
        if draft is None:
            draft = HospitalDraft(str(line), {key: values[column] for key, column in
                                              (*HOSPITAL_COLUMNS.items(), *LOCATION_COLUMNS.items())
                                              if column in values})
            drafts.append(draft)
            if code:
                by_code[code] = draft
        else:
            _same_hospital(draft, line, values, problems)
        if any(values[column] for column in SECTION_COLUMNS.values()):
            draft.sections.append(SectionDraft(str(line), {key: values[column]
                                                           for key, column in SECTION_COLUMNS.items()}))
    return drafts


def _same_hospital(draft: HospitalDraft, line: int, values: Mapping[str, str], problems: list[Problem]) -> None:
    code, first = values["hospital_code"], draft.where
    if clean_name(values["hospital_name"]) != clean_name(str(draft.values["name"])):
        problems.append(Problem(str(line), "hospital_name", OTHER_NAME,
                                {"code": code, "first": first}))
    if values["hospital_type"] != draft.values["type"]:
        problems.append(Problem(str(line), "hospital_type", OTHER_TYPE,
                                {"code": code, "first": first}))
    for key, column in LOCATION_COLUMNS.items():
        if column in values and values[column] != draft.values[key]:
            problems.append(Problem(str(line), column, OTHER_PLACE, {"code": code, "first": first}))


def read_csv(text: str) -> tuple[list[HospitalDraft], list[Problem]]:
    check_text(text, UPLOAD_FIELD)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return [], [Problem("1", "-", _("The file is empty."))]
        columns = [name.strip().lower() for name in header]
        problems.extend(_header_problems(columns))
        if any(name not in columns for name in CSV_COLUMNS):
            return [], problems
        return _group(_rows(reader, lambda: reader.line_num, columns, problems), problems), problems
    except csv.Error as error:
        problems.append(Problem(str(reader.line_num), "-", _("This line cannot be read as CSV: {reason}."),
                                {"reason": str(error)}))
        return [], problems


# --- JSON --------------------------------------------------------------------------------------------


def _unknown_keys(where: str, item: Mapping[str, object], known: frozenset[str]) -> list[Problem]:
    return [Problem(where, str(key), _("Unknown field.")) for key in item if key not in known]


def _json_sections(where: str, value: object, problems: list[Problem]) -> list[SectionDraft]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(where, "sections", _("Expected a list.")))
        return []
    sections: list[SectionDraft] = []
    for index, item in enumerate(value):
        pointer = f"{where}/sections/{index}"
        if not isinstance(item, dict):
            problems.append(Problem(pointer, "-", _("Expected an object.")))
            continue
        problems.extend(_unknown_keys(pointer, item, JSON_SECTION_KEYS))
        sections.append(SectionDraft(pointer, {key: item.get(key) for key in JSON_SECTION_KEYS}))
    return sections


def read_json(text: str) -> tuple[list[HospitalDraft], list[Problem]]:
    try:
        document = json_loads(text, UPLOAD_FIELD)
    except json.JSONDecodeError as error:
        return [], [Problem(str(error.lineno), "-", _("The file is not valid JSON: {reason}."),
                            {"reason": error.msg})]
    hospitals = document.get("hospitals") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(hospitals, list):
        return [], [Problem("/", "hospitals", _("The file must be an object with a list named hospitals."))]
    problems = _unknown_keys("/", document, frozenset({"hospitals"}))
    drafts: list[HospitalDraft] = []
    for index, item in enumerate(hospitals):
        where = f"/hospitals/{index}"
        if not isinstance(item, dict):
            problems.append(Problem(where, "-", _("Expected an object.")))
            continue
        problems.extend(_unknown_keys(where, item, JSON_HOSPITAL_KEYS))
        values = {key: item.get(key) for key in ("code", "name", "type")}
        values.update({key: item[key] for key in ("latitude", "longitude") if key in item})
        drafts.append(HospitalDraft(where, values, _json_sections(where, item.get("sections"), problems)))
    return drafts, problems
