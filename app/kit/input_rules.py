"""What text the application accepts at all, whatever the field or the file: the rules in one place.

- No NUL character. PostgreSQL's text cannot hold one (asyncpg raises "invalid byte sequence ... 0x00" at
  the INSERT or even at a SELECT's parameter, which was a 500 on every text field), and no legitimate input
  has one. SQLite would store it and cut it off in some tools, so it is refused on both databases alike.
- No lone surrogate (U+D800..U+DFFF without its partner). JSON may spell one as an escape ("\\ud800"); the
  string it gives cannot be encoded as UTF-8, so hashing it for the audit chain or sending it to the database
  failed with UnicodeEncodeError (a 500). Raw UTF-8 cannot carry one: strict decoding refuses it as invalid.
- No document (JSON or YAML) nested deeper than ``MAX_DEPTH``. Python's parsers and our walkers recurse:
  a few thousand brackets ended in RecursionError (a 500). The deepest legitimate document, an IT-order
  catalogue, is 7 levels deep; 32 leaves room and costs nothing.

The HTTP side of these rules is ``app.kit.input_guard`` (query, path, forms, JSON bodies); importers of uploaded
files call ``json_text_problem``/``yaml_text_problem``/``text_problem`` on the decoded text, and
``check_depth`` on what they parsed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from app.kit.errors import ValidationFailed
from app.kit.i18n import _

MAX_DEPTH = 32
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
# A JSON escape: \uXXXX or a backslash and one character. Left to right, so that "\\u0000" (an escaped
# backslash, then the letters u0000) is read as the text it is.
ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)

NUL = "nul"
LONE_SURROGATE = "lone_surrogate"
TOO_DEEP = "too_deep"
MESSAGES = {
    NUL: _("{field} contains a NUL character (code 0), which no text may contain."),
    LONE_SURROGATE: _("{field} contains a lone surrogate (U+D800 to U+DFFF), which is not a character."),
    TOO_DEEP: _("{field} is nested more than {max} levels deep."),
}


class TextRefused(ValidationFailed):
    """Input that breaks one of the rules above: a 422 naming the field and the problem."""

    def __init__(self, problem: str, field: str, *, line: int = 1) -> None:
        super().__init__(MESSAGES[problem], details={"field": field, "problem": problem},
                         **message_params(problem, field))
        self.problem, self.field, self.line = problem, field, line

    @property
    def listed(self) -> tuple[str, dict[str, str | int]]:
        """The message and its parameters, for an importer that lists this problem beside others."""
        return MESSAGES[self.problem], message_params(self.problem, self.field)


@dataclass(frozen=True)
class Found:
    """A broken rule and where: the 1-based line of the text it is on."""

    problem: str
    line: int


def message_params(problem: str, field: str) -> dict[str, str | int]:
    return {"field": field, "max": MAX_DEPTH} if problem == TOO_DEEP else {"field": field}


def shown_name(name: str) -> str:
    """A field name fit for a message, even when the name itself is what breaks a rule."""
    return FORBIDDEN.sub("\ufffd", name)[:80]


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def text_problem(text: str) -> Found | None:
    """The first NUL or surrogate in decoded text (a form field, a CSV file, a query parameter)."""
    match = FORBIDDEN.search(text)
    if match is None:
        return None
    return Found(NUL if match.group() == "\x00" else LONE_SURROGATE, _line_of(text, match.start()))


def check_text(text: str, field: str) -> None:
    found = text_problem(text)
    if found is not None:
        raise TextRefused(found.problem, shown_name(field), line=found.line)


def json_text_problem(text: str) -> Found | None:
    """A NUL or lone surrogate in JSON text, raw or spelled as an escape, found without parsing it."""
    found = text_problem(text)
    if found is not None:
        return found
    high_ends = -1  # where the escape of an unpaired high surrogate ended, or -1
    for match in ESCAPE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else None
        paired = code is not None and 0xDC00 <= code <= 0xDFFF and high_ends == match.start()
        if high_ends >= 0 and not paired:
            return Found(LONE_SURROGATE, _line_of(text, high_ends))
        high_ends = -1
        if code == 0:
            return Found(NUL, _line_of(text, match.start()))
        if code is not None and 0xD800 <= code <= 0xDBFF:
            high_ends = match.end()
        elif code is not None and 0xDC00 <= code <= 0xDFFF and not paired:
            return Found(LONE_SURROGATE, _line_of(text, match.start()))
    return Found(LONE_SURROGATE, _line_of(text, high_ends)) if high_ends >= 0 else None


def depth_of(value: object, *, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and objects nest (a scalar is 0), counted without recursion and up to limit + 1."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list | tuple) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


def check_depth(value: object, field: str) -> None:
    if depth_of(value) > MAX_DEPTH:
        raise TextRefused(TOO_DEEP, field)


def json_loads(text: str, field: str) -> object:
    """``json.loads`` under the rules: a TextRefused for forbidden text or depth, JSONDecodeError for bad JSON."""
    found = json_text_problem(text)
    if found is not None:
        raise TextRefused(found.problem, field, line=found.line)
    try:
        value = json.loads(text)
    except RecursionError:  # thousands of brackets: the C parser's own recursion limit
        raise TextRefused(TOO_DEEP, field) from None
    check_depth(value, field)
    return value


def _event_line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def check_yaml_text(text: str, field: str) -> None:
    found = yaml_text_problem(text)
    if found is not None:
        raise TextRefused(found.problem, field, line=found.line)


def yaml_text_problem(text: str) -> Found | None:
    """Depth and scalar text of a YAML document, read as events (PyYAML's parser is a loop, its composer
    recurses), so that the composer only ever sees a document of bounded depth. Syntax errors are left to
    the caller's own parse, which reports them with their line."""
    found = text_problem(text)
    if found is not None:
        return found
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return Found(TOO_DEEP, _event_line(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and (scalar := text_problem(event.value)) is not None:
                return Found(scalar.problem, _event_line(event))
    except yaml.YAMLError:
        return None
    return None
