"""What the role-catalogue pages show: the catalogues of the actor's region, one catalogue's roles and versions,
and the difference between two versions, with every linked unit named. Read only.

Catalogues are not secret inside a region: whoever may read catalogues sees every one of their own region,
and none of another (a catalogue outside it is "no such catalogue").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.provisioning.core import deadlines
from app.provisioning.roles.catalogue.versions import (
    NO_CATALOGUE,
    CatalogueDiff,
    CatalogueRole,
    compare_versions,
    version_roles,
    versions,
)
from app.provisioning.roles.models import CatalogueVersion, RoleCatalogue, RoleUnit

REGION = "region"


@dataclass(frozen=True)
class LinkedUnit:
    hsa_id: str
    name: str  # the HSA-id itself when no unit of the region has it


@dataclass(frozen=True)
class CatalogueRow:
    id: int
    care_area_id: int
    care_area_code: str
    care_area_name: str
    approver_name: str
    current_version: int
    role_count: int
    link_count: int


@dataclass(frozen=True)
class RoleRow:
    key: str
    specialty: str
    profession: str
    capability: str
    units: tuple[LinkedUnit, ...]


@dataclass(frozen=True)
class VersionRow:
    number: int
    created_at: datetime
    created_by: str
    reason: str


@dataclass(frozen=True)
class CatalogueDetail:
    catalogue: CatalogueRow
    roles: tuple[RoleRow, ...]
    versions: tuple[VersionRow, ...]
    zone: ZoneInfo


@dataclass(frozen=True)
class RelinkedRow:
    key: str
    units_added: tuple[LinkedUnit, ...]
    units_removed: tuple[LinkedUnit, ...]


@dataclass(frozen=True)
class DiffView:
    added: tuple[RoleRow, ...]
    removed: tuple[RoleRow, ...]
    relinked: tuple[RelinkedRow, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.relinked)


async def region_of(session: AsyncSession, actor: Actor) -> Organisation | None:
    """The region above (or at) the actor's organisation, if any."""
    if actor.organisation_id is None:
        return None
    chain = await deadlines.lineage(session, actor.organisation_id)
    return next((organisation for organisation in chain if organisation.kind == REGION), None)


async def _rows(session: AsyncSession, region_id: int, catalogue_id: int | None = None) -> list[CatalogueRow]:
    area = Organisation.__table__.alias("area")
    approver = Organisation.__table__.alias("approver")
    statement = (select(RoleCatalogue.id, RoleCatalogue.care_area_id, area.c.code, area.c.name, approver.c.name,
                        RoleCatalogue.current_version, CatalogueVersion.roles)
                 .join(area, area.c.id == RoleCatalogue.care_area_id)
                 .join(approver, approver.c.id == RoleCatalogue.approver_care_area_id)
                 .outerjoin(CatalogueVersion, and_(CatalogueVersion.catalogue_id == RoleCatalogue.id,
                                                   CatalogueVersion.number == RoleCatalogue.current_version))
                 .where(area.c.parent_id == region_id).order_by(area.c.name, RoleCatalogue.id))
    if catalogue_id is not None:
        statement = statement.where(RoleCatalogue.id == catalogue_id)
    found = []
    for row_id, area_id, code, area_name, approver_name, current, stored in (await session.execute(statement)).all():
        roles = stored or []
        found.append(CatalogueRow(row_id, area_id, code, area_name, approver_name, current, len(roles),
                                  sum(len(role.get("units") or ()) for role in roles)))
    return found


async def catalogue_rows(session: AsyncSession, actor: Actor) -> list[CatalogueRow]:
    """Every catalogue of the actor's region, by care area name."""
    region = await region_of(session, actor)
    return [] if region is None else await _rows(session, region.id)


async def catalogue_row(session: AsyncSession, actor: Actor, catalogue_id: int) -> CatalogueRow:
    """One catalogue of the actor's region; any other is "no such catalogue"."""
    region = await region_of(session, actor)
    found = [] if region is None else await _rows(session, region.id, catalogue_id)
    if not found:
        raise NotFound(NO_CATALOGUE, details={"catalogue_id": catalogue_id})
    return found[0]


async def unit_names(session: AsyncSession, hsa_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(hsa_ids))
    if not wanted:
        return {}
    statement = (select(RoleUnit.hsa_id, Organisation.name)
                 .join(Organisation, Organisation.id == RoleUnit.organisation_id).where(RoleUnit.hsa_id.in_(wanted)))
    return {hsa_id: name for hsa_id, name in (await session.execute(statement)).all()}


def _linked(hsa_ids: Iterable[str], names: dict[str, str]) -> tuple[LinkedUnit, ...]:
    return tuple(LinkedUnit(hsa_id, names.get(hsa_id, hsa_id)) for hsa_id in hsa_ids)


def _role_rows(roles: Sequence[CatalogueRole], names: dict[str, str]) -> tuple[RoleRow, ...]:
    return tuple(RoleRow(role.key, role.specialty, role.profession, role.capability, _linked(role.units, names))
                 for role in roles)


async def role_rows(session: AsyncSession, roles: Sequence[CatalogueRole]) -> tuple[RoleRow, ...]:
    names = await unit_names(session, (hsa_id for role in roles for hsa_id in role.units))
    return _role_rows(roles, names)


async def catalogue_detail(session: AsyncSession, actor: Actor, catalogue_id: int) -> CatalogueDetail:
    row = await catalogue_row(session, actor, catalogue_id)
    roles = await role_rows(session, await version_roles(session, catalogue_id, row.current_version))
    history = tuple(VersionRow(version.number, version.created_at, version.created_by, version.reason)
                    for version in await versions(session, catalogue_id))
    zone = (await deadlines.calendar_of(session, row.care_area_id)).zone
    return CatalogueDetail(row, roles, history, zone)


async def diff_view(session: AsyncSession, change: CatalogueDiff) -> DiffView:
    """A difference with its units named."""
    every = [hsa_id for role in (*change.added, *change.removed) for hsa_id in role.units]
    every += [hsa_id for item in change.relinked for hsa_id in (*item.units_added, *item.units_removed)]
    names = await unit_names(session, every)
    return DiffView(_role_rows(change.added, names), _role_rows(change.removed, names),
                    tuple(RelinkedRow(item.key, _linked(item.units_added, names), _linked(item.units_removed, names))
                          for item in change.relinked))


async def compare(session: AsyncSession, actor: Actor, catalogue_id: int, first: int, second: int) -> DiffView:
    """What changed from version ``first`` to ``second`` (NotFound names a version the catalogue lacks)."""
    await catalogue_row(session, actor, catalogue_id)
    return await diff_view(session, await compare_versions(session, catalogue_id, first, second))
