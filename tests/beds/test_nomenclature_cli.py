"""``bedboard import nomenclature FILE [--yes]``, run in-process like the other command tests (sync)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli import main
from tests.beds.test_nomenclature_support import BASE, EXAMPLES, csv_bytes
from tests.test_cli import environ, scalar

EXAMPLE = str(EXAMPLES / "nomenclature.csv")


def run(database_url: str, tmp_path: Path, *arguments: str) -> int:
    return main(["import", "nomenclature", *arguments], environ=environ(database_url, tmp_path))


def test_the_example_is_imported_with_yes_and_audited(database_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(database_url, tmp_path, EXAMPLE, "--yes") == 0
    out = capsys.readouterr().out
    assert "Sections to add: 14" in out
    assert "  H-FLOR/CHIR-I  Chirurgie generală, secția I" in out
    assert "Sections added: 14" in out
    assert scalar(database_url, "SELECT count(*) FROM sections WHERE retired_at IS NULL") == 14
    assert scalar(database_url, "SELECT count(*) FROM audit_events WHERE action = 'beds.section_added'") == 14
    assert scalar(database_url, "SELECT actor FROM audit_events ORDER BY seq DESC LIMIT 1") == "<cli>"
    assert main(["audit", "verify"], environ=environ(database_url, tmp_path)) == 0
    assert run(database_url, tmp_path, EXAMPLE, "--yes") == 0
    assert "Nothing to change: the database already matches this file." in capsys.readouterr().out


def test_without_yes_it_asks_and_a_no_changes_nothing(database_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert run(database_url, tmp_path, EXAMPLE) == 1
    assert "not confirmed; nothing was changed." in capsys.readouterr().err
    assert scalar(database_url, "SELECT count(*) FROM sections") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert run(database_url, tmp_path, EXAMPLE) == 0
    assert scalar(database_url, "SELECT count(*) FROM sections") == 14


def test_a_file_with_problems_lists_them_and_changes_nothing(database_url: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*BASE, ("H-A", "Spitalul A", "emergency", "X", "X", "spa", "", "-2")]))
    assert run(database_url, tmp_path, str(bad), "--yes") == 1
    captured = capsys.readouterr()
    assert "6, section_type: Unknown section type spa." in captured.out
    assert "6, total_beds: Total beds must be a whole number from 0 to 9999." in captured.out
    assert "2 problem(s)" in captured.err
    assert scalar(database_url, "SELECT count(*) FROM sections") == 0


def test_a_missing_file_is_a_usage_error(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(sqlite_url, tmp_path, str(tmp_path / "nowhere.csv")) == 2
    assert "cannot read" in capsys.readouterr().err
