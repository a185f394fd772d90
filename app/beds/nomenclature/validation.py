"""The ministry's approved list (nomenclature) read from a file: parsed, then validated as a whole.

Reading never stops at the first mistake: it collects every problem, each naming where it is (a CSV line
number or a JSON pointer such as ``/hospitals/3/sections/2``) and which field, so that one corrected file
passes. The work here is pure CPU with no database: routes run it in a worker thread.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from app.beds.models import MAX_TOTAL_BEDS
from app.beds.nomenclature.locations import Location, read_location
from app.kit.i18n import _

Format = Literal["csv", "json"]
MAX_HOSPITAL_CODE = 20  # hospitals.short_code; the organisation's code is the same
MAX_SECTION_CODE = 40
MAX_NAME = 200
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
BAD_CODE = _("A code has only letters, digits and . _ / - and starts with a letter or a digit.")
NESTED_TOO_DEEP = _("The parent {code} is itself a sub-section; only one level of nesting is allowed.")

# The names a problem gives a field, as the file spells it: CSV columns, or JSON keys.
HOSPITAL_FIELDS: Mapping[Format, Mapping[str, str]] = {
    "csv": {"code": "hospital_code", "name": "hospital_name", "type": "hospital_type",
            "latitude": "hospital_latitude", "longitude": "hospital_longitude"},
    "json": {"code": "code", "name": "name", "type": "type", "latitude": "latitude", "longitude": "longitude"},
}
SECTION_FIELDS: Mapping[Format, Mapping[str, str]] = {
    "csv": {"code": "section_code", "name": "section_name", "type": "section_type",
            "parent": "parent_section_code", "total_beds": "total_beds"},
    "json": {"code": "code", "name": "name", "type": "type", "parent": "parent", "total_beds": "total_beds"},
}


@dataclass(frozen=True)
class Problem:
    """One mistake: where (CSV line or JSON pointer), which field, and an English message id with params."""

    where: str
    field: str
    message: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)

    def text(self) -> str:
        return self.message.format(**self.params) if self.params else self.message


@dataclass(frozen=True)
class Vocabulary:
    """The type codes a file may use (the seeded hospital and section types)."""

    hospital_types: frozenset[str]
    section_types: frozenset[str]


@dataclass
class SectionDraft:
    where: str
    values: dict[str, object]


@dataclass
class HospitalDraft:
    where: str
    values: dict[str, object]
    sections: list[SectionDraft] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class SectionEntry:
    code: str
    name: str
    type: str
    parent: str | None
    total_beds: int
    where: str


@dataclass(frozen=True)
class HospitalEntry:
    code: str
    name: str
    type: str
    where: str
    sections: tuple[SectionEntry, ...]
    # ``located``: the file gives the hospital's location (app/beds/nomenclature/locations.py); ``location`` is
    # then the truth (None: it has none). Not given: its location stays as it is.
    location: Location | None = None
    located: bool = False


@dataclass(frozen=True)
class Reading:
    format: Format
    hospitals: tuple[HospitalEntry, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def section_count(self) -> int:
        return sum(len(hospital.sections) for hospital in self.hospitals)


def clean_name(value: str) -> str:
    """Names are compared and stored with runs of spaces collapsed: "Chirurgie  I " is "Chirurgie I"."""
    return " ".join(value.split())


class Checker:
    """Validates drafts field by field, collecting every problem instead of stopping at the first."""

    def __init__(self, vocabulary: Vocabulary, file_format: Format) -> None:
        self.vocabulary = vocabulary
        self.format = file_format
        self.problems: list[Problem] = []

    def report(self, where: str, name: str, message: str, **params: str | int) -> None:
        self.problems.append(Problem(where, name, message, params))

    def text(self, where: str, name: str, value: object, limit: int) -> str | None:
        if value is None or value == "":
            self.report(where, name, _("This field is required."))
            return None
        if not isinstance(value, str):
            self.report(where, name, _("This must be text."))
            return None
        text = clean_name(value)
        if not text:
            self.report(where, name, _("This field is required."))
            return None
        if len(text) > limit:
            self.report(where, name, _("At most {max} characters."), max=limit)
            return None
        return text

    def code(self, where: str, name: str, value: object, limit: int) -> str | None:
        text = self.text(where, name, value, limit)
        if text is not None and not CODE_PATTERN.match(text):
            self.report(where, name, BAD_CODE)
            return None
        return text

    def type_code(self, where: str, name: str, value: object, known: frozenset[str], hospital: bool) -> str | None:
        text = self.text(where, name, value, 40)
        if text is not None and text not in known:
            codes = ", ".join(sorted(known))
            if hospital:
                self.report(where, name, _("Unknown hospital type {value}. Valid codes: {codes}."), value=text,
                            codes=codes)
            else:
                self.report(where, name, _("Unknown section type {value}. Valid codes: {codes}."), value=text,
                            codes=codes)
            return None
        return text

    def total_beds(self, where: str, name: str, value: object) -> int | None:
        if value is None or value == "":
            self.report(where, name, _("This field is required."))
            return None
        number: int | None = None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
            number = int(value.strip())
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        if number is None or not 0 <= number <= MAX_TOTAL_BEDS:
            self.report(where, name, _("Total beds must be a whole number from 0 to {max}."), max=MAX_TOTAL_BEDS)
            return None
        return number

    def hospital(self, draft: HospitalDraft) -> HospitalEntry | None:
        names, values, where = HOSPITAL_FIELDS[self.format], draft.values, draft.where
        code = self.code(where, names["code"], values.get("code"), MAX_HOSPITAL_CODE)
        name = self.text(where, names["name"], values.get("name"), MAX_NAME)
        kind = self.type_code(where, names["type"], values.get("type"), self.vocabulary.hospital_types, True)
        sections = self.sections(draft.sections)
        located = "latitude" in values or "longitude" in values
        location, problems = read_location(values.get("latitude"), values.get("longitude"))
        for problem in problems:
            self.report(where, names[problem.which], problem.message)
        if code is None or name is None or kind is None or sections is None or problems:
            return None
        return HospitalEntry(code, name, kind, where, sections, location, located)

    def section(self, draft: SectionDraft) -> SectionEntry | None:
        names, values, where = SECTION_FIELDS[self.format], draft.values, draft.where
        code = self.code(where, names["code"], values.get("code"), MAX_SECTION_CODE)
        name = self.text(where, names["name"], values.get("name"), MAX_NAME)
        kind = self.type_code(where, names["type"], values.get("type"), self.vocabulary.section_types, False)
        total = self.total_beds(where, names["total_beds"], values.get("total_beds"))
        parent_value = values.get("parent")
        parent = None if parent_value in (None, "") else self.code(where, names["parent"], parent_value,
                                                                   MAX_SECTION_CODE)
        if code is None or name is None or kind is None or total is None:
            return None
        if parent_value not in (None, "") and parent is None:
            return None
        return SectionEntry(code, name, kind, parent, total, where)

    def sections(self, drafts: Sequence[SectionDraft]) -> tuple[SectionEntry, ...] | None:
        entries = [self.section(draft) for draft in drafts]
        self.check_parents(drafts)
        valid = self.unique_sections(entry for entry in entries if entry is not None)
        return tuple(valid) if len(valid) == len(drafts) else None

    def unique_sections(self, entries: Iterable[SectionEntry]) -> list[SectionEntry]:
        first: dict[str, SectionEntry] = {}
        for entry in entries:
            if entry.code in first:
                self.report(entry.where, SECTION_FIELDS[self.format]["code"],
                            _("The section {code} is listed twice for this hospital (first at {first})."),
                            code=entry.code, first=first[entry.code].where)
            else:
                first[entry.code] = entry
        return list(first.values())

    def check_parents(self, drafts: Sequence[SectionDraft]) -> None:
        """Checked on the raw codes, so that a parent with a mistake elsewhere is still found."""
        def raw(draft: SectionDraft, key: str) -> str:
            value = draft.values.get(key)
            return value.strip() if isinstance(value, str) else ""

        parents = {raw(draft, "code"): raw(draft, "parent") for draft in drafts}
        name = SECTION_FIELDS[self.format]["parent"]
        for draft in drafts:
            code, parent = raw(draft, "code"), raw(draft, "parent")
            if not parent or not code:
                continue
            if parent == code:
                self.report(draft.where, name, _("A section cannot be its own parent."))
            elif parent not in parents:
                self.report(draft.where, name, _("The parent {code} is not a section of this hospital in the file."),
                            code=parent)
            elif parents[parent]:
                self.report(draft.where, name, NESTED_TOO_DEEP, code=parent)


def validate(drafts: Sequence[HospitalDraft], vocabulary: Vocabulary, file_format: Format,
             problems: Sequence[Problem] = ()) -> Reading:
    """Turns drafts into entries; any problem (including those of parsing) means nothing may be applied."""
    checker = Checker(vocabulary, file_format)
    checker.problems.extend(problems)
    hospitals: dict[str, HospitalEntry] = {}
    for draft in drafts:
        entry = checker.hospital(draft)
        if entry is None:
            continue
        if entry.code in hospitals:
            checker.report(entry.where, HOSPITAL_FIELDS[file_format]["code"],
                           _("The hospital {code} is listed again (first at {first})."), code=entry.code,
                           first=hospitals[entry.code].where)
            continue
        hospitals[entry.code] = entry
    if not drafts and not checker.problems:
        # An empty list would retire every hospital: far more likely a wrong file than the ministry's intent.
        checker.report("1" if file_format == "csv" else "/hospitals", "-", _("The file lists no hospitals."))
    return Reading(file_format, tuple(hospitals.values()), tuple(sorted(checker.problems, key=_place)))


def _place(problem: Problem) -> tuple[int, ...]:
    """Problems in file order: by line, or by the indexes of a JSON pointer (a stable sort keeps fields)."""
    return tuple(int(number) for number in re.findall(r"\d+", problem.where))
