"""Catalogue change requests (seed 001): a care area's contact person or a unit head proposes; the head of
operations approves (the change is anchored in the care area first); a catalogue steward reviews it with
the requester and applies it as a new version, or sends it back with a reason. Each step is a transition
of the provisioning core: audited, notified, refused when out of order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, users_with_role
from app.provisioning.core import service
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles import kinds, scope
from app.provisioning.roles.catalogue.versions import (
    apply_operations,
    create_unit,
    current_roles,
    new_version,
    region_unit_ids,
)
from app.provisioning.roles.models import CatalogueChange, RoleCatalogue, RoleUnit

Operations = list[dict[str, Any]]
MAX_DESCRIPTION = 4000
APPROVED = _("Catalogue change #{number} was approved; it waits for review.")


async def _catalogue(session: AsyncSession, catalogue_id: int) -> RoleCatalogue:
    catalogue = await session.get(RoleCatalogue, catalogue_id)
    if catalogue is None:
        raise NotFound(_("There is no such role catalogue."))
    return catalogue


async def may_propose(session: AsyncSession, actor: Actor, catalogue: RoleCatalogue) -> bool:
    if not permissions.may(actor, permissions.ROLES_CATALOGUE_PROPOSE):
        return False
    if actor.has_role("catalogue_contact") and actor.organisation_id == catalogue.care_area_id:
        return True
    # A unit head (the manager of a unit of the care area).
    managed = await session.scalar(select(RoleUnit.organisation_id).join(
        Organisation, Organisation.id == RoleUnit.organisation_id).where(
        RoleUnit.manager_user_id == actor.user_id, Organisation.parent_id == catalogue.care_area_id))
    return managed is not None


async def propose(uow: UnitOfWork, *, actor: Actor, catalogue_id: int, description: str,
                  operations: Operations) -> ProvisioningRequest:
    session = uow.session
    catalogue = await _catalogue(session, catalogue_id)
    if not await may_propose(session, actor, catalogue):
        raise PermissionDenied(_("Only the care area's contact person or a unit head may propose a change."))
    text = _description(description)
    await _dry_run(session, catalogue, operations)
    request = await service.create_request(uow, actor=actor, kind=kinds.CATALOGUE_CHANGE.code,
                                           organisation_id=catalogue.care_area_id)
    session.add(CatalogueChange(request_id=request.id, catalogue_id=catalogue.id, description=text,
                                operations=operations))
    await service.transition(uow, actor=actor, request=request, action="submit")
    heads = await users_with_role(session, "head_of_operations", [catalogue.approver_care_area_id])
    await notify(session, recipients=heads, message=_("Catalogue change #{number} waits for your approval."),
                 params={"number": request.id}, link=kinds.DETAIL.format(number=request.id))
    return request


def _description(description: str) -> str:
    text = description.strip()
    if not text:
        raise ValidationFailed(_("Describe the change and why it is needed."), details={"field": "description"})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(_("At most {max} characters."), details={"field": "description"}, max=MAX_DESCRIPTION)
    return text


async def _dry_run(session: AsyncSession, catalogue: RoleCatalogue, operations: Operations) -> None:
    """The operations must apply to today's catalogue; problems are shown before anyone approves."""
    apply_operations(await current_roles(session, catalogue.id), operations,
                     known_units=await region_unit_ids(session, catalogue.care_area_id))


async def change_of(session: AsyncSession, request_id: int) -> tuple[ProvisioningRequest, CatalogueChange,
                                                                        RoleCatalogue]:
    request = await service.load_request(session, request_id, for_update=True)
    change = await session.get(CatalogueChange, request_id)
    if request.kind != kinds.CATALOGUE_CHANGE.code or change is None:
        raise NotFound(_("There is no such catalogue change."))
    return request, change, await _catalogue(session, change.catalogue_id)


async def _require_head(session: AsyncSession, actor: Actor, catalogue: RoleCatalogue) -> None:
    if not (permissions.may(actor, permissions.ROLES_CATALOGUE_APPROVE)
            and actor.organisation_id == catalogue.approver_care_area_id):
        raise PermissionDenied(_("Only the head of operations responsible for this catalogue decides this."))


async def _require_steward(session: AsyncSession, actor: Actor, request: ProvisioningRequest,
                           catalogue: RoleCatalogue) -> None:
    """A steward of the catalogue's region (the change pages list no other region's changes; checked here too)."""
    if not permissions.may(actor, permissions.ROLES_CATALOGUE_STEWARD):
        raise PermissionDenied(_("Only a catalogue steward reviews and applies changes."))
    await scope.require_steward(session, actor, catalogue.care_area_id, request_id=request.id)


async def approve(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    session = uow.session
    request, _change, catalogue = await change_of(session, request_id)
    await _require_head(session, actor, catalogue)
    await service.transition(uow, actor=actor, request=request, action="accept")
    region = await scope.region_of_area(session, catalogue.care_area_id)
    stewards = await users_with_role(session, "catalogue_steward", region)
    await notify(session, recipients=stewards, message=APPROVED,
                 params={"number": request.id}, link=kinds.DETAIL.format(number=request.id))
    return request


async def decline(uow: UnitOfWork, *, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    """The head of operations does not anchor the change: it goes back to the requester with the reason."""
    session = uow.session
    request, _change, catalogue = await change_of(session, request_id)
    await _require_head(session, actor, catalogue)
    await service.transition(uow, actor=actor, request=request, action="reject", reason=reason)
    await _tell_requester(session, request, _("Catalogue change #{number} was not approved: {reason}"))
    return request


async def start_review(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    request, _change, catalogue = await change_of(uow.session, request_id)
    await _require_steward(uow.session, actor, request, catalogue)
    await service.transition(uow, actor=actor, request=request, action="start")
    return request


async def send_back(uow: UnitOfWork, *, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    session = uow.session
    request, _change, catalogue = await change_of(session, request_id)
    await _require_steward(session, actor, request, catalogue)
    await service.transition(uow, actor=actor, request=request, action="ask_requester", reason=reason)
    await _tell_requester(session, request, _("Catalogue change #{number} was sent back to you: {reason}"))
    return request


async def revise(uow: UnitOfWork, *, actor: Actor, request_id: int, operations: Operations,
                 answer: str) -> ProvisioningRequest:
    """The requester answers a send-back. An answer alone lets the review go on; changed operations go back to the
    head of operations first (what they approved is no longer what would be applied), then to the stewards."""
    session = uow.session
    request, change, catalogue = await change_of(session, request_id)
    if actor.user_id != request.requester_id:
        raise PermissionDenied(_("Only the person who proposed the change may revise it."))
    await _dry_run(session, catalogue, operations)
    revised = list(change.operations) != operations
    change.operations = operations
    await service.transition(uow, actor=actor, request=request, action="answer", reason=answer)
    if revised:
        await service.transition(uow, actor=actor, request=request, action="resubmit")  # kinds.CATALOGUE_CHANGE
        heads = await users_with_role(session, "head_of_operations", [catalogue.approver_care_area_id])
        await notify(session, recipients=heads,
                     message=_("Catalogue change #{number} was revised: it waits for your approval again."),
                     params={"number": request.id}, link=kinds.DETAIL.format(number=request.id))
        return request
    region = await scope.region_of_area(session, catalogue.care_area_id)
    stewards = await users_with_role(session, "catalogue_steward", region)
    await notify(session, recipients=stewards, message=_("Catalogue change #{number} was revised."),
                 params={"number": request.id}, link=kinds.DETAIL.format(number=request.id))
    return request


async def apply(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    """The steward applies the reviewed change: new units are created, then a new catalogue version."""
    session = uow.session
    request, change, catalogue = await change_of(session, request_id)
    await _require_steward(session, actor, request, catalogue)
    if request.state != "in_progress":
        # The core refuses it too; checked first so that no unit is created for a refused step.
        raise service.TransitionRefused(_("Only a change under review can be applied."),
                                        details={"state": request.state})
    roles = apply_operations(await current_roles(session, catalogue.id), change.operations,
                             known_units=await region_unit_ids(session, catalogue.care_area_id))
    for operation in change.operations:
        if operation.get("op") == "add_unit":
            await create_unit(session, actor=actor, care_area_id=catalogue.care_area_id,
                              hsa_id=str(operation["hsa_id"]), name=str(operation["name"]))
    version = await new_version(session, actor=actor, catalogue_id=catalogue.id, roles=roles,
                                reason=f"#{request.id}: {change.description}")
    change.applied_version = version.number
    await service.transition(uow, actor=actor, request=request, action="complete")
    await _tell_requester(session, request, _("Catalogue change #{number} is applied as version {version}."),
                          version=version.number)
    return request


async def _tell_requester(session: AsyncSession, request: ProvisioningRequest, message: str,
                          **params: str | int | None) -> None:
    requester = await session.get(User, request.requester_id)
    await notify(session, recipients=[requester] if requester else [], message=message,
                 params={"number": request.id, "reason": request.reason, **params},
                 link=kinds.DETAIL.format(number=request.id))
