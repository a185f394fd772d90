"""The table of a catalogue change form: one row per operation, typed without JavaScript, empty rows ignored.

Rows become the operations of ``changing``; a problem the catalogue reports for operation *n* (counted among the
filled rows) finds its row again, so that it is shown next to what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from starlette.datastructures import FormData

from app.kit.forms import positive_id
from app.kit.i18n import _
from app.provisioning.roles.catalogue.versions import CatalogueChangeInvalid, OperationProblem

FIRST_ROWS: Final = 6
MORE_ROWS: Final = 6  # what "More rows" adds
MAX_ROWS: Final = 30
FIELDS: Final = ("op", "specialty", "profession", "capability", "role", "units", "hsa_id", "name")
OPERATION_LABELS: Final = {
    "add_role": _("Add a role"),
    "remove_role": _("Remove a role"),
    "relink_role": _("Re-link a role"),
    "add_unit": _("Add a unit"),
}
NO_OPERATION: Final = _("Choose what this row changes.")
_UNIT_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class OperationRow:
    """One row as typed, with the problems found in it."""

    op: str = ""
    specialty: str = ""
    profession: str = ""
    capability: str = ""
    role: str = ""
    units: str = ""  # HSA-ids separated by commas, spaces or new lines
    hsa_id: str = ""
    name: str = ""
    problems: tuple[OperationProblem, ...] = ()

    @property
    def blank(self) -> bool:
        return not any(str(getattr(self, name)).strip() for name in FIELDS)

    def problems_of(self, name: str) -> list[OperationProblem]:
        """The problems shown next to one field; those of no field of the row go next to the operation."""
        if name == "op":
            return [problem for problem in self.problems if problem.field not in FIELDS[1:]]
        return [problem for problem in self.problems if problem.field == name]

    def operation(self) -> dict[str, Any]:
        op = self.op.strip()
        if op == "add_role":
            return {"op": op, "specialty": self.specialty, "profession": self.profession,
                    "capability": self.capability, "units": unit_list(self.units)}
        if op == "remove_role":
            return {"op": op, "role": self.role}
        if op == "relink_role":
            return {"op": op, "role": self.role, "units": unit_list(self.units)}
        if op == "add_unit":
            return {"op": op, "hsa_id": self.hsa_id.strip(), "name": self.name}
        return {"op": op}


def row_of(values: Mapping[str, str]) -> OperationRow:
    return OperationRow(values["op"], values["specialty"], values["profession"], values["capability"], values["role"],
                        values["units"], values["hsa_id"], values["name"])


def unit_list(text: str) -> list[str]:
    return [part for part in _UNIT_SEPARATORS.split(text) if part]


def row_count(text: str) -> int:
    """How many rows a form asks for (``?rows=12``, or the form's own count): 1 to 30, 6 when not said."""
    return min(positive_id(text.strip()) or FIRST_ROWS, MAX_ROWS)


def blank_rows(count: int = FIRST_ROWS) -> list[OperationRow]:
    return [OperationRow() for _row in range(count)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def rows_from_form(form: FormData) -> list[OperationRow]:
    """Rows 1..rows as typed; the count comes from the form, so that "More rows" needs no JavaScript."""
    count = row_count(_text(form, "rows"))
    return [row_of({name: _text(form, f"{name}-{line}") for name in FIELDS}) for line in range(1, count + 1)]


def with_more_rows(rows: Sequence[OperationRow]) -> list[OperationRow]:
    return [*rows, *blank_rows(max(0, min(MORE_ROWS, MAX_ROWS - len(rows))))]


def rows_from_operations(operations: Iterable[Mapping[str, Any]]) -> list[OperationRow]:
    """A stored proposal as rows (to revise it), with blank rows after it for more."""
    rows = [row_of({name: str(item.get(name) or "") for name in FIELDS}
                   | {"units": ", ".join(str(unit) for unit in item.get("units") or ())}) for item in operations]
    return [*rows, *blank_rows(max(2, FIRST_ROWS - len(rows)))]


def operations_of(rows: Sequence[OperationRow]) -> list[dict[str, Any]]:
    """The operations of the filled rows, in order (a row whose kind of change is not chosen is refused by the
    catalogue as an unknown operation, together with every other problem)."""
    return [row.operation() for row in rows if not row.blank]


def with_problems(rows: Sequence[OperationRow],
                  problems: Iterable[OperationProblem]) -> tuple[list[OperationRow], list[OperationProblem]]:
    """Each problem on the row it is about; those about no row (an empty change) are returned apart."""
    filled = [line for line, row in enumerate(rows) if not row.blank]
    by_row: dict[int, list[OperationProblem]] = {}
    apart: list[OperationProblem] = []
    for problem in problems:
        if 0 <= problem.index < len(filled):
            line = filled[problem.index]
            if problem.field == "op" and not rows[line].op.strip():
                problem = OperationProblem(problem.index, "op", NO_OPERATION)
            by_row.setdefault(line, []).append(problem)
        else:
            apart.append(problem)
    marked = [replace(row, problems=tuple(by_row.get(line, ()))) for line, row in enumerate(rows)]
    return marked, apart


@dataclass(frozen=True)
class ChangeForm:
    """What a change form shows again after a refusal: the texts as typed and the rows with their problems."""

    rows: list[OperationRow]
    description: str = ""
    answer: str = ""
    apart: list[OperationProblem] = field(default_factory=list)

    def refused(self, error: CatalogueChangeInvalid) -> ChangeForm:
        rows, apart = with_problems(self.rows, error.problems)
        return replace(self, rows=rows, apart=apart)
