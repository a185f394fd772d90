"""Who reaches which employees, assignment requests and catalogues of the roles module: the region boundary.

IT support and catalogue stewards work for the organisation they belong to (their region) and everything under
it, never for another region (seed 001 has one IT support and one steward function per region). Checked in the
service path, as ``accounts.permissions.may_manage_user`` is for accounts, so that a page or an API route that
forgets to check is not a hole: another region's object is refused with 403 before anything changes, and the
error handler audits the refusal in a transaction of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.notifications.notify import organisation_ids_under

OUTSIDE = _("This belongs to another region: you cannot see it or act on it.")


async def _under_own_organisation(session: AsyncSession, actor: Actor, action: str) -> frozenset[int]:
    if not permissions.may(actor, action) or actor.organisation_id is None:
        return frozenset()
    return frozenset(await organisation_ids_under(session, actor.organisation_id))


async def support_reach(session: AsyncSession, actor: Actor) -> frozenset[int]:
    """The organisations whose employees and assignment requests IT support serves; empty for anyone else."""
    return await _under_own_organisation(session, actor, permissions.ROLES_SUPPORT)


async def steward_reach(session: AsyncSession, actor: Actor) -> frozenset[int]:
    """The care areas (and the rest of the region) whose catalogues a steward keeps; empty for anyone else."""
    return await _under_own_organisation(session, actor, permissions.ROLES_CATALOGUE_STEWARD)


async def supports(session: AsyncSession, actor: Actor, organisation_id: int) -> bool:
    """Whether the actor is IT support for this organisation (a unit, a care area)."""
    return organisation_id in await support_reach(session, actor)


async def require_support(session: AsyncSession, actor: Actor, organisation_id: int, **details: Any) -> None:
    """IT support of another region is refused (403, audited); the caller has checked the permission itself."""
    if not await supports(session, actor, organisation_id):
        raise PermissionDenied(OUTSIDE, details=details)


async def require_steward(session: AsyncSession, actor: Actor, care_area_id: int, **details: Any) -> None:
    """A steward of another region is refused (403, audited)."""
    if care_area_id not in await steward_reach(session, actor):
        raise PermissionDenied(OUTSIDE, details=details)


async def region_of_area(session: AsyncSession, care_area_id: int) -> frozenset[int]:
    """Every organisation of the region a care area belongs to (care area -> region), the care area's own tree
    when it has no region above it."""
    area = await session.get(Organisation, care_area_id)
    root = area.parent_id if area is not None and area.parent_id is not None else care_area_id
    return frozenset(await organisation_ids_under(session, root))


async def region_of_unit(session: AsyncSession, unit_id: int) -> frozenset[int]:
    """Every organisation of the region a unit belongs to (unit -> care area -> region), the unit's own
    organisation tree when it has no care area above it."""
    unit = await session.get(Organisation, unit_id)
    if unit is None or unit.parent_id is None:
        return frozenset(await organisation_ids_under(session, unit_id))
    return await region_of_area(session, unit.parent_id)
