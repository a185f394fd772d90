"""Setting the roles module up for a region from the command line: a unit's HSA-id and manager, and a care
area's empty role catalogue with the care area whose head of operations approves its changes. Audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.service import username_key
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import Conflict, NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.hsa_ids import InvalidIdentifier, normalise_hsa_id
from app.provisioning.core.setup import organisation_by_code
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import RoleCatalogue, RoleUnit
from app.provisioning.roles.unit_managers import checked_manager


async def set_unit(session: AsyncSession, *, actor: Actor, organisation_code: str, hsa_id: str,
                   manager_username: str | None) -> RoleUnit:
    """Makes an organisation of kind "unit" a care unit with its HSA-id, and names its manager."""
    organisation = await organisation_by_code(session, organisation_code)
    if organisation.kind != "unit":
        raise ValidationFailed(_("{code} is not a unit (its kind is {kind})."), code=organisation_code,
                               kind=organisation.kind)
    try:
        normalised = normalise_hsa_id(hsa_id)
    except InvalidIdentifier as error:
        raise error.on_field("hsa_id") from error
    holder = await session.scalar(select(RoleUnit.organisation_id).where(RoleUnit.hsa_id == normalised))
    if holder is not None and holder != organisation.id:
        raise Conflict(_("A unit with the HSA-id {hsa_id} already exists."), hsa_id=normalised)
    manager_id = None
    if manager_username:
        manager_id = await session.scalar(select(User.id).where(User.username_key == username_key(manager_username)))
        if manager_id is None:
            raise NotFound(_("There is no user {username}."), username=manager_username)
        # The same rule as the unit's page: a manager of the unit's care area, never an employee (issue 23).
        await checked_manager(session, organisation, manager_id)
    row = await session.get(RoleUnit, organisation.id)
    before = None if row is None else {"hsa_id": row.hsa_id, "manager_user_id": row.manager_user_id}
    if row is None:
        row = RoleUnit(organisation_id=organisation.id, hsa_id=normalised)
        session.add(row)
    row.hsa_id, row.manager_user_id = normalised, manager_id
    await session.flush()
    await audit.record(session, actor=actor, action="roles.unit_set", object_type="organisation",
                       object_id=organisation.id, before=before,
                       after={"hsa_id": normalised, "manager_user_id": manager_id})
    return row


async def create_catalogue(session: AsyncSession, *, actor: Actor, care_area_code: str,
                           approver_code: str) -> RoleCatalogue:
    area = await organisation_by_code(session, care_area_code)
    approver = await organisation_by_code(session, approver_code)
    return await catalogue.create_catalogue(session, actor=actor, care_area_id=area.id,
                                            approver_care_area_id=approver.id)
