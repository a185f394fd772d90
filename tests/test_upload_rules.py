"""Uploaded nomenclature, role-catalogue and order-catalogue files under the input rules (issue 18, defects 3, 4, 6).

Before, a deeply nested JSON or YAML file ended in RecursionError (a 500), and an escaped NUL or lone surrogate
reached the audit hash or the database (a 500). Each importer now lists one clear problem with its line.
"""

from __future__ import annotations

import json

import pytest

from app.beds.nomenclature.formats import read
from app.kit.input_rules import MAX_DEPTH, MESSAGES, NUL, json_text_problem, yaml_text_problem
from app.provisioning.orders.catalogue.loader import load_text
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from app.provisioning.roles.catalogue.files import read_roles
from tests.beds.test_nomenclature_support import VOCABULARY

DEEP_JSON = '{"hospitals": ' + "[" * 5000 + "]" * 5000 + "}"
MODERATELY_DEEP_JSON = '{"hospitals": [' + '{"x": ' * 40 + "1" + "}" * 40 + "]}"
DEEP_YAML = "events:\n" + "".join("  " * level + "- \n" for level in range(1, 60))
DEEP_FLOW_YAML = "events: " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.mark.parametrize(("text", "problem"), [
    (DEEP_JSON, "file is nested more than 32 levels deep."),
    (MODERATELY_DEEP_JSON, "file is nested more than 32 levels deep."),
    ('{"hospitals": [{"code": "a\\u0000b"}]}', "file contains a NUL character"),
    ('{"hospitals": [{"code": "\\ud800"}]}', "file contains a lone surrogate"),
])
def test_nomenclature_json(text: str, problem: str) -> None:
    reading = read(text.encode(), "list.json", VOCABULARY)
    assert not reading.ok
    assert [found.text() for found in reading.problems][0].startswith(problem)


def test_nomenclature_csv_with_a_nul_names_its_line() -> None:
    reading = read(b"hospital_code,hospital_name\nA,B\nC,D\x00\n", "list.csv", VOCABULARY)
    assert [(found.where, found.text()) for found in reading.problems] == [
        ("3", "file contains a NUL character (code 0), which no text may contain.")]


@pytest.mark.parametrize(("text", "problem"), [
    ('{"roles": ' + "[" * 5000 + "]" * 5000 + "}", "too_deep"),
    ('{"roles": [{"specialty": "x\\ud83d"}]}', "lone_surrogate"),
    ('{"roles": [{"specialty": "x\\u0000"}]}', "nul"),
])
def test_role_catalogue_json(text: str, problem: str) -> None:
    roles, problems = read_roles(text.encode(), "roller.json", set())
    assert roles == []
    assert len(problems) == 1
    assert (problems[0].message, problems[0].params["field"]) == (MESSAGES[problem], "file")


def test_role_catalogue_csv_with_a_nul() -> None:
    roles, problems = read_roles(b"specialty;profession;capability;units\nx\x00;y;z;\n", "roller.csv", set())
    assert (roles, [(problem.where, problem.message) for problem in problems]) == ([], [("2", MESSAGES[NUL])])


@pytest.mark.parametrize(("text", "message"), [
    (DEEP_YAML, "file is nested more than 32 levels deep."),
    (DEEP_FLOW_YAML, "file is nested more than 32 levels deep."),
    ('key: "a\\0b"\n', "file contains a NUL character"),
    ('key: "a\\ud800b"\n', "file contains a lone surrogate"),
])
def test_order_catalogue_yaml(text: str, message: str) -> None:
    with pytest.raises(CatalogueInvalid) as refused:
        load_text(text, "deep.yaml")
    problems = refused.value.problems
    assert len(problems) == 1
    assert problems[0].text().startswith(message) or message in problems[0].text()


def test_the_escape_scanner_reads_escapes_left_to_right() -> None:
    assert json_text_problem(json.dumps("\U0001f691 plain \\ud800 text")) is None  # a pair; an escaped backslash
    assert json_text_problem('"\\ude91"') is not None  # a low half alone
    assert json_text_problem('"\\ud83d\\n"') is not None  # a high half followed by something else
    assert json_text_problem('"\\ud83d"') is not None  # a high half at the end
    assert json_text_problem('"\\\\\\u0000"') is not None  # an escaped backslash, then a NUL escape
    assert yaml_text_problem("a: [1, 2]\n") is None
    assert yaml_text_problem("a: [1\n") is None  # a syntax error is the loader's to report
    assert MAX_DEPTH == 32
