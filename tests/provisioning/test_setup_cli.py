"""Setting calendars, closure days and the licence pool from the command line (audited, validated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
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
    assert query(database_url, "SELECT country, timezone FROM provisioning_calendars") == [
        ("CL", "America/Santiago")]
    assert query(database_url, "SELECT size FROM license_pools") == [(40,)]
    assert [row[0] for row in query(database_url, "SELECT action FROM audit_events ORDER BY seq")] == [
        "accounts.organisation_created", "provisioning.calendar_set", "provisioning.closure_day_added",
        "licenses.pool_set"]


@pytest.mark.parametrize(("argv", "message"), [
    (("calendars", "set", "--organisation", "SSMSO", "--country", "XX", "--timezone", "UTC"), "cannot be used"),
    (("calendars", "set", "--organisation", "SSMSO", "--country", "CL", "--timezone", "Mars/Base"),
     "Unknown time zone Mars/Base"),
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
