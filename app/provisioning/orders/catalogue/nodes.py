"""Reading YAML as composed nodes rather than Python values, so that every value still knows its line.

``yaml.safe_load`` would silently keep the last of two equal keys and lose the line of every value; composing
keeps both. Each reader records a problem (with the node's line and the field's path) and returns None, so that
one pass reports every mistake of a file instead of the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

import yaml

from app.kit.i18n import _
from app.kit.input_rules import TextRefused, check_yaml_text
from app.provisioning.orders.catalogue.definitions import Place
from app.provisioning.orders.catalogue.problems import CatalogueProblem

KEY_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_STR: Final = "tag:yaml.org,2002:str"
_INT: Final = "tag:yaml.org,2002:int"
_BOOL: Final = "tag:yaml.org,2002:bool"
_KIND_NAMES: Final = {
    _STR: _("text"), _INT: _("a number"), "tag:yaml.org,2002:float": _("a number"), _BOOL: _("yes/no"),
    "tag:yaml.org,2002:null": _("nothing"), "tag:yaml.org,2002:timestamp": _("a date"),
}


class _NoAliasLoader(yaml.SafeLoader):
    """Refuses aliases: a catalogue is read by people, and nested aliases can make a small file enormous."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


def compose(text: str, file: str) -> tuple[yaml.Node | None, list[CatalogueProblem]]:
    """The document's root node, or the syntax error with its line. Depth and forbidden text are checked on
    the parser's events first: the composer recurses, and a deep document ended in RecursionError."""
    try:
        check_yaml_text(text, "file")
        return yaml.compose(text, Loader=_NoAliasLoader), []
    except TextRefused as refused:
        message, params = refused.listed
        return None, [CatalogueProblem(file, refused.line, "-", message, params)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or str(error)
        return None, [CatalogueProblem(file, line, "-", _("This is not valid YAML: {reason}."), {"reason": reason})]
    except yaml.YAMLError as error:
        return None, [CatalogueProblem(file, 1, "-", _("This is not valid YAML: {reason}."), {"reason": str(error)})]


class Reader:
    """Collects the problems of one file while its nodes are read."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[CatalogueProblem] = []

    def place(self, node: yaml.Node, path: str) -> Place:
        return Place(self.file, node.start_mark.line + 1, path)

    def report(self, node: yaml.Node, path: str, message: str, **params: str | int) -> None:
        self.problems.append(CatalogueProblem(self.file, node.start_mark.line + 1, path, message, params))

    def fields(self, node: yaml.Node, path: str, *, required: Sequence[str] = (),
               optional: Sequence[str] = ()) -> dict[str, yaml.Node] | None:
        """A mapping's values by key; refuses duplicate and unknown keys and reports missing ones."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, _("Expected a mapping of fields, found {found}."), found=kind_name(node))
            return None
        found: dict[str, yaml.Node] = {}
        allowed = (*required, *optional)
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            where = f"{path}.{key}" if path else key
            if key in found:
                self.report(key_node, where, _("The field {key} is given twice (first on line {first})."),
                            key=key, first=found[key].start_mark.line + 1)
            elif key not in allowed:
                self.report(key_node, where, _("Unknown field {key}; the fields here are: {known}."),
                            key=key or "?", known=", ".join(allowed))
            else:
                found[key] = value
        for name in required:
            if name not in found:
                self.report(node, f"{path}.{name}" if path else name, _("The field {key} is missing."), key=name)
        return found

    def pairs(self, node: yaml.Node, path: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """A free-form mapping's (key, key node, value node); duplicate keys are refused."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, _("Expected a mapping of fields, found {found}."), found=kind_name(node))
            return
        seen: dict[str, int] = {}
        for key_node, value in node.value:
            key = self.key(key_node, f"{path}.?")
            if key is None:
                continue
            if key in seen:
                self.report(key_node, f"{path}.{key}", _("The field {key} is given twice (first on line {first})."),
                            key=key, first=seen[key])
                continue
            seen[key] = key_node.start_mark.line + 1
            yield key, key_node, value

    def items(self, node: yaml.Node, path: str) -> Iterator[tuple[str, yaml.Node]]:
        """A list's items with their paths; nothing (and a problem) when the node is not a list."""
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, path, _("Expected a list, found {found}."), found=kind_name(node))
            return
        for index, item in enumerate(node.value):
            yield f"{path}[{index}]", item

    def text(self, node: yaml.Node, path: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.report(node, path, _("Expected text, found {found}; put it in quotes if it is meant as text."),
                        found=kind_name(node))
            return None
        if not node.value.strip():
            self.report(node, path, _("This text is empty."))
            return None
        return str(node.value).strip()

    def key(self, node: yaml.Node, path: str) -> str | None:
        value = self.text(node, path)
        if value is not None and not KEY_PATTERN.match(value):
            self.report(node, path, _("{value} is not a key: use a-z, 0-9 and _, starting with a letter."),
                        value=value)
            return None
        return value

    def keys(self, node: yaml.Node, path: str) -> list[tuple[str, yaml.Node]]:
        """A list of keys, each with its node (for the line of a later reference check)."""
        found = []
        for where, item in self.items(node, path):
            value = self.key(item, where)
            if value is not None:
                found.append((value, item))
        return found

    def integer(self, node: yaml.Node, path: str, *, minimum: int = 0, maximum: int | None = None) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT or not re.fullmatch(r"[-+]?\d+", node.value):
            self.report(node, path, _("Expected a whole number, found {found}."), found=kind_name(node))
            return None
        value = int(node.value)
        if value < minimum or (maximum is not None and value > maximum):
            self.report(node, path, _("The number must be from {minimum} to {maximum}."),
                        minimum=minimum, maximum=maximum if maximum is not None else "∞")
            return None
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.report(node, path, _("Expected true or false, found {found}."), found=kind_name(node))
            return None
        return node.value.lower() in {"true", "yes", "on", "y"}

    def one_of(self, node: yaml.Node, path: str, allowed: Sequence[str]) -> str | None:
        value = self.text(node, path)
        if value is not None and value not in allowed:
            self.report(node, path, _("{value} is not one of: {known}."), value=value, known=", ".join(allowed))
            return None
        return value

    def reference(self, node: yaml.Node, path: str, known: Sequence[str], unknown: str) -> str | None:
        """A key naming something declared elsewhere in the file; ``unknown`` is the message when it is not."""
        value = self.key(node, path)
        if value is not None and value not in known:
            self.report(node, path, unknown, value=value, known=", ".join(known) or "-")
            return None
        return value


def kind_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return _("a mapping")
    if isinstance(node, yaml.SequenceNode):
        return _("a list")
    return _KIND_NAMES.get(node.tag, _("text"))
