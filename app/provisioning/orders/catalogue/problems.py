"""A mistake in a catalogue file, named by file, line and field so that an administrator can go straight to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.kit.errors import ValidationFailed
from app.kit.i18n import _, translate

Params = Mapping[str, str | int]
# Parameters that are themselves message ids (what was found instead of what was expected), translated too.
TRANSLATED_PARAMS = frozenset({"found"})
WHERE = _("{file} line {line}, {field}: {problem}")


@dataclass(frozen=True)
class CatalogueProblem:
    file: str
    line: int
    field: str
    message: str  # an English message id; ``params`` fill its placeholders
    params: Params = dataclasses.field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        params = {name: translate(language, value) if name in TRANSLATED_PARAMS and isinstance(value, str) else value
                  for name, value in self.params.items()}
        problem = translate(language, self.message, **params)
        return translate(language, WHERE, file=self.file, line=self.line, field=self.field, problem=problem)

    def __str__(self) -> str:
        return self.text()

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message,
                "params": dict(self.params), "text": self.text()}


class CatalogueInvalid(ValidationFailed):
    """The file does not describe a usable catalogue; ``problems`` lists every mistake found, in file order."""

    code = "order_catalogue_invalid"

    def __init__(self, problems: Sequence[CatalogueProblem]) -> None:
        ordered = sorted(problems, key=lambda problem: (problem.line, problem.field))
        super().__init__(_("The catalogue file has mistakes; correct them and upload it again."),
                         details={"problems": [problem.as_json() for problem in ordered]})
        self.problems = tuple(ordered)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
