"""Reading nomenclature files: both formats, and every problem named by its line (or pointer) and field."""

from __future__ import annotations

import pytest

from app.beds.nomenclature.formats import CSV_COLUMNS, read
from app.beds.nomenclature.validation import Reading
from tests.beds.test_nomenclature_support import BASE, VOCABULARY, Line, csv_bytes, json_bytes

HEADER = ",".join(CSV_COLUMNS)


def read_csv(text: str | bytes) -> Reading:
    return read(text.encode() if isinstance(text, str) else text, "list.csv", VOCABULARY)


def where(reading: Reading) -> list[tuple[str, str]]:
    return [(problem.where, problem.field) for problem in reading.problems]


def test_a_comma_separated_file_is_read_into_hospitals_and_sections() -> None:
    reading = read_csv(csv_bytes(BASE))
    assert reading.ok
    assert reading.format == "csv"
    assert [(h.code, h.name, h.type, len(h.sections)) for h in reading.hospitals] == [
        ("H-A", "Spitalul A", "emergency", 3), ("H-B", "Spitalul B", "clinical", 1)]
    chir1 = reading.hospitals[0].sections[2]
    assert (chir1.code, chir1.parent, chir1.total_beds, chir1.where) == ("CHIR-1", "CHIR", 15, "4")


def test_semicolons_a_byte_order_mark_and_quoted_names_with_commas_and_diacritics() -> None:
    lines: list[Line] = [("H-SI", "Spitalul „Sf. Ioan”, București", "emergency", "SC", "Secția; chirurgie, I",
                          "surgery", "", " 12 ")]
    for delimiter in (";", ","):
        reading = read_csv(csv_bytes(lines, delimiter=delimiter, bom=True))
        assert reading.ok, where(reading)
        [hospital] = reading.hospitals
        assert hospital.name == "Spitalul „Sf. Ioan”, București"
        assert hospital.sections[0].name == "Secția; chirurgie, I"
        assert hospital.sections[0].total_beds == 12


def test_a_name_over_two_lines_keeps_the_line_numbers_of_later_rows() -> None:
    text = (f"{HEADER}\n"
            'H1,Spital,emergency,A,"Secția\nA",surgery,,10\n'
            "H1,Spital,emergency,B,Secția B,surgery,,x\n")
    reading = read_csv(text)
    assert where(reading) == [("4", "total_beds")]


def test_a_json_file_is_read_the_same_way() -> None:
    document = {"hospitals": [{"code": "H-A", "name": "Spitalul A", "type": "emergency", "sections": [
        {"code": "CHIR", "name": "Chirurgie", "type": "surgery", "total_beds": 40},
        {"code": "CHIR-1", "name": "Chirurgie I", "type": "surgery", "parent": "CHIR", "total_beds": 15}]},
        {"code": "H-B", "name": "Spitalul B", "type": "clinical", "sections": []}]}
    reading = read(json_bytes(document), "list.json", VOCABULARY)
    assert reading.ok
    assert reading.format == "json"
    assert reading.hospitals[0].sections[1].parent == "CHIR"
    assert reading.hospitals[0].sections[1].where == "/hospitals/0/sections/1"
    assert reading.hospitals[1].sections == ()


def test_the_format_is_told_from_the_name_or_else_the_content() -> None:
    assert read(b'{"hospitals": []}', "upload", VOCABULARY).format == "json"
    assert read(csv_bytes(BASE), "upload", VOCABULARY).format == "csv"
    assert read(csv_bytes(BASE), "LISTA.CSV", VOCABULARY).ok


def test_every_problem_of_a_csv_file_is_reported_with_line_and_field() -> None:
    lines: list[Line] = [
        ("H-A", "Spitalul A", "emergency", "ATI", "ATI", "icu", "", 20),
        ("H-A", "Spitalul A", "emergency", "ATI", "Again", "icu", "", 20),             # 3 duplicate code
        ("H-A", "Spitalul A bis", "clinical", "X", "X", "surgery", "NOPE", 1),          # 4 name, type, parent
        ("H-A", "Spitalul A", "emergency", "Y", "Y", "surgery", "Y", "1.5"),            # 5 self parent, beds
        ("H-A", "Spitalul A", "emergency", "Z", "Z", "spa", "", 10000),                 # 6 type, beds
        ("H-A", "Spitalul A", "emergency", "W", "W", "surgery", "Z2", 1),              # 7 parent missing
        ("H-A", "Spitalul A", "emergency", "Z2", "Z2", "surgery", "ATI", 1),            # 8 fine
        ("H-A", "Spitalul A", "emergency", "Z3", "Z3", "surgery", "Z2", 1),             # 9 nested
        ("", "Fără cod", "emergency", "Q", "Q", "surgery", "", 1),                      # 10 code
        ("H B", "x" * 201, "castle", "a" * 41, "", "", "", ""),                          # 11 many
    ]
    reading = read_csv(csv_bytes(lines))
    found = where(reading)
    assert [int(line) for line, _field in found] == sorted(int(line) for line, _field in found)
    assert set(found) == {
        ("3", "section_code"), ("4", "hospital_name"), ("4", "hospital_type"), ("4", "parent_section_code"),
        ("5", "parent_section_code"), ("5", "total_beds"), ("6", "section_type"), ("6", "total_beds"),
        ("7", "parent_section_code"), ("9", "parent_section_code"), ("10", "hospital_code"),
        ("11", "hospital_code"), ("11", "hospital_name"), ("11", "hospital_type"), ("11", "section_code"),
        ("11", "section_name"), ("11", "section_type"), ("11", "total_beds")}
    assert reading.hospitals == ()


def test_problem_messages_say_what_is_wrong() -> None:
    lines: list[Line] = [("H-A", "A", "spa", "X", "X", "surgery", "", "-3")]
    texts = {problem.field: problem.text() for problem in read_csv(csv_bytes(lines)).problems}
    assert texts["hospital_type"] == ("Unknown hospital type spa. Valid codes: clinical, emergency, paediatric, "
                                      "specialised.")
    assert texts["total_beds"] == "Total beds must be a whole number from 0 to 9999."


@pytest.mark.parametrize(("text", "expected"), [
    ("", [("1", "-")]),
    ("hospital_code,hospital_name\nH,A\n", [
        ("1", "hospital_type"), ("1", "section_code"), ("1", "section_name"), ("1", "section_type"),
        ("1", "parent_section_code"), ("1", "total_beds")]),
    (f"{HEADER},notes\n", [("1", "notes")]),
    (f"{HEADER}\n", [("1", "-")]),
    (f"{HEADER}\nH,A,emergency,S,S,surgery,,1,extra\nH,A,emergency\n", [("2", "-"), ("3", "-")]),
    (f"{HEADER}\nH,A,emergency,S,S,surgery,,1,,\n", []),
])
def test_problems_of_the_csv_layout(text: str, expected: list[tuple[str, str]]) -> None:
    assert where(read_csv(text)) == expected


def test_a_file_that_is_not_utf8_names_the_line() -> None:
    content = f"{HEADER}\nH,Spitalul Colentina Bucureşti,emergency,S,S,surgery,,1\n".encode("cp1250")
    reading = read_csv(content)
    assert where(reading) == [("2", "-")]
    assert "UTF-8" in reading.problems[0].text()


@pytest.mark.parametrize(("document", "expected"), [
    ("{", [("1", "-")]),
    ([], [("/", "hospitals")]),
    ({"hospitals": [], "version": 2}, [("/", "version")]),
    ({"hospitals": []}, [("/hospitals", "-")]),
    ({"hospitals": ["H"]}, [("/hospitals/0", "-")]),
    ({"hospitals": [{"code": "H", "name": 5, "type": "emergency", "sections": {}, "x": 1}]},
     [("/hospitals/0", "x"), ("/hospitals/0", "sections"), ("/hospitals/0", "name")]),
    ({"hospitals": [{"code": "H", "name": "A", "type": "emergency", "sections": [
        {"code": "S", "name": "S", "type": "surgery", "total_beds": True},
        {"code": "T", "name": "T", "type": "surgery", "total_beds": 2.5},
        {"code": "U", "name": "U", "type": "surgery", "total_beds": "3"},
        "V"]}]},
     [("/hospitals/0/sections/0", "total_beds"), ("/hospitals/0/sections/1", "total_beds"),
      ("/hospitals/0/sections/3", "-")]),
    ({"hospitals": [{"code": "H", "name": "A", "type": "emergency"}, {"code": "H", "name": "B", "type": "clinical"}]},
     [("/hospitals/1", "code")]),
])
def test_problems_of_a_json_file_are_named_by_pointer(document: object, expected: list[tuple[str, str]]) -> None:
    content = document.encode() if isinstance(document, str) else json_bytes(document)
    assert where(read(content, "list.json", VOCABULARY)) == expected


def test_the_first_place_of_a_duplicate_is_named() -> None:
    lines: list[Line] = [("H", "A", "emergency", "S", "S", "surgery", "", 1),
                         ("H", "A", "emergency", "S", "S", "surgery", "", 1)]
    [problem] = read_csv(csv_bytes(lines)).problems
    assert problem.text() == "The section S is listed twice for this hospital (first at 2)."
