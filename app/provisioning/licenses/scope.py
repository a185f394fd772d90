"""Who may see and act on which licence requests and licences: the organisation boundaries of seed 000.

A referent works for their own commune or establishment (a commune's referent also for the commune's
establishments); the digital-health unit's officers and help desk work for every organisation of their
health service. Checked in the service path, so a forgotten route check is not a hole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.notifications.notify import organisation_ids_under
from app.provisioning.core.deadlines import lineage
from app.provisioning.licenses.kinds import HELPDESK, OFFICER, REFERENT, SUPPORT

HEALTH_SERVICE = "health_service"
REQUESTING_KINDS = frozenset({"commune", "establishment"})

OUTSIDE = _("This belongs to another organisation: you cannot see it or act on it.")


@dataclass(frozen=True)
class Reach:
    """The organisations an actor works for in this module, and as what."""

    role: str
    organisation_ids: frozenset[int]
    service_id: int | None

    def covers(self, organisation_id: int) -> bool:
        return organisation_id in self.organisation_ids


async def service_of(session: AsyncSession, organisation_id: int) -> int | None:
    """The health service an organisation belongs to (itself, if it is one)."""
    return next((organisation.id for organisation in await lineage(session, organisation_id)
                 if organisation.kind == HEALTH_SERVICE), None)


async def reach_of(session: AsyncSession, actor: Actor) -> Reach:
    if actor.organisation_id is None:
        raise PermissionDenied(OUTSIDE)
    role = _module_role(actor)
    service_id = await service_of(session, actor.organisation_id)
    if role == REFERENT:
        if actor.organisation_kind not in REQUESTING_KINDS:
            raise PermissionDenied(OUTSIDE)
        under = await organisation_ids_under(session, actor.organisation_id)
        return Reach(role, frozenset(under), service_id)
    if service_id is None:
        raise PermissionDenied(OUTSIDE)
    return Reach(role, frozenset(await organisation_ids_under(session, service_id)), service_id)


def _module_role(actor: Actor) -> str:
    # One role per person in this module; an officer who is also help desk acts as the officer.
    for role, action in ((OFFICER, permissions.LICENSES_DECIDE), (HELPDESK, permissions.LICENSES_SUPPORT),
                         (REFERENT, permissions.LICENSES_REQUEST)):
        if actor.has_role(role) and permissions.may(actor, action):
            return role
    raise PermissionDenied(_("Only referents, licence officers and the help desk use the licence module."))


def may_see_request(reach: Reach, *, organisation_id: int, kind: str) -> bool:
    if not reach.covers(organisation_id):
        return False
    # The help desk sees tickets; licence requests are between referents and officers.
    return reach.role != HELPDESK or kind == SUPPORT.code


def require_request(reach: Reach, *, organisation_id: int, kind: str) -> None:
    if not may_see_request(reach, organisation_id=organisation_id, kind=kind):
        raise PermissionDenied(OUTSIDE, details={"organisation_id": organisation_id})


def require_role(reach: Reach, role: str) -> None:
    if reach.role != role:
        raise PermissionDenied(_("This step belongs to another role."), details={"needs": role})
