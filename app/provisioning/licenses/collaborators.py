"""The collaborators a licence request names: full name, RUN and gender, typed in a table or uploaded as CSV.

The health service's form asks for "first name and both surnames, initial capitals only", "RUN without dots
and with a hyphen" and "Masculino or Femenino". People type these every which way, so each value is
normalised to that form when it is unambiguous and refused with a reason otherwise. Pure CPU, no database:
routes run CSV parsing in a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from stdnum.cl import rut
from stdnum.exceptions import InvalidChecksum, ValidationError

from app.kit.i18n import _
from app.provisioning.core.refusals import InvalidValue, Reason

Field = Literal["full_name", "run", "gender"]
Gender = Literal["male", "female"]
T = TypeVar("T")
FIELD_LABELS: Mapping[Field, str] = {"full_name": _("Full name"), "run": _("RUN"), "gender": _("Gender")}
GENDERS: Mapping[Gender, str] = {"male": _("Male"), "female": _("Female")}
MAX_NAME = 200
MAX_ROWS = 500
RUN_FORMAT = _("Write the RUN as digits, a hyphen and the check digit (0-9 or K), e.g. 12345678-5.")
# Word-processor dashes and apostrophes count as the plain ones: they arrive by copy and paste.
_TYPOGRAPHY = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                             "\u2019": "'", "\u02bc": "'"})
_RUN_SHAPE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)-?([0-9K])\Z")
# One-word particles; "de la", "de los" ... are runs of these.
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "da", "di", "do", "dos", "das"})
_GENDER_WORDS: Mapping[str, Gender] = {"masculino": "male", "male": "male", "m": "male",
                                       "femenino": "female", "female": "female", "f": "female"}
# In "Hombre/Mujer" sheets M means Mujer: where these appear, an "M" in the same batch is not read as Masculino.
_HOMBRE_MUJER = frozenset({"h", "hombre", "mujer"})
_COLUMNS: Mapping[Field, tuple[str, ...]] = {
    "full_name": ("Nombre", "Nombre completo", "Full name", "Name"),
    "run": ("RUN", "RUT"),
    "gender": ("Género", "Genero", "Gender", "Sexo"),
}


@dataclass(frozen=True)
class CollaboratorRow:
    full_name: str
    run: str
    gender: Gender


@dataclass(frozen=True)
class RowErrors:
    """The reason for each refused field of one row; fields that passed are absent."""

    errors: Mapping[Field, Reason]


@dataclass(frozen=True)
class NumberedRow:
    line: int
    row: CollaboratorRow


@dataclass(frozen=True)
class LineErrors:
    line: int
    errors: Mapping[Field, Reason]


@dataclass(frozen=True)
class Batch:
    """Every row of a table or file checked: the valid ones, each refused line's reasons, and reasons that
    concern the whole (empty, missing column, too many rows). Line numbers are as a spreadsheet shows them."""

    rows: tuple[NumberedRow, ...]
    line_errors: tuple[LineErrors, ...] = ()
    errors: tuple[Reason, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.line_errors and not self.errors


ParsedCsv = Batch  # what parse_collaborator_csv returns: a file is a batch


# --- RUN ---------------------------------------------------------------------------------------------


def normalise_run(text: str) -> str:
    """ "12.345.678-5", "12 345 678-5" and "123456785" are "12345678-5"; "10000013-k" is "10000013-K"."""
    compact = "".join(text.translate(_TYPOGRAPHY).split()).upper()
    if not compact:
        raise InvalidValue(_("Enter the RUN."))
    shape = _RUN_SHAPE.match(compact)
    if shape is None:
        raise InvalidValue(RUN_FORMAT)
    # Leading zeros do not change the check digit ("012345678-5" is the same person as "12345678-5").
    body, check = shape.group(1).replace(".", "").lstrip("0"), shape.group(2)
    if not 7 <= len(body) <= 8:
        raise InvalidValue(_("A RUN has 7 or 8 digits before the check digit."))
    try:
        rut.validate(body + check)
    except InvalidChecksum:
        # The right digit is deliberately not revealed: a mismatch usually means a mistyped number, and
        # "correcting" the check digit instead would turn it into the valid RUN of somebody else.
        raise InvalidValue(_("The check digit does not match the number; check both for a typing mistake.")) from None
    except ValidationError:
        raise InvalidValue(RUN_FORMAT) from None
    return f"{body}-{check}"


# --- Full name ---------------------------------------------------------------------------------------


def _capitalise(word: str) -> str:
    """Each part of "pérez-cotapos" or "o'higgins" gets its capital: "Pérez-Cotapos", "O'Higgins"."""
    parts = re.split(r"([-'])", word)
    return "".join(part[:1].upper() + part[1:].lower() for part in parts)


def _refuse_characters(name: str) -> None:
    if "." in name:
        raise InvalidValue(_("Write every name in full, without initials or abbreviations."))
    stray = sorted({char for char in name if char not in " -'" and unicodedata.category(char)[0] not in "LM"})
    if stray:
        raise InvalidValue(_("A name has only letters, spaces, hyphens and apostrophes; remove {characters}."),
                           characters=" ".join(char if char.isprintable() else f"U+{ord(char):04X}" for char in stray))


def normalise_full_name(text: str) -> str:
    """ "maría DE LA fuente ruiz" is "María de la Fuente Ruiz": first name and both surnames, initial capitals."""
    name = unicodedata.normalize("NFC", text.translate(_TYPOGRAPHY))
    name = re.sub(r"\s*-\s*", "-", " ".join(name.split()))
    if not name:
        raise InvalidValue(_("Enter the full name."))
    if len(name) > MAX_NAME:
        raise InvalidValue(_("At most {max} characters."), max=MAX_NAME)
    _refuse_characters(name)
    words = name.split(" ")
    if any(not part for word in words for part in re.split(r"[-']", word)):
        raise InvalidValue(_("A hyphen or an apostrophe must join two parts of a name, as in Pérez-Cotapos."))
    names = [word for word in words if word.casefold() not in _PARTICLES]
    if any(len(word) == 1 for word in names):
        raise InvalidValue(_("Write every name in full, without initials or abbreviations."))
    if len(names) < 3:
        raise InvalidValue(_("Give the first name and both surnames, e.g. Alba Plaza Santelices."))
    return " ".join(word.casefold() if index and word.casefold() in _PARTICLES else _capitalise(word)
                    for index, word in enumerate(words))


# --- Gender ------------------------------------------------------------------------------------------


def folded(text: str) -> str:
    """Case, accents and spacing do not matter when matching words: "  Género " matches "genero"."""
    decomposed = unicodedata.normalize("NFD", " ".join(text.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_gender(text: str) -> Gender:
    """Masculino/Femenino, Male/Female or M/F, in any case, as the code "male" or "female"."""
    word = folded(text)
    if not word:
        raise InvalidValue(_("Enter the gender: Masculino or Femenino."))
    gender = _GENDER_WORDS.get(word)
    if gender is None:
        raise InvalidValue(_("Unknown gender {value}; write Masculino or Femenino."), value=text.strip())
    return gender


# --- Rows and batches --------------------------------------------------------------------------------


def _attempt(normalise: Callable[[str], T], raw: str, name: Field, errors: dict[Field, Reason]) -> T | None:
    try:
        return normalise(raw)
    except InvalidValue as refused:
        errors[name] = refused.reason
        return None


def validate_row(full_name: str, run: str, gender: str) -> CollaboratorRow | RowErrors:
    """Every field is checked, so that one look at the row shows all that needs correcting."""
    errors: dict[Field, Reason] = {}
    checked_name = _attempt(normalise_full_name, full_name, "full_name", errors)
    checked_run = _attempt(normalise_run, run, "run", errors)
    checked_gender = _attempt(normalise_gender, gender, "gender", errors)
    if checked_name is None or checked_run is None or checked_gender is None:
        return RowErrors(errors)
    return CollaboratorRow(checked_name, checked_run, checked_gender)


def _run_or_none(text: str) -> str | None:
    try:
        return normalise_run(text)
    except InvalidValue:
        return None


def validate_batch(entries: Iterable[tuple[int, str, str, str]]) -> Batch:
    """Checks (line, full name, RUN, gender) entries as one request: also no RUN twice, at most MAX_ROWS."""
    listed = list(entries)
    if not listed:
        return Batch((), errors=(Reason(_("No collaborators are listed.")),))
    if len(listed) > MAX_ROWS:
        too_many = _("{count} collaborators are listed; at most {max} fit in one request, so split them.")
        return Batch((), errors=(Reason(too_many, {"count": len(listed), "max": MAX_ROWS}),))
    hombre_mujer = any(folded(gender) in _HOMBRE_MUJER for *_rest, gender in listed)
    rows: list[NumberedRow] = []
    line_errors: list[LineErrors] = []
    first_lines: dict[str, int] = {}
    for line, full_name, run, gender in listed:
        checked = validate_row(full_name, run, gender)
        errors = dict(checked.errors) if isinstance(checked, RowErrors) else {}
        canonical = _run_or_none(run)
        if canonical is not None and canonical in first_lines:
            errors["run"] = Reason(_("This RUN is already listed on line {first}."), {"first": first_lines[canonical]})
        elif canonical is not None:
            first_lines[canonical] = line
        if hombre_mujer and folded(gender) == "m":
            errors["gender"] = Reason(_("M may mean Masculino or Mujer in this list; write Masculino or Femenino."))
        if errors:
            line_errors.append(LineErrors(line, {name: errors[name] for name in FIELD_LABELS if name in errors}))
        elif isinstance(checked, CollaboratorRow):
            rows.append(NumberedRow(line, checked))
    return Batch(tuple(rows), tuple(line_errors))


# --- CSV ---------------------------------------------------------------------------------------------

_ALIASES: Mapping[str, Field] = {folded(alias): name for name, aliases in _COLUMNS.items() for alias in aliases}
_MISSING: Mapping[Field, str] = {
    "full_name": _("The header line has no column for the full name; call it Nombre."),
    "run": _("The header line has no column for the RUN; call it RUN."),
    "gender": _("The header line has no column for the gender; call it Género."),
}


def decode_text(content: bytes) -> str:
    """UTF-8 (Excel's "CSV UTF-8" starts with a BOM) or else Windows-1252, what Excel in Chile saves as "CSV"."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:  # five bytes are undefined in Windows-1252; Latin-1 reads every byte
        return content.decode("latin-1")


def guess_delimiter(text: str) -> str:
    # No column title holds a comma or a semicolon, so the header line has more of its separator than of any other
    # (csv.Sniffer guesses from data lines too, where names and dotted RUNs mislead it).
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=header_line.count)


def _columns(header: list[str]) -> tuple[dict[Field, int], list[Reason]]:
    positions: dict[Field, int] = {}
    reasons: list[Reason] = []
    for index, title in enumerate(header):
        name = _ALIASES.get(folded(title))
        if name is not None and name in positions:
            reasons.append(Reason(_("The columns {first} and {second} hold the same thing; keep one of them."),
                                  {"first": header[positions[name]].strip(), "second": title.strip()}))
        elif name is not None:
            positions[name] = index
    reasons.extend(Reason(message) for name, message in _MISSING.items() if name not in positions)
    return positions, reasons


def _entries(reader: Iterator[list[str]], line_num: Callable[[], int],
             positions: Mapping[Field, int]) -> Iterator[tuple[int, str, str, str]]:
    """Data lines as (line, full name, RUN, gender); blank lines are skipped, other columns ignored."""
    ended = line_num()
    for cells in reader:
        # A record starts on the line after the previous one ended (a quoted value may span lines).
        line, ended = ended + 1, line_num()
        if any(cell.strip() for cell in cells):
            full_name, run, gender = (cells[positions[name]] if positions[name] < len(cells) else ""
                                      for name in ("full_name", "run", "gender"))
            yield line, full_name, run, gender


def parse_collaborator_csv(content: bytes) -> ParsedCsv:
    """A file with a header line naming the columns (Nombre, RUN, Género ...) and one collaborator per line."""
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(text), strict=True)
    try:
        header = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
        if header is None:
            return Batch((), errors=(Reason(_("The file is empty.")),))
        positions, reasons = _columns(header)
        if reasons:
            return Batch((), errors=tuple(reasons))
        entries = list(_entries(reader, lambda: reader.line_num, positions))
    except csv.Error as error:
        return Batch((), errors=(Reason(_("Line {line} cannot be read as CSV: {reason}."),
                                        {"line": reader.line_num, "reason": str(error)}),))
    if not entries:
        return Batch((), errors=(Reason(_("The file has a header line but no collaborators.")),))
    return validate_batch(entries)
