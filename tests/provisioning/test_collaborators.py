"""Collaborators of a licence request: RUN, full name and gender normalised or refused with a reason; CSV files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.kit.i18n import _
from app.provisioning.core.refusals import InvalidValue
from app.provisioning.licenses.collaborators import (
    GENDERS,
    MAX_NAME,
    MAX_ROWS,
    RUN_FORMAT,
    CollaboratorRow,
    NumberedRow,
    RowErrors,
    normalise_full_name,
    normalise_gender,
    normalise_run,
    parse_collaborator_csv,
    validate_batch,
    validate_row,
)

WRONG_CHECK_DIGIT = "The check digit does not match the number; check both for a typing mistake."
THREE_WORDS = "Give the first name and both surnames, e.g. Alba Plaza Santelices."
IN_FULL = "Write every name in full, without initials or abbreviations."
CATALOGUE = Path(__file__).resolve().parents[2] / "app/locales/es/LC_MESSAGES/licenses.po"
SOURCE = "app/provisioning/licenses/collaborators.py"


def refusal(normalise: Callable[[str], object], text: str) -> str:
    with pytest.raises(InvalidValue) as refused:
        normalise(text)
    return refused.value.reason.text()


# --- RUN ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "canonical"), [
    ("12345678-5", "12345678-5"),
    ("12.345.678-5", "12345678-5"),
    ("  12 345 678 - 5 ", "12345678-5"),
    ("123456785", "12345678-5"),
    ("10000013-K", "10000013-K"),
    ("10000013-k", "10000013-K"),
    ("10.000.013-k", "10000013-K"),
    ("1.000.005-K", "1000005-K"),
    ("012345678-5", "12345678-5"),
    ("12345678\u20135", "12345678-5"),
])
def test_a_run_is_written_without_dots_with_a_hyphen(typed: str, canonical: str) -> None:
    assert normalise_run(typed) == canonical


@pytest.mark.parametrize(("typed", "reason"), [
    ("12345678-9", WRONG_CHECK_DIGIT),  # the seed's own example
    ("12345678-K", WRONG_CHECK_DIGIT),
    ("10000013-0", WRONG_CHECK_DIGIT),
    ("", "Enter the RUN."),
    ("   ", "Enter the RUN."),
    ("12A45678-5", RUN_FORMAT),
    ("CL12345678-5", RUN_FORMAT),
    ("12.34.5678-5", RUN_FORMAT),
    ("12345678--5", RUN_FORMAT),
    ("12345678-55", RUN_FORMAT),
    ("1234567855", "A RUN has 7 or 8 digits before the check digit."),
    ("123456-0", "A RUN has 7 or 8 digits before the check digit."),
    ("123456789-2", "A RUN has 7 or 8 digits before the check digit."),
])
def test_a_wrong_run_is_refused_with_its_reason(typed: str, reason: str) -> None:
    assert refusal(normalise_run, typed) == reason


def test_the_right_check_digit_is_not_revealed() -> None:
    assert "5" not in refusal(normalise_run, "12345678-9")


# --- Full name ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "normalised"), [
    ("alba PLAZA santelices", "Alba Plaza Santelices"),
    ("  Alba   Plaza\tSantelices ", "Alba Plaza Santelices"),
    ("josé ÑUÑEZ rojas", "José Ñuñez Rojas"),
    ("ana maría pérez-cotapos lópez", "Ana María Pérez-Cotapos López"),
    ("ana maría pérez - cotapos lópez", "Ana María Pérez-Cotapos López"),
    ("maría DE LA fuente ruiz", "María de la Fuente Ruiz"),
    ("juan DEL río de los santos", "Juan del Río de los Santos"),
    ("otto VON bismarck soto", "Otto von Bismarck Soto"),
    ("de la fuente ruiz maría", "De la Fuente Ruiz María"),
    ("bernardo o'higgins riquelme", "Bernardo O'Higgins Riquelme"),
    ("bernardo o\u2019higgins riquelme", "Bernardo O'Higgins Riquelme"),
    ("jose\u0301 pe\u0301rez soto", "José Pérez Soto"),
])
def test_a_name_has_initial_capitals_and_lower_case_particles(typed: str, normalised: str) -> None:
    assert normalise_full_name(typed) == normalised


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "Enter the full name."),
    ("Alba Plaza", THREE_WORDS),
    ("María de la Fuente", THREE_WORDS),
    ("Juan A. Pérez López", IN_FULL),
    ("Ma. José Pérez López", IN_FULL),
    ("Juan A Pérez López", IN_FULL),
    ("Juan 2 Pérez López", "A name has only letters, spaces, hyphens and apostrophes; remove 2."),
    ("Ana_María Pérez@López", "A name has only letters, spaces, hyphens and apostrophes; remove @ _."),
    ("-Ana Pérez López", "A hyphen or an apostrophe must join two parts of a name, as in Pérez-Cotapos."),
    ("Ana Pérez López'", "A hyphen or an apostrophe must join two parts of a name, as in Pérez-Cotapos."),
    ("Ana " * 60, "At most 200 characters."),
])
def test_a_wrong_name_is_refused_with_its_reason(typed: str, reason: str) -> None:
    assert refusal(normalise_full_name, typed) == reason


def test_the_longest_name_is_accepted() -> None:
    name = " ".join(["Ana", "Pérez", "López", "A" + "b" * (MAX_NAME - 17)])
    assert len(name) == MAX_NAME
    assert normalise_full_name(name) == name


# --- Gender ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "code"), [
    ("Masculino", "male"), ("FEMENINO", "female"), (" femenino ", "female"), ("Male", "male"),
    ("female", "female"), ("M", "male"), ("f", "female"),
])
def test_a_gender_is_a_code(typed: str, code: str) -> None:
    assert normalise_gender(typed) == code
    assert code in GENDERS


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "Enter the gender: Masculino or Femenino."),
    ("Otro", "Unknown gender Otro; write Masculino or Femenino."),
    ("H", "Unknown gender H; write Masculino or Femenino."),
])
def test_another_gender_is_refused_naming_the_choices(typed: str, reason: str) -> None:
    assert refusal(normalise_gender, typed) == reason


def test_the_gender_labels_are_marked_for_translation() -> None:
    assert GENDERS == {"male": _("Male"), "female": _("Female")}


# --- Rows --------------------------------------------------------------------------------------------


def test_a_valid_row_is_normalised() -> None:
    assert validate_row("alba plaza santelices", "12.345.678-5", "Femenino") == CollaboratorRow(
        "Alba Plaza Santelices", "12345678-5", "female")


def test_a_row_lists_the_reason_for_every_wrong_field() -> None:
    checked = validate_row("Alba Plaza Santelices", "12345678-9", "x")
    assert isinstance(checked, RowErrors)
    assert {name: reason.text() for name, reason in checked.errors.items()} == {
        "run": WRONG_CHECK_DIGIT, "gender": "Unknown gender x; write Masculino or Femenino."}


def test_a_batch_refuses_a_run_listed_twice_on_the_later_line() -> None:
    batch = validate_batch([(1, "Alba Plaza Santelices", "12345678-5", "F"),
                            (2, "Juan Soto Rojas", "12.345.678-5", "M")])
    assert batch.rows == (NumberedRow(1, CollaboratorRow("Alba Plaza Santelices", "12345678-5", "female")),)
    assert [(error.line, error.errors["run"].text()) for error in batch.line_errors] == [
        (2, "This RUN is already listed on line 1.")]
    assert not batch.ok


def test_m_is_ambiguous_in_a_batch_that_uses_hombre_and_mujer() -> None:
    batch = validate_batch([(2, "Alba Plaza Santelices", "12345678-5", "M"),
                            (3, "Juan Soto Rojas", "10000013-K", "H")])
    assert [(error.line, error.errors["gender"].text()) for error in batch.line_errors] == [
        (2, "M may mean Masculino or Mujer in this list; write Masculino or Femenino."),
        (3, "Unknown gender H; write Masculino or Femenino.")]


def test_an_empty_batch_is_refused() -> None:
    assert [reason.text() for reason in validate_batch([]).errors] == ["No collaborators are listed."]


# --- CSV ---------------------------------------------------------------------------------------------


def messages(content: bytes) -> list[str]:
    return [reason.text() for reason in parse_collaborator_csv(content).errors]


def line_messages(content: bytes) -> list[tuple[int, str, str]]:
    return [(error.line, name, reason.text()) for error in parse_collaborator_csv(content).line_errors
            for name, reason in error.errors.items()]


def test_a_comma_separated_file_as_in_the_seed() -> None:
    parsed = parse_collaborator_csv(b"Nombre,RUT,Genero\nalba plaza santelices,12.345.678-5,Femenino\n")
    assert parsed.ok
    assert parsed.rows == (NumberedRow(2, CollaboratorRow("Alba Plaza Santelices", "12345678-5", "female")),)


def test_a_semicolon_separated_utf8_file_with_a_bom() -> None:
    content = "\ufeffNombre completo;RUN;Género\r\nJosé Ñuñez Rojas;10.000.013-k;Masculino\r\n".encode()
    parsed = parse_collaborator_csv(content)
    assert parsed.rows == (NumberedRow(2, CollaboratorRow("José Ñuñez Rojas", "10000013-K", "male")),)


def test_a_windows_1252_file_from_excel() -> None:
    content = "NOMBRE;Rut;GÉNERO\nMaría de la Fuente Ruiz;12345678-5;femenino\n".encode("cp1252")
    assert [row.row.full_name for row in parse_collaborator_csv(content).rows] == ["María de la Fuente Ruiz"]


def test_columns_may_be_in_any_order_with_other_columns_ignored() -> None:
    content = b"Cargo,Sexo,Full name,Establecimiento,run\nTENS,f,alba plaza santelices,CESFAM,12345678-5\n"
    assert parse_collaborator_csv(content).rows[0].row == CollaboratorRow(
        "Alba Plaza Santelices", "12345678-5", "female")


def test_a_missing_column_is_named() -> None:
    assert messages(b"Nombre;Genero\nAlba Plaza Santelices;F\n") == [
        "The header line has no column for the RUN; call it RUN."]


def test_two_columns_for_the_same_field_are_refused() -> None:
    assert messages(b"Nombre,RUN,RUT,Genero\n") == [
        "The columns RUN and RUT hold the same thing; keep one of them."]


def test_bad_lines_are_reported_with_their_spreadsheet_line_numbers() -> None:
    content = ("Nombre,RUN,Genero\n"
               "Alba Plaza Santelices,12345678-5,F\n"
               "\n"
               "Alba Plaza,12345678-9,F\n"
               '"Juan\nSoto Rojas",10000013-K,x\n'
               "Ana Pérez López,10000013-K\n").encode()
    parsed = parse_collaborator_csv(content)
    assert [row.line for row in parsed.rows] == [2]
    assert line_messages(content) == [
        (4, "full_name", THREE_WORDS),
        (4, "run", WRONG_CHECK_DIGIT),
        (5, "gender", "Unknown gender x; write Masculino or Femenino."),
        (7, "run", "This RUN is already listed on line 5."),
        (7, "gender", "Enter the gender: Masculino or Femenino."),
    ]


def test_a_run_listed_twice_names_the_earlier_line() -> None:
    content = b"Nombre;RUN;Genero\nAlba Plaza Santelices;12345678-5;F\nJuan Soto Rojas;12.345.678-5;M\n"
    assert line_messages(content) == [(3, "run", "This RUN is already listed on line 2.")]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "The file is empty."),
    (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
    (b"Nombre;RUN;Genero\r\n", "The file has a header line but no collaborators."),
    (b"Nombre;RUN;Genero\n;;\n", "The file has a header line but no collaborators."),
])
def test_a_file_without_collaborators_is_refused(content: bytes, reason: str) -> None:
    assert messages(content) == [reason]


def test_too_many_rows_are_refused() -> None:
    content = ("Nombre,RUN,Genero\n" + "Ana Pérez López,12345678-5,F\n" * (MAX_ROWS + 1)).encode()
    parsed = parse_collaborator_csv(content)
    assert not parsed.rows
    assert messages(content) == [
        f"{MAX_ROWS + 1} collaborators are listed; at most {MAX_ROWS} fit in one request, so split them."]


def test_a_file_with_broken_quotes_is_refused_with_the_line() -> None:
    assert messages(b'Nombre,RUN,Genero\n"Ana" P\xc3\xa9rez,1,F\n') == [
        "Line 2 cannot be read as CSV: ',' expected after '\"'."]


def test_invisible_characters_are_named_by_their_code() -> None:
    assert line_messages(b"Nombre,RUN,Genero\nAna\x00 P\xc3\xa9rez L\xc3\xb3pez,12345678-5,F\n") == [
        (2, "full_name", "A name has only letters, spaces, hyphens and apostrophes; remove U+0000.")]


# --- Translations ------------------------------------------------------------------------------------


def test_every_message_has_a_spanish_text_with_the_same_placeholders() -> None:
    source = (Path(__file__).resolve().parents[2] / SOURCE).read_text("utf-8")
    marked = {match.group(1) for match in re.finditer(r'\b_\("((?:[^"\\]|\\.)*)"\)', source)}
    with CATALOGUE.open("rb") as catalogue:
        spanish = {str(entry.id): str(entry.string) for entry in read_po(catalogue)
                   if entry.id and entry.string and any(place == SOURCE for place, _line in entry.locations)}
    assert set(spanish) == marked
    for message, text in spanish.items():
        assert set(re.findall(r"\{\w+\}", message)) == set(re.findall(r"\{\w+\}", text)), message
    assert spanish["Male"] == "Masculino"
