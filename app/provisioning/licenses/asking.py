"""Requests about a licence that exists: reactivation and deactivation (to the officer), and help-desk
tickets; plus the referent's own steps after creation (the tasks)."""

from __future__ import annotations

from sqlalchemy import select

from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import Phrase
from app.provisioning.core import service
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.licenses import kinds, scope
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, License, LicenseSubject
from app.provisioning.licenses.notices import tell_handlers, tell_requester
from app.provisioning.licenses.requesting import own_request

MAX_DESCRIPTION = 2000
# Which licence state each kind of request makes sense for.
NEEDS_STATE = {kinds.REACTIVATION.code: DEACTIVATED, kinds.DEACTIVATION.code: ACTIVE, kinds.SUPPORT.code: ACTIVE}
WRONG_STATE = {
    kinds.REACTIVATION.code: _("This licence is active: there is nothing to reactivate."),
    kinds.DEACTIVATION.code: _("This licence is already deactivated."),
    kinds.SUPPORT.code: _(
        "This licence is deactivated: ask the officer to reactivate it; the help desk does not activate licences."),
}


async def ask_about_licence(uow: UnitOfWork, *, actor: Actor, license_id: int, kind: str,
                            description: str) -> ProvisioningRequest:
    """A referent asks the officer to reactivate or deactivate a licence, or the help desk for support."""
    if kind not in NEEDS_STATE:
        raise ValidationFailed(_("Choose what to ask for."), details={"field": "kind"})
    session = uow.session
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.REFERENT)
    licence = await session.get(License, license_id)
    if licence is None:
        raise NotFound(_("There is no such licence."))
    if not reach.covers(licence.organisation_id):
        raise PermissionDenied(scope.OUTSIDE, details={"license_id": license_id})
    if licence.state != NEEDS_STATE[kind]:
        raise Conflict(WRONG_STATE[kind])
    text = description.strip()
    if kind == kinds.SUPPORT.code and not text:
        raise ValidationFailed(_("Describe the difficulty: the help desk starts from it."),
                               details={"field": "description"})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(_("At most {max} characters."), details={"field": "description"}, max=MAX_DESCRIPTION)
    await _refuse_duplicate(uow, license_id, kind)
    request = await service.create_request(uow, actor=actor, kind=kind, organisation_id=licence.organisation_id)
    session.add(LicenseSubject(request_id=request.id, license_id=licence.id, description=text))
    await service.transition(uow, actor=actor, request=request, action="submit")
    await tell_handlers(session, request, _("{kind} #{number} for {name} waits for you."),
                        kind=Phrase(kinds.LICENSE_KINDS[kind].label), name=licence.full_name)
    return request


async def _refuse_duplicate(uow: UnitOfWork, license_id: int, kind: str) -> None:
    open_one = await uow.session.scalar(
        select(ProvisioningRequest.id).join(LicenseSubject, LicenseSubject.request_id == ProvisioningRequest.id)
        .where(LicenseSubject.license_id == license_id, ProvisioningRequest.kind == kind,
               ProvisioningRequest.closed_at.is_(None), ProvisioningRequest.state != "rejected"))
    if open_one is not None:
        raise Conflict(_("Request #{number} already asks this for the licence; it is still open."), number=open_one)


async def advance_task(uow: UnitOfWork, *, actor: Actor, request_id: int, task_id: int, action: str,
                       external_reference: str | None = None) -> ProvisioningRequest:
    """The referent's steps after creation: the node keys, then telling the user."""
    session = uow.session
    request = await own_request(session, actor, request_id)
    task = await session.get(ProvisioningTask, task_id, with_for_update=True)
    if task is None or task.request_id != request.id:
        raise NotFound(_("There is no such task on this request."))
    if task.assignee_role != kinds.REFERENT:
        raise PermissionDenied(_("This step belongs to another role."), details={"needs": task.assignee_role})
    completed = await service.advance_task(uow, actor=actor, request=request, task=task, action=action,
                                           external_reference=external_reference)
    if completed:
        await tell_requester(session, request, _("Request #{number} is done: every step is complete."))
    return request


async def answer_question(uow: UnitOfWork, *, actor: Actor, request_id: int, answer: str) -> ProvisioningRequest:
    """The requester answered what the handler asked: the request goes on and its clock runs again."""
    request = await own_request(uow.session, actor, request_id)
    await service.transition(uow, actor=actor, request=request, action="answer", reason=answer)
    await tell_handlers(uow.session, request, _("The requester answered on request #{number}."))
    return request
