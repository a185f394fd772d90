"""Setting calendars, closure days, the licence pool, the roles module and the IT-order catalogues up from the command
line (audited, validated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.provisioning.orders.catalogue.loader import shipped_text
from tests.test_cli import environ, query


def _run(url: str, tmp_path: Path, *argv: str) -> int:
    return main(list(argv), environ=environ(url, tmp_path))


def test_calendar_closure_and_pool(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(database_url, tmp_path, "organisations", "create", "--code", "SSMSO", "--name", "Servicio",
                "--kind", "health_service") == 0
    assert _run(database_url, tmp_path, "calendars", "set", "--organisation", "SSMSO", "--country", "CL",
                "--timezone", "America/Santiago") == 0
    assert _run(database_url, tmp_path, "calendars", "close", "--organisation", "SSMSO", "--day", "2026-12-07",
                "--reason", "Aniversario comunal") == 0
    assert _run(database_url, tmp_path, "licenses", "pool", "--service", "SSMSO", "--size", "40") == 0
    out = capsys.readouterr().out
    assert "calendar of SSMSO: CL, America/Santiago" in out
    assert "licence pool of SSMSO: 40" in out
    # The zone is the organisation's own (one source of truth, accounts/zones.py), the calendar keeps the holidays.
    assert query(database_url, "SELECT c.country, o.timezone FROM provisioning_calendars c "
                               "JOIN organisations o ON o.id = c.organisation_id") == [("CL", "America/Santiago")]
    assert query(database_url, "SELECT size FROM license_pools") == [(40,)]
    assert [row[0] for row in query(database_url, "SELECT action FROM audit_events ORDER BY seq")] == [
        "accounts.organisation_created", "provisioning.calendar_set", "provisioning.closure_day_added",
        "licenses.pool_set"]


@pytest.mark.parametrize(("argv", "message"), [
    (("calendars", "set", "--organisation", "SSMSO", "--country", "XX", "--timezone", "UTC"), "cannot be used"),
    (("calendars", "set", "--organisation", "SSMSO", "--country", "CL", "--timezone", "Mars/Base"),
     "Mars/Base is not a known time zone"),
    (("calendars", "set", "--organisation", "NOPE", "--timezone", "UTC"), "no organisation with the code NOPE"),
    (("licenses", "pool", "--service", "SSMSO", "--size", "-1"), "whole number from 0"),
])
def test_bad_values_are_refused_with_a_message(database_url: str, tmp_path: Path, argv: tuple[str, ...],
                                               message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(database_url, tmp_path, "organisations", "create", "--code", "SSMSO", "--name", "Servicio",
                "--kind", "health_service") == 0
    assert _run(database_url, tmp_path, *argv) == 1
    assert message in capsys.readouterr().err
    assert query(database_url, "SELECT count(*) FROM audit_events") == [(1,)]


def test_a_roles_unit_and_catalogue_are_set_up(database_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (("--code", "RG", "--name", "Region Gävleborg", "--kind", "region"),
                 ("--code", "VO-KARD", "--name", "VO Kardiologi", "--kind", "care_area", "--parent", "RG"),
                 ("--code", "KARD-AVD", "--name", "Kardiologavdelning", "--kind", "unit", "--parent", "VO-KARD")):
        assert _run(database_url, tmp_path, "organisations", "create", *argv) == 0
    assert _run(database_url, tmp_path, "roles", "unit", "--organisation", "KARD-AVD",
                "--hsa-id", " SE2321000198-E1KA ") == 0
    assert _run(database_url, tmp_path, "roles", "catalogue", "--care-area", "VO-KARD", "--approver", "VO-KARD") == 0
    out = capsys.readouterr().out
    assert "unit KARD-AVD: SE2321000198-E1KA, manager (none)" in out
    assert query(database_url, "SELECT hsa_id FROM role_units") == [("SE2321000198-E1KA",)]
    assert query(database_url, "SELECT current_version FROM role_catalogues") == [(0,)]
    assert [row[0] for row in query(database_url, "SELECT action FROM audit_events ORDER BY seq")][-2:] == [
        "roles.unit_set", "roles.catalogue_created"]


@pytest.mark.parametrize(("argv", "message"), [
    (("roles", "unit", "--organisation", "KARD-AVD", "--hsa-id", "SE2321000199-E1KA"), "wrong check digit"),
    (("roles", "unit", "--organisation", "KARD-AVD", "--hsa-id", "se2321000198-e1ka"), "SE2321000198-E1KA"),
    (("roles", "unit", "--organisation", "VO-KARD", "--hsa-id", "SE2321000198-E1KA"), "is not a unit"),
    (("roles", "unit", "--organisation", "KARD-AVD", "--hsa-id", "SE2321000198-E1KA", "--manager", "nobody"),
     "no user nobody"),
    (("roles", "catalogue", "--care-area", "KARD-AVD", "--approver", "VO-KARD"), "Choose a care area"),
])
def test_bad_roles_setup_is_refused_with_a_message(database_url: str, tmp_path: Path, argv: tuple[str, ...],
                                                   message: str, capsys: pytest.CaptureFixture[str]) -> None:
    for organisation in (("--code", "RG", "--name", "Region", "--kind", "region"),
                         ("--code", "VO-KARD", "--name", "VO", "--kind", "care_area", "--parent", "RG"),
                         ("--code", "KARD-AVD", "--name", "Avd", "--kind", "unit", "--parent", "VO-KARD")):
        assert _run(database_url, tmp_path, "organisations", "create", *organisation) == 0
    assert _run(database_url, tmp_path, *argv) == 1
    assert message in capsys.readouterr().err
    assert query(database_url, "SELECT count(*) FROM audit_events") == [(3,)]


def _orders_organisations(url: str, tmp_path: Path) -> None:
    for argv in (("--code", "RSK", "--name", "Region Skåne", "--kind", "region"),
                 ("--code", "AUD-LUND", "--name", "Hörselmottagningen Lund", "--kind", "unit", "--parent", "RSK"),
                 ("--code", "UPPSALA", "--name", "Uppsala kommun", "--kind", "commune")):
        assert _run(url, tmp_path, "organisations", "create", *argv) == 0


def _catalogue_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_it_order_catalogue_is_installed_shipped_then_from_a_file(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _orders_organisations(database_url, tmp_path)
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "RSK",
                "--shipped", "skane_audiology") == 0
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "RSK",
                "--shipped", "skane_audiology") == 0
    renamed = shipped_text("skane_audiology").replace(
        "name: Region Skåne – personlig IT för audionommottagningar", "name: Region Skåne – audionomer 2026", 1)
    edited = _catalogue_file(tmp_path, "skane_2026.yaml", renamed)
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "RSK", "--file", str(edited)) == 0
    out = capsys.readouterr().out
    assert "catalogue skane_audiology (Region Skåne – personlig IT för audionommottagningar) of RSK: version 1" in out
    assert "installed already (version 1); nothing was changed" in out
    assert "catalogue skane_audiology (Region Skåne – audionomer 2026) of RSK: version 2" in out
    assert query(database_url, "SELECT key, current_version FROM order_catalogues") == [("skane_audiology", 2)]
    assert query(database_url, "SELECT version, file_name FROM order_catalogue_versions ORDER BY version") == [
        (1, "skane_audiology.yaml"), (2, "skane_2026.yaml")]
    assert [row[0] for row in query(database_url, "SELECT action FROM audit_events ORDER BY seq")][-2:] == [
        "orders.catalogue_version_added", "orders.catalogue_version_added"]
    assert query(database_url, "SELECT actor FROM audit_events ORDER BY seq DESC LIMIT 1") == [("<cli>",)]


@pytest.mark.parametrize(("argv", "code", "message"), [
    (("--organisation", "NOPE", "--shipped", "skane_audiology"), 1, "no organisation with the code NOPE"),
    (("--organisation", "AUD-LUND", "--shipped", "skane_audiology"), 1,
     "AUD-LUND is not a region or a municipality (its kind is unit)"),
    (("--organisation", "RSK", "--shipped", "gavleborg"), 2,
     "no shipped catalogue 'gavleborg'; the shipped catalogues are: skane_audiology, uppsala_care_providers"),
    (("--organisation", "RSK", "--file", "missing.yaml"), 2, "cannot read"),
])
def test_a_wrong_it_order_catalogue_setup_is_refused_with_a_message(
        database_url: str, tmp_path: Path, argv: tuple[str, ...], code: int, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    _orders_organisations(database_url, tmp_path)
    assert _run(database_url, tmp_path, "orders", "catalogue", *argv) == code
    assert message in capsys.readouterr().err
    assert query(database_url, "SELECT count(*) FROM order_catalogues") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM audit_events") == [(3,)]


def test_a_catalogue_file_with_mistakes_is_refused_line_by_line(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _orders_organisations(database_url, tmp_path)
    broken = shipped_text("uppsala_care_providers").replace("ordered_by: provider_contact", "ordered_by: boss", 1)
    path = _catalogue_file(tmp_path, "uppsala.yaml", broken)
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "UPPSALA", "--file", str(path)) == 2
    captured = capsys.readouterr()
    problems = [line for line in captured.out.splitlines() if line.startswith("uppsala.yaml line ")]
    assert problems
    assert any("ordered_by" in line and "boss" in line for line in problems)
    assert f"{len(problems)} problem(s) in {path}; nothing was changed." in captured.err
    assert query(database_url, "SELECT count(*) FROM order_catalogues") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM audit_events") == [(3,)]


def test_a_catalogue_another_organisation_keeps_is_refused(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _orders_organisations(database_url, tmp_path)
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "RSK",
                "--shipped", "skane_audiology") == 0
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "UPPSALA",
                "--shipped", "skane_audiology") == 1
    assert _run(database_url, tmp_path, "orders", "catalogue", "--organisation", "UPPSALA",
                "--file", str(_catalogue_file(tmp_path, "mine.yaml", shipped_text("skane_audiology")))) == 2
    err = capsys.readouterr().err
    assert "The catalogue skane_audiology is already kept by RSK." in err
    assert "Another organisation keeps the catalogue skane_audiology" in err
    assert query(database_url, "SELECT current_version FROM order_catalogues") == [(1,)]
