"""The documentation keeps up with the code: settings, links and commands that a reader relies on."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from app.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
SETTINGS = ROOT / "app" / "kit" / "settings.py"
OPERATIONS = DOCS / "operations.md"
# Where a BEDBOARD_* variable may be read: the application, and the test set-up that CI drives.
READERS = [*(ROOT / package for package in ("app", "accounts", "realtime", "tests")), ROOT / ".ci" / "run"]

VARIABLE = re.compile(r"\bBEDBOARD_[A-Z0-9]+(?:_[A-Z0-9]+)*")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto: ...
# A file or folder of the repository named in code spans: `app/beds/service.py`, `app/kit/db.py: UnitOfWork`.
PROJECT_PATH = re.compile(r"`((?:app|accounts|realtime|tests|bench|static|deploy|alembic|docs)/[\w./-]*)[`:]")


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(markdown: str) -> str:
    """The text without code, where a bracket followed by a parenthesis is not a link."""
    return INLINE_CODE.sub("", FENCED_CODE.sub("", markdown))


def links(markdown: str) -> list[str]:
    text = prose(markdown)
    return [*INLINE_LINK.findall(text), *REFERENCE_LINK.findall(text)]


def anchors(markdown: str) -> set[str]:
    """The fragment ids GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCED_CODE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        candidate, number = slug, 0
        while candidate in found:
            number += 1
            candidate = f"{slug}-{number}"
        found.add(candidate)
    return found


def variables_in(path: Path) -> set[str]:
    return set(VARIABLE.findall(path.read_text(encoding="utf-8")))


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the parser, e.g. ``("audit",)`` and ``("audit", "verify")``."""
    found: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                found.append((*prefix, name))
                found.extend(commands(subparser, (*prefix, name)))
    return found


def test_every_setting_is_documented_in_operations() -> None:
    names = variables_in(SETTINGS)
    assert len(names) >= 10, "the settings module no longer reads BEDBOARD_* variables this test can find"
    missing = sorted(names - variables_in(OPERATIONS))
    assert not missing, f"document these in docs/operations.md: {missing}"


def test_operations_documents_no_setting_that_nothing_reads() -> None:
    read: set[str] = set()
    for reader in READERS:
        for path in [reader] if reader.is_file() else reader.rglob("*.py"):
            read |= variables_in(path)
    assert not sorted(variables_in(OPERATIONS) - read)


@pytest.mark.parametrize("document", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_point_to_existing_files(document: Path) -> None:
    broken: list[str] = []
    for target in links(document.read_text(encoding="utf-8")):
        if EXTERNAL.match(target) or target.startswith("#"):
            continue
        path_part, _hash, fragment = target.partition("#")
        linked = (document.parent / path_part.split("?")[0]).resolve()
        if not linked.exists():
            broken.append(f"{target} (no file {linked})")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked.read_text(encoding="utf-8")):
            broken.append(f"{target} (no heading #{fragment} in {linked.name})")
    assert not broken, f"{document.relative_to(ROOT)}: " + "; ".join(broken)


def named_paths(markdown: str) -> list[str]:
    """The repository paths a page names in code spans; a pattern (``*``, ``<lang>``, ``{a,b}``) is not a path."""
    return [path.rstrip("/.") for path in PROJECT_PATH.findall(markdown) if not re.search(r"[*<{]", path)]


@pytest.mark.parametrize("document", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_named_files_exist(document: Path) -> None:
    """A page that names a module sends its reader there: after a move, the page must follow."""
    missing = sorted({path for path in named_paths(document.read_text(encoding="utf-8")) if not (ROOT / path).exists()})
    assert not missing, f"{document.relative_to(ROOT)} names files that do not exist: {missing}"


def test_the_path_finder_sees_paths_and_skips_patterns() -> None:
    text = "`app/kit/db.py: UnitOfWork`, `app/beds/` and `static/js/*.js`, `app/locales/<lang>/x.po`, `python -m`"
    assert named_paths(text) == ["app/kit/db.py", "app/beds"]


def test_links_to_own_headings_exist() -> None:
    broken = [
        f"{document.name}{target}"
        for document in markdown_files()
        for target in links(document.read_text(encoding="utf-8"))
        if target.startswith("#") and target[1:] not in anchors(document.read_text(encoding="utf-8"))
    ]
    assert not broken


def test_the_link_finder_sees_links_and_skips_code() -> None:
    text = "See [ops](docs/operations.md#settings) and ![shot](images/a.png).\n`[no](code.md)`\n" \
           "```\n[no](fenced.md)\n```\n[ref]: docs/api.md\n"
    assert links(text) == ["docs/operations.md#settings", "images/a.png", "docs/api.md"]
    assert anchors("# The `bedboard` command\n## Behind a reverse proxy\n## Behind a reverse proxy\n") == {
        "the-bedboard-command", "behind-a-reverse-proxy", "behind-a-reverse-proxy-1"}


def test_the_command_walk_finds_nested_commands() -> None:
    found = commands(build_parser())
    assert ("serve",) in found
    assert ("audit", "verify") in found


@pytest.mark.parametrize("command", commands(build_parser()), ids=" ".join)
def test_every_command_is_in_the_readme(command: tuple[str, ...]) -> None:
    readme = README.read_text(encoding="utf-8")
    spelled = "bedboard " + " ".join(command)
    assert re.search(rf"\b{re.escape(spelled)}\b", readme), f"README.md does not mention '{spelled}'"
