"""Who sees which catalogue change requests, the list of them, and what a proposal form shows (the catalogue's
roles now and the units that may be linked). Read only; ``changing`` checks every write again.

A change request is seen by its requester, the heads of operations of the care area that approves the catalogue,
the catalogue stewards of the region, and the contact person and managers of the catalogue's care area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts import permissions
from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.provisioning.core import deadlines, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.request_pages import Zones
from app.provisioning.roles import changing, kinds, scope
from app.provisioning.roles.catalogue.versions import current_roles, load_catalogue
from app.provisioning.roles.models import CatalogueChange, RoleCatalogue, RoleUnit

LIST_LIMIT: Final = 500
NOT_YOURS: Final = _("Only its requester, approver and stewards and the care area's contact and managers see this.")
MAY_NOT_PROPOSE: Final = _("Only the care area's contact person or a unit head may propose a change.")


@dataclass(frozen=True)
class Reach:
    """The care areas whose change requests a person follows, and in which role."""

    user_id: int | None
    follows: frozenset[int]  # as the care area's contact person or one of its managers
    approves: frozenset[int]  # as head of operations of the approving care area
    reviews: frozenset[int]  # as a catalogue steward of the region

    def sees(self, request: ProvisioningRequest, catalogue: RoleCatalogue) -> bool:
        return (request.requester_id == self.user_id or catalogue.care_area_id in self.follows | self.reviews
                or catalogue.approver_care_area_id in self.approves)

    def may_decide(self, request: ProvisioningRequest, catalogue: RoleCatalogue) -> bool:
        return request.state == workflow.SUBMITTED and catalogue.approver_care_area_id in self.approves

    def may_review(self, catalogue: RoleCatalogue) -> bool:
        return catalogue.care_area_id in self.reviews

    def waits_for(self, request: ProvisioningRequest, catalogue: RoleCatalogue) -> bool:
        """Whether the next step is this person's."""
        review = request.state in {workflow.ACCEPTED, workflow.IN_PROGRESS} and self.may_review(catalogue)
        revise = request.state == workflow.WAITING_FOR_REQUESTER and request.requester_id == self.user_id
        return self.may_decide(request, catalogue) or review or revise


async def _managed_areas(session: AsyncSession, actor: Actor) -> set[int]:
    """The care areas a manager manages: their own organisation's, and those of the units they head."""
    areas: set[int] = set()
    if actor.organisation_id is not None and actor.organisation_kind == "care_area":
        areas.add(actor.organisation_id)
    elif actor.organisation_id is not None:
        own = await session.get(Organisation, actor.organisation_id)
        if own is not None and own.parent_id is not None:
            areas.add(own.parent_id)
    headed = select(Organisation.parent_id).join(RoleUnit, RoleUnit.organisation_id == Organisation.id) \
        .where(RoleUnit.manager_user_id == actor.user_id)
    return areas | {area for area in (await session.execute(headed)).scalars() if area is not None}


async def reach_of(session: AsyncSession, actor: Actor) -> Reach:
    follows: set[int] = set()
    organisation = actor.organisation_id
    if actor.has_role("catalogue_contact") and organisation is not None:
        follows.add(organisation)
    if actor.has_role("manager") and actor.user_id is not None:
        follows |= await _managed_areas(session, actor)
    approves = {organisation} if permissions.may(actor, permissions.ROLES_CATALOGUE_APPROVE) \
        and organisation is not None else set()
    return Reach(actor.user_id, frozenset(follows), frozenset(approves), await scope.steward_reach(session, actor))


async def require_sight(session: AsyncSession, actor: Actor, request: ProvisioningRequest,
                        catalogue: RoleCatalogue) -> Reach:
    reach = await reach_of(session, actor)
    if not reach.sees(request, catalogue):
        raise PermissionDenied(NOT_YOURS, details={"request_id": request.id})
    return reach


# --- The list ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    id: int
    care_area_name: str
    requester_name: str
    description: str
    state: str
    state_label: str
    due_at: datetime | None
    overdue: bool
    waits_for_you: bool
    zone: ZoneInfo


def _summary(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 90 else first[:87] + "..."


async def change_list(session: AsyncSession, actor: Actor, now: datetime) -> list[ChangeRow]:
    """What waits for the viewer first, then the open ones (overdue first, by due time), then the closed ones."""
    reach = await reach_of(session, actor)
    statement = (select(ProvisioningRequest, RoleCatalogue, CatalogueChange.description, Organisation.name,
                        User.display_name)
                 .join(CatalogueChange, CatalogueChange.request_id == ProvisioningRequest.id)
                 .join(RoleCatalogue, RoleCatalogue.id == CatalogueChange.catalogue_id)
                 .join(Organisation, Organisation.id == RoleCatalogue.care_area_id)
                 .join(User, User.id == ProvisioningRequest.requester_id)
                 .where(ProvisioningRequest.kind == kinds.CATALOGUE_CHANGE.code,
                        or_(ProvisioningRequest.requester_id == reach.user_id,
                            RoleCatalogue.care_area_id.in_(reach.follows | reach.reviews),
                            RoleCatalogue.approver_care_area_id.in_(reach.approves)))
                 .order_by(ProvisioningRequest.id.desc()).limit(LIST_LIMIT))
    zones = Zones(session)
    rows = [ChangeRow(request.id, area_name, requester, _summary(description), request.state,
                      workflow.REQUEST_STATE_LABELS[request.state], request.due_at,
                      deadlines.is_overdue(request, now), reach.waits_for(request, catalogue),
                      await zones.of(request.organisation_id))
            for request, catalogue, description, area_name, requester in (await session.execute(statement)).all()]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (not row.waits_for_you, row.state not in workflow.OPEN_STATES,
                                         not row.overdue,
                                         (row.due_at or far) if row.state in workflow.OPEN_STATES else far, -row.id))


@dataclass(frozen=True)
class CatalogueChoice:
    catalogue_id: int
    care_area_name: str


async def proposable(session: AsyncSession, actor: Actor) -> list[CatalogueChoice]:
    """The catalogues the viewer may propose a change to."""
    if not permissions.may(actor, permissions.ROLES_CATALOGUE_PROPOSE):
        return []
    statement = select(RoleCatalogue, Organisation.name).join(
        Organisation, Organisation.id == RoleCatalogue.care_area_id).order_by(Organisation.name)
    return [CatalogueChoice(found.id, name) for found, name in (await session.execute(statement)).all()
            if await changing.may_propose(session, actor, found)]


# --- What a proposal form shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitOption:
    name: str
    hsa_id: str
    care_area_name: str
    own: bool  # a unit of the catalogue's own care area


@dataclass(frozen=True)
class RoleLine:
    key: str
    units: tuple[str, ...]  # "name (HSA-id)"


@dataclass(frozen=True)
class ProposalContext:
    catalogue_id: int
    care_area_name: str
    version: int
    roles: tuple[RoleLine, ...]
    units: tuple[UnitOption, ...]

    @property
    def role_keys(self) -> list[str]:
        return [role.key for role in self.roles]


async def region_units(session: AsyncSession, care_area_id: int) -> list[UnitOption]:
    """Every unit of the care area's region (a catalogue may link any of them), its own care area's first."""
    parent = aliased(Organisation)
    statement = (select(Organisation.name, RoleUnit.hsa_id, parent.id, parent.name)
                 .join(RoleUnit, RoleUnit.organisation_id == Organisation.id)
                 .outerjoin(parent, parent.id == Organisation.parent_id)
                 .where(Organisation.id.in_(sorted(await scope.region_of_area(session, care_area_id)))))
    units = [UnitOption(name, hsa_id, area_name or "", area_id == care_area_id)
             for name, hsa_id, area_id, area_name in (await session.execute(statement)).all()]
    return sorted(units, key=lambda unit: (not unit.own, unit.care_area_name, unit.name, unit.hsa_id))


def unit_label(names: Mapping[str, str], hsa_id: str) -> str:
    return f"{names[hsa_id]} ({hsa_id})" if hsa_id in names else hsa_id


async def proposal_context(session: AsyncSession, actor: Actor, catalogue_id: int, *,
                           proposing: bool = True) -> ProposalContext:
    """``proposing``: refuses those who may not propose a change to this catalogue (a revision checks the
    requester instead)."""
    found = await load_catalogue(session, catalogue_id)
    if proposing and not await changing.may_propose(session, actor, found):
        raise PermissionDenied(MAY_NOT_PROPOSE, details={"catalogue_id": catalogue_id})
    area = await session.get(Organisation, found.care_area_id)
    units = await region_units(session, found.care_area_id)
    names = {unit.hsa_id: unit.name for unit in units}
    roles = tuple(RoleLine(role.key, tuple(unit_label(names, hsa_id) for hsa_id in role.units))
                  for role in await current_roles(session, catalogue_id))
    return ProposalContext(found.id, area.name if area else "", found.current_version, roles, tuple(units))
