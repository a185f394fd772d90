"""A catalogue version as a file, and a file as the catalogue's next version: preview, then apply what was seen.

CSV has the columns specialty;profession;capability;units (the units' HSA-ids joined by ","), UTF-8 with a
byte-order mark so that spreadsheets read it as UTF-8; JSON is ``{"roles": [{"specialty", "profession",
"capability", "units": [...]}]}``. The file is the whole catalogue. Importing first shows the difference from the
current version and every mistake (CSV line or JSON pointer, and field); applying re-reads the file, compares it
with the catalogue as it is then and makes a new version only if the difference is still the one previewed (same
fingerprint). Nothing is kept between the two steps: the caller sends the file again with the fingerprint.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.kit.input_rules import TextRefused, check_text, json_loads
from app.kit.spreadsheets import FORMULA_STARTS, spreadsheet_safe
from app.provisioning.roles import scope
from app.provisioning.roles.catalogue.versions import (
    CatalogueDiff,
    CatalogueRole,
    current_roles,
    diff,
    hsa_problem,
    load_catalogue,
    make_role,
    new_version,
    region_unit_ids,
    role_part_problems,
    version_roles,
)
from app.provisioning.roles.models import CatalogueVersion

COLUMNS = ("specialty", "profession", "capability", "units")
JSON_ROLE_KEYS = frozenset(COLUMNS)
# An export names its catalogue and version; an import reads only the roles.
JSON_TOP_KEYS = frozenset({"roles", "care_area", "version"})
MAX_FILE_BYTES = 5 * 1024 * 1024
UPLOAD_FIELD = "file"  # the form field of the upload, named in a refusal by app.kit.input_rules
Params = Mapping[str, str | int]
LISTED_AGAIN = _("The role {role} is listed again (first at {first}).")
NOT_UTF8 = _("The file is not UTF-8 text. Save it as 'CSV UTF-8' or as JSON and try again.")


@dataclass(frozen=True)
class ImportProblem:
    where: str  # a CSV line number or a JSON pointer such as /roles/3
    field: str
    message: str
    params: Params = dataclasses.field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"where": self.where, "field": self.field, "message": self.message, "params": dict(self.params)}


@dataclass(frozen=True)
class Draft:
    where: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class ImportPreview:
    catalogue_id: int
    base_version: int
    roles: tuple[CatalogueRole, ...]
    diff: CatalogueDiff | None  # None when the file has problems
    problems: tuple[ImportProblem, ...]
    fingerprint: str

    @property
    def ok(self) -> bool:
        return not self.problems


class CatalogueFileTooLarge(DomainError):
    code = "file_too_large"
    status = 413


class CatalogueFileInvalid(ValidationFailed):
    code = "role_catalogue_file_invalid"


class CatalogueChangedSincePreview(Conflict):
    code = "role_catalogue_changed"


# --- Export ------------------------------------------------------------------------------------------------


def roles_csv(roles: Sequence[CatalogueRole]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for role in roles:
        writer.writerow([spreadsheet_safe(value) for value in
                         (role.specialty, role.profession, role.capability, ",".join(role.units))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def roles_json(roles: Sequence[CatalogueRole], *, care_area: str, version: int) -> bytes:
    document = {"care_area": care_area, "version": version, "roles": [role.stored() for role in roles]}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


async def export_version(session: AsyncSession, catalogue_id: int, number: int | None = None, *,
                         file_format: str = "csv") -> bytes:
    """One version (the current one unless ``number``) as CSV or JSON."""
    catalogue = await load_catalogue(session, catalogue_id)
    number = catalogue.current_version if number is None else number
    roles = await version_roles(session, catalogue_id, number)
    if file_format == "json":
        area = await session.get(Organisation, catalogue.care_area_id)
        return roles_json(roles, care_area=area.code if area else "", version=number)
    return roles_csv(roles)


# --- Reading -----------------------------------------------------------------------------------------------


def _unquoted(value: str) -> str:
    """Undoes ``spreadsheet_safe``: an exported "'=x" reads back as "=x"."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _csv_drafts(text: str) -> tuple[list[Draft], list[ImportProblem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "," if first_line.count(",") > first_line.count(";") else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[ImportProblem] = []
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not header:
            return [], [ImportProblem("1", "-", _("The file is empty."))]
        problems = [ImportProblem("1", name, _("This column is missing from the header line."))
                    for name in COLUMNS if name not in header]
        problems += [ImportProblem("1", name, _("Unknown column. The columns are: {columns}."),
                                   {"columns": ";".join(COLUMNS)}) for name in header if name not in COLUMNS]
        if problems:
            return [], problems
        return list(_csv_rows(reader, lambda: reader.line_num, header)), problems
    except csv.Error as error:
        return [], [ImportProblem(str(reader.line_num), "-", _("This line cannot be read as CSV: {reason}."),
                                  {"reason": str(error)})]


def _csv_rows(reader: Iterator[list[str]], line_num: Callable[[], int], header: list[str]) -> Iterator[Draft]:
    ended = line_num()
    for fields in reader:
        # A record starts on the line after the previous one ended (a quoted name may span lines).
        line, ended = ended + 1, line_num()
        values = [_unquoted(value.strip()) for value in fields]
        if not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        units = [unit.strip() for unit in row.get("units", "").split(",") if unit.strip()]
        yield Draft(str(line), {**row, "units": units})


def _json_drafts(text: str) -> tuple[list[Draft], list[ImportProblem]]:
    try:
        document = json_loads(text, UPLOAD_FIELD)
    except json.JSONDecodeError as error:
        return [], [ImportProblem(str(error.lineno), "-", _("The file is not valid JSON: {reason}."),
                                  {"reason": error.msg})]
    roles = document.get("roles") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(roles, list):
        return [], [ImportProblem("/", "roles", _("The file must be an object with a list named roles."))]
    problems = [ImportProblem("/", str(key), _("Unknown field.")) for key in document if key not in JSON_TOP_KEYS]
    drafts: list[Draft] = []
    for index, item in enumerate(roles):
        where = f"/roles/{index}"
        if not isinstance(item, dict):
            problems.append(ImportProblem(where, "-", _("Expected an object.")))
            continue
        problems += [ImportProblem(where, str(key), _("Unknown field.")) for key in item if key not in JSON_ROLE_KEYS]
        drafts.append(Draft(where, item))
    return drafts, problems


def _checked(drafts: Sequence[Draft], known_units: set[str]) -> tuple[list[CatalogueRole], list[ImportProblem]]:
    roles: dict[str, tuple[str, CatalogueRole]] = {}
    problems: list[ImportProblem] = []
    for draft in drafts:
        values = draft.values
        parts = (values.get("specialty"), values.get("profession"), values.get("capability"))
        found = [ImportProblem(draft.where, part.field, part.message, part.params)
                 for part in role_part_problems(*parts)]
        units = values.get("units")
        hsa_ids: list[str] = []
        if not isinstance(units, list):
            found.append(ImportProblem(draft.where, "units", _("List the units as HSA-ids.")))
            units = []
        for unit in units:
            hsa_id, problem = hsa_problem(unit)
            if problem is not None:
                found.append(ImportProblem(draft.where, "units", problem.message, problem.params))
            elif hsa_id not in known_units:
                found.append(ImportProblem(draft.where, "units", _("The unit {hsa_id} is not a unit of the region."),
                                           {"hsa_id": str(hsa_id)}))
            else:
                hsa_ids.append(str(hsa_id))
        problems += found
        if found:
            continue
        role = make_role(str(parts[0]), str(parts[1]), str(parts[2] or ""), hsa_ids)
        first = roles.get(role.key.casefold())
        if first is not None:
            problems.append(ImportProblem(draft.where, "specialty", LISTED_AGAIN,
                                          {"role": role.key, "first": first[0]}))
        else:
            roles[role.key.casefold()] = (draft.where, role)
    return sorted((role for _where, role in roles.values()), key=lambda role: role.key), problems


def read_roles(content: bytes, file_name: str, known_units: set[str]) -> tuple[list[CatalogueRole],
                                                                             list[ImportProblem]]:
    """Every role of a file, or every problem in it (pure CPU: run it in a worker thread)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [ImportProblem(str(content[:error.start].count(b"\n") + 1), "-", NOT_UTF8)]
    suffix = PurePath(file_name).suffix.lower()
    is_json = suffix == ".json" or (suffix != ".csv" and text.lstrip().startswith(("{", "[")))
    try:
        if not is_json:
            check_text(text, UPLOAD_FIELD)
        drafts, problems = _json_drafts(text) if is_json else _csv_drafts(text)
    except TextRefused as refused:  # a NUL, a lone surrogate or a nesting too deep: nothing else is read
        message, params = refused.listed
        return [], [ImportProblem(str(refused.line), "-", message, params)]
    roles, found = _checked(drafts, known_units)
    problems += found
    if not drafts and not problems:
        # An empty file would remove every role: far more likely a wrong file than the intent.
        problems.append(ImportProblem("/roles" if is_json else "1", "-", _("The file lists no roles.")))
    return roles, problems


# --- Importing ---------------------------------------------------------------------------------------------


def _check(actor: Actor) -> None:
    if not permissions.may(actor, permissions.ROLES_CATALOGUE_STEWARD):
        raise PermissionDenied(_("Only a catalogue steward may import a role catalogue."))


async def preview_import(session: AsyncSession, *, actor: Actor, catalogue_id: int, file_name: str,
                         content: bytes) -> ImportPreview:
    """What the file would change in the current version, or every mistake in it. Nothing is written."""
    _check(actor)
    if len(content) > MAX_FILE_BYTES:
        raise CatalogueFileTooLarge(_("The file is larger than {limit} MB."), limit=MAX_FILE_BYTES // (1024 * 1024))
    catalogue = await load_catalogue(session, catalogue_id)
    await scope.require_steward(session, actor, catalogue.care_area_id, catalogue_id=catalogue_id)  # apply too
    known = await region_unit_ids(session, catalogue.care_area_id)
    roles, problems = await asyncio.to_thread(read_roles, content, file_name, known)
    if problems:
        return ImportPreview(catalogue_id, catalogue.current_version, (), None, tuple(problems), "")
    change = diff(await current_roles(session, catalogue_id), roles)
    return ImportPreview(catalogue_id, catalogue.current_version, tuple(roles), change, (), change.fingerprint())


async def apply_import(session: AsyncSession, *, actor: Actor, catalogue_id: int, file_name: str, content: bytes,
                       fingerprint: str, reason: str) -> CatalogueVersion:
    """Makes the file the catalogue's next version if it still changes exactly what was previewed."""
    _check(actor)
    await load_catalogue(session, catalogue_id, for_update=True)
    preview = await preview_import(session, actor=actor, catalogue_id=catalogue_id, file_name=file_name,
                                   content=content)
    if preview.diff is None:
        raise CatalogueFileInvalid(_("The file has mistakes; correct them and import it again."),
                                   details={"problems": [problem.as_json() for problem in preview.problems]})
    if preview.fingerprint != fingerprint:
        raise CatalogueChangedSincePreview(_("The catalogue changed since the preview; review it again."),
                                           details={"version": preview.base_version})
    version = await new_version(session, actor=actor, catalogue_id=catalogue_id, roles=preview.roles, reason=reason)
    await audit.record(session, actor=actor, action="roles.catalogue_imported", object_type="role_catalogue",
                       object_id=catalogue_id, after={"version": version.number, "sha256": hashlib.sha256(
                           content).hexdigest(), "file_name": PurePath(file_name).name[:255]})
    return version
