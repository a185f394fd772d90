"""Role catalogues as versioned data: every change stores the catalogue's whole next state, so that any two
versions can be compared and nothing is ever edited in place.

A role has three parts, specialty, profession and capability (seed 001: "specialitet, yrke och
subspecialitet (s.k. Kapabilitet)"), and is linked to the units (by HSA-id) where one may log in as it.
Changes arrive as operations (add_role, remove_role, relink_role, add_unit); ``apply_operations`` is pure and
reports every problem at once, each with the index of its operation.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import session_now
from app.kit.errors import Conflict, NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.hsa_ids import InvalidIdentifier, normalise_hsa_id
from app.provisioning.roles.models import CatalogueVersion, RoleCatalogue, RoleUnit

MAX_PART = 100
MAX_UNIT_NAME = 200
SEPARATOR = " / "
Params = Mapping[str, str | int]
NO_CATALOGUE = _("There is no such role catalogue.")
SLASH = _("A part of a role may not contain a slash (/): it separates the parts of the role's name.")
NO_APPROVER = _("Choose the care area whose head of operations approves changes.")
UNKNOWN_UNIT = _("The unit {hsa_id} is not a unit of the region; add it first.")


@dataclass(frozen=True)
class CatalogueRole:
    key: str
    specialty: str
    profession: str
    capability: str
    units: tuple[str, ...]  # HSA-ids, sorted

    def stored(self) -> dict[str, Any]:
        return {"specialty": self.specialty, "profession": self.profession, "capability": self.capability,
                "units": list(self.units)}


@dataclass(frozen=True)
class PartProblem:
    field: str
    message: str
    params: Params = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class OperationProblem:
    index: int
    field: str
    message: str
    params: Params = dataclasses.field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"index": self.index, "field": self.field, "message": self.message, "params": dict(self.params)}


class CatalogueChangeInvalid(ValidationFailed):
    code = "role_catalogue_change_invalid"

    def __init__(self, problems: Sequence[OperationProblem]) -> None:
        super().__init__(_("The change to the role catalogue has mistakes."),
                         details={"problems": [problem.as_json() for problem in problems]})
        self.problems = tuple(problems)


def clean(value: str) -> str:
    return " ".join(value.split())


def role_key(specialty: str, profession: str, capability: str = "") -> str:
    """ "Kardiologi / Sjuksköterska / Hjärtsvikt"; without a capability only the first two parts."""
    return SEPARATOR.join(part for part in (clean(specialty), clean(profession), clean(capability)) if part)


def make_role(specialty: str, profession: str, capability: str, units: Iterable[str]) -> CatalogueRole:
    specialty, profession, capability = clean(specialty), clean(profession), clean(capability)
    return CatalogueRole(role_key(specialty, profession, capability), specialty, profession, capability,
                         tuple(sorted(set(units))))


def role_part_problems(specialty: object, profession: object, capability: object) -> list[PartProblem]:
    """Specialty and profession are required; no part longer than 100 characters or holding a "/"."""
    problems: list[PartProblem] = []
    for name, value in (("specialty", specialty), ("profession", profession), ("capability", capability)):
        if value is None or (value == "" and name == "capability"):
            value = ""
        if not isinstance(value, str):
            problems.append(PartProblem(name, _("A part of a role must be text.")))
        elif not clean(value) and name == "specialty":
            problems.append(PartProblem(name, _("Enter the specialty.")))
        elif not clean(value) and name == "profession":
            problems.append(PartProblem(name, _("Enter the profession.")))
        elif len(clean(value)) > MAX_PART:
            problems.append(PartProblem(name, _("A part of a role has at most {max} characters."), {"max": MAX_PART}))
        elif "/" in value:
            problems.append(PartProblem(name, SLASH))
    return problems


def hsa_problem(value: object) -> tuple[str | None, PartProblem | None]:
    """The HSA-id normalised, or why it is not one."""
    if not isinstance(value, str):
        return None, PartProblem("units", _("List the units as HSA-ids."))
    try:
        return normalise_hsa_id(value), None
    except InvalidIdentifier as error:
        return None, PartProblem("units", error.reason.message, dict(error.reason.params))


def roles_from_stored(stored: Iterable[Mapping[str, Any]]) -> list[CatalogueRole]:
    return [make_role(item["specialty"], item["profession"], item.get("capability") or "", item.get("units") or ())
            for item in stored]


# --- Operations (pure) -----------------------------------------------------------------------------------

OPERATIONS = ("add_role", "remove_role", "relink_role", "add_unit")


class _Change:
    """The roles as the operations go, and every problem met on the way."""

    def __init__(self, roles: Iterable[CatalogueRole], known_units: set[str]) -> None:
        self.roles = {role.key.casefold(): role for role in roles}
        self.known = known_units
        self.problems: list[OperationProblem] = []

    def report(self, index: int, problem: PartProblem) -> None:
        self.problems.append(OperationProblem(index, problem.field, problem.message, problem.params))

    def units(self, index: int, value: object) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.report(index, PartProblem("units", _("List the units as HSA-ids.")))
            return None
        found: list[str] = []
        for item in value:
            hsa_id, problem = hsa_problem(item)
            if problem is not None:
                self.report(index, problem)
            elif hsa_id not in self.known:
                self.report(index, PartProblem("units", UNKNOWN_UNIT, {"hsa_id": str(hsa_id)}))
            else:
                found.append(str(hsa_id))
        return tuple(found) if len(found) == len(value) else None

    def existing(self, index: int, value: object) -> CatalogueRole | None:
        role = self.roles.get(value.casefold()) if isinstance(value, str) else None
        if role is None:
            self.report(index, PartProblem("role", _("The role {role} is not in the catalogue."),
                                           {"role": str(value or "")}))
        return role

    def add_role(self, index: int, operation: Mapping[str, Any]) -> None:
        parts = (operation.get("specialty"), operation.get("profession"), operation.get("capability"))
        problems = role_part_problems(*parts)
        for problem in problems:
            self.report(index, problem)
        units = self.units(index, operation.get("units", []))
        if problems:
            return
        role = make_role(str(parts[0]), str(parts[1]), str(parts[2] or ""), units or ())
        if role.key.casefold() in self.roles:
            self.report(index, PartProblem("specialty", _("The role {role} is already in the catalogue."),
                                           {"role": role.key}))
        elif units is not None:
            self.roles[role.key.casefold()] = role

    def remove_role(self, index: int, operation: Mapping[str, Any]) -> None:
        role = self.existing(index, operation.get("role"))
        if role is not None:
            del self.roles[role.key.casefold()]

    def relink_role(self, index: int, operation: Mapping[str, Any]) -> None:
        role = self.existing(index, operation.get("role"))
        units = self.units(index, operation.get("units"))
        if role is not None and units is not None:
            self.roles[role.key.casefold()] = make_role(role.specialty, role.profession, role.capability, units)

    def add_unit(self, index: int, operation: Mapping[str, Any]) -> None:
        name = operation.get("name")
        if not isinstance(name, str) or not 1 <= len(clean(name)) <= MAX_UNIT_NAME:
            self.report(index, PartProblem("name", _("Enter the unit's name (at most {max} characters)."),
                                           {"max": MAX_UNIT_NAME}))


def _new_units(operations: Sequence[object], known: set[str], change: _Change) -> set[str]:
    """Units added anywhere in the change may be linked anywhere in it."""
    added: set[str] = set()
    for index, operation in enumerate(operations):
        if not isinstance(operation, Mapping) or operation.get("op") != "add_unit":
            continue
        hsa_id, problem = hsa_problem(operation.get("hsa_id"))
        if problem is not None:
            change.report(index, PartProblem("hsa_id", problem.message, problem.params))
        elif hsa_id in known or hsa_id in added:
            change.report(index, PartProblem("hsa_id", _("A unit with the HSA-id {hsa_id} already exists."),
                                             {"hsa_id": str(hsa_id)}))
        else:
            added.add(str(hsa_id))
    return added


def apply_operations(roles: Iterable[CatalogueRole], operations: Sequence[object], *,
                     known_units: set[str]) -> list[CatalogueRole]:
    """The roles after the operations, in order; raises ``CatalogueChangeInvalid`` listing every problem."""
    change = _Change(roles, set(known_units))
    change.known |= _new_units(operations, known_units, change)
    if not operations:
        change.report(0, PartProblem("op", _("The change has no operations.")))
    for index, operation in enumerate(operations):
        op = operation.get("op") if isinstance(operation, Mapping) else None
        if not isinstance(operation, Mapping):
            change.report(index, PartProblem("op", _("Each operation must be an object.")))
        elif op not in OPERATIONS:
            change.report(index, PartProblem("op", _("Unknown operation {op}. The operations are: {operations}."),
                                             {"op": str(op), "operations": ", ".join(OPERATIONS)}))
        else:
            steps = {"add_role": change.add_role, "remove_role": change.remove_role,
                     "relink_role": change.relink_role, "add_unit": change.add_unit}
            steps[str(op)](index, operation)
    if change.problems:
        raise CatalogueChangeInvalid(sorted(change.problems, key=lambda problem: problem.index))
    return sorted(change.roles.values(), key=lambda role: role.key)


# --- Comparing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelinkedRole:
    key: str
    units_added: tuple[str, ...]
    units_removed: tuple[str, ...]


@dataclass(frozen=True)
class CatalogueDiff:
    added: tuple[CatalogueRole, ...] = ()
    removed: tuple[CatalogueRole, ...] = ()
    relinked: tuple[RelinkedRole, ...] = ()

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "relinked": len(self.relinked)}

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.relinked)

    def fingerprint(self) -> str:
        """Equal fingerprints mean the same change: what was previewed is what is applied."""
        plain = {"added": [role.stored() for role in self.added], "removed": [role.key for role in self.removed],
                 "relinked": [[item.key, item.units_added, item.units_removed] for item in self.relinked]}
        return hashlib.sha256(audit.canonical_json(plain).encode()).hexdigest()


def diff(old: Iterable[CatalogueRole], new: Iterable[CatalogueRole]) -> CatalogueDiff:
    """Roles are told apart by their exact key: a role renamed is one removed and one added."""
    before, after = {role.key: role for role in old}, {role.key: role for role in new}
    relinked = []
    for key in sorted(before.keys() & after.keys()):
        old_units, new_units = set(before[key].units), set(after[key].units)
        if old_units != new_units:
            relinked.append(RelinkedRole(key, tuple(sorted(new_units - old_units)),
                                         tuple(sorted(old_units - new_units))))
    return CatalogueDiff(tuple(after[key] for key in sorted(after.keys() - before.keys())),
                         tuple(before[key] for key in sorted(before.keys() - after.keys())), tuple(relinked))


# --- Stored catalogues -------------------------------------------------------------------------------------


async def load_catalogue(session: AsyncSession, catalogue_id: int, *, for_update: bool = False) -> RoleCatalogue:
    statement = select(RoleCatalogue).where(RoleCatalogue.id == catalogue_id)
    found = await session.scalar(statement.with_for_update() if for_update else statement)
    if found is None:
        raise NotFound(NO_CATALOGUE, details={"catalogue_id": catalogue_id})
    return found


async def _care_area(session: AsyncSession, organisation_id: int, message: str, field_name: str) -> Organisation:
    area = await session.get(Organisation, organisation_id)
    if area is None or area.kind != "care_area":
        raise ValidationFailed(message, details={"field": field_name})
    return area


async def create_catalogue(session: AsyncSession, *, actor: Actor, care_area_id: int,
                           approver_care_area_id: int) -> RoleCatalogue:
    """An empty catalogue (version 0) for a care area, approved by the head of operations of another or the same."""
    await _care_area(session, care_area_id, _("Choose a care area."), "care_area_id")
    await _care_area(session, approver_care_area_id, NO_APPROVER, "approver_care_area_id")
    if await session.scalar(select(RoleCatalogue.id).where(RoleCatalogue.care_area_id == care_area_id)):
        raise Conflict(_("This care area already has a role catalogue."), details={"care_area_id": care_area_id})
    catalogue = RoleCatalogue(care_area_id=care_area_id, approver_care_area_id=approver_care_area_id,
                              current_version=0)
    session.add(catalogue)
    await session.flush()
    await audit.record(session, actor=actor, action="roles.catalogue_created", object_type="role_catalogue",
                       object_id=catalogue.id, after={"care_area_id": care_area_id,
                                                      "approver_care_area_id": approver_care_area_id})
    return catalogue


async def versions(session: AsyncSession, catalogue_id: int) -> list[CatalogueVersion]:
    """Every stored version, newest first."""
    statement = select(CatalogueVersion).where(CatalogueVersion.catalogue_id == catalogue_id) \
        .order_by(CatalogueVersion.number.desc())
    return list((await session.execute(statement)).scalars())


async def version_roles(session: AsyncSession, catalogue_id: int, number: int) -> list[CatalogueRole]:
    """The roles of one version; version 0 is the empty catalogue before its first version."""
    await load_catalogue(session, catalogue_id)
    if number == 0:
        return []
    stored = await session.scalar(select(CatalogueVersion.roles).where(
        CatalogueVersion.catalogue_id == catalogue_id, CatalogueVersion.number == number))
    if stored is None:
        raise NotFound(_("The catalogue has no version {number}."), number=number,
                       details={"catalogue_id": catalogue_id, "number": number})
    return roles_from_stored(stored)


async def current_roles(session: AsyncSession, catalogue_id: int) -> list[CatalogueRole]:
    catalogue = await load_catalogue(session, catalogue_id)
    return await version_roles(session, catalogue_id, catalogue.current_version)


async def compare_versions(session: AsyncSession, catalogue_id: int, a: int, b: int) -> CatalogueDiff:
    """What changed from version ``a`` to version ``b``."""
    return diff(await version_roles(session, catalogue_id, a), await version_roles(session, catalogue_id, b))


async def new_version(session: AsyncSession, *, actor: Actor, catalogue_id: int, roles: Sequence[CatalogueRole],
                      reason: str) -> CatalogueVersion:
    """Stores the whole state as the next version and makes it current."""
    why = " ".join(reason.split())
    if not why:
        raise ValidationFailed(_("Give the reason for the new version."), details={"field": "reason"})
    catalogue = await load_catalogue(session, catalogue_id, for_update=True)
    ordered = sorted({role.key: role for role in roles}.values(), key=lambda role: role.key)
    change = diff(await version_roles(session, catalogue_id, catalogue.current_version), ordered)
    if change.is_empty:
        raise ValidationFailed(_("Nothing changed: the catalogue already is exactly this."),
                               details={"version": catalogue.current_version})
    version = CatalogueVersion(catalogue_id=catalogue_id, number=catalogue.current_version + 1,
                               created_at=session_now(session), created_by=actor.username, reason=why,
                               roles=[role.stored() for role in ordered])
    session.add(version)
    catalogue.current_version = version.number
    await session.flush()
    await audit.record(session, actor=actor, action="roles.catalogue_version_created", object_type="role_catalogue",
                       object_id=catalogue_id, before={"version": version.number - 1},
                       after={"version": version.number, "reason": why, "roles": len(ordered),
                              "links": sum(len(role.units) for role in ordered), **change.counts()})
    return version


# --- Units -------------------------------------------------------------------------------------------------


async def region_unit_ids(session: AsyncSession, care_area_id: int) -> set[str]:
    """The HSA-ids of every unit of the care area's region: a catalogue may link any of them."""
    area = await session.get(Organisation, care_area_id)
    region_id = area.parent_id if area is not None and area.parent_id is not None else care_area_id
    areas = select(Organisation.id).where(Organisation.parent_id == region_id)
    units = select(Organisation.id).where(Organisation.parent_id.in_(areas) | (Organisation.parent_id == region_id))
    statement = select(RoleUnit.hsa_id).where(RoleUnit.organisation_id.in_(units))
    return set((await session.execute(statement)).scalars())


async def create_unit(session: AsyncSession, *, actor: Actor, care_area_id: int, hsa_id: str, name: str) -> int:
    """A new unit of the care area (the organisation and its HSA-id); returns the organisation's id."""
    await _care_area(session, care_area_id, _("Choose the care area the unit belongs to."), "care_area_id")
    normalised, problem = hsa_problem(hsa_id)
    if problem is not None or normalised is None:
        refused = problem or PartProblem("hsa_id", _("List the units as HSA-ids."))
        raise ValidationFailed(refused.message, details={"field": "hsa_id"}, **refused.params)
    title = clean(name)
    if not 1 <= len(title) <= MAX_UNIT_NAME:
        raise ValidationFailed(_("Enter the unit's name (at most {max} characters)."), max=MAX_UNIT_NAME,
                               details={"field": "name"})
    taken = await session.scalar(select(RoleUnit.organisation_id).where(RoleUnit.hsa_id == normalised))
    if taken is not None or await session.scalar(select(Organisation.id).where(Organisation.code == normalised)):
        raise Conflict(_("A unit with the HSA-id {hsa_id} already exists."), hsa_id=normalised,
                       details={"field": "hsa_id"})
    unit = Organisation(code=normalised, name=title, kind="unit", parent_id=care_area_id)
    session.add(unit)
    await session.flush()
    session.add(RoleUnit(organisation_id=unit.id, hsa_id=normalised))
    await session.flush()
    await audit.record(session, actor=actor, action="roles.unit_created", object_type="organisation",
                       object_id=unit.id, after={"hsa_id": normalised, "name": title, "care_area_id": care_area_id})
    return unit.id
