"""The handlers' side: the officer accepts (licences are created) or rejects with a reason; the help desk
takes and resolves tickets. Activation and reactivation are never the help desk's (seed 000)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, PermissionDenied, ValidationFailed
from app.kit.i18n import _, _n
from app.notifications.notify import organisation_ids_under
from app.provisioning.core import service
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.licenses import kinds, scope
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, Collaborator, License, LicensePool, LicenseSubject
from app.provisioning.licenses.notices import tell_requester
from app.provisioning.licenses.plans import plan_for_collaborators


def accepted_notice(created: int) -> str:
    """The referent's notice, with the plural the number of licences takes in the reader's language."""
    return _n("Licence request #{number} was accepted: {count} licence created. Generate the node keys, then tell "
              "the user.", "Licence request #{number} was accepted: {count} licences created. Generate the node "
              "keys, then tell each user.", created)


TAKEN_SINCE = _(
    "A collaborator got an active licence after the request was sent ({runs}); reject it so the referent removes them.")
POOL_EXHAUSTED = _(
    "Only {free} of the {size} licences are free and {wanted} are needed; deactivate unused ones or raise the pool.")


class PoolExhausted(Conflict):
    code = "license_pool_exhausted"


async def handled_request(session: AsyncSession, actor: Actor, request_id: int) -> ProvisioningRequest:
    """A request the actor handles (officer: licence requests; help desk: tickets), locked."""
    reach = await scope.reach_of(session, actor)
    request = await service.load_request(session, request_id, for_update=True)
    scope.require_request(reach, organisation_id=request.organisation_id, kind=request.kind)
    if request.kind not in kinds.LICENSE_KINDS:
        raise PermissionDenied(scope.OUTSIDE)
    scope.require_role(reach, kinds.LICENSE_KINDS[request.kind].handler_role)
    return request


async def accept(uow: UnitOfWork, *, actor: Actor, request_id: int) -> ProvisioningRequest:
    session = uow.session
    request = await handled_request(session, actor, request_id)
    await service.transition(uow, actor=actor, request=request, action="accept")
    if request.kind == kinds.NEW.code:
        created = await _create_licences(uow, actor, request)
        await service.add_plan(uow, request=request, specs=plan_for_collaborators(request.kind, created))
        await service.transition(uow, actor=actor, request=request, action="start")
        await tell_requester(session, request, accepted_notice(len(created)))
        return request
    await service.transition(uow, actor=actor, request=request, action="start")
    if request.kind == kinds.SUPPORT.code:
        await tell_requester(session, request, _("The help desk took ticket #{number}."))
        return request
    await _apply_to_licence(uow, actor, request)
    await service.transition(uow, actor=actor, request=request, action="complete")
    return request


async def reject(uow: UnitOfWork, *, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    session = uow.session
    request = await handled_request(session, actor, request_id)
    await service.transition(uow, actor=actor, request=request, action="reject", reason=reason)
    await tell_requester(session, request, _("Request #{number} was rejected: {reason}"), reason=request.reason)
    return request


async def ask_requester(uow: UnitOfWork, *, actor: Actor, request_id: int, question: str) -> ProvisioningRequest:
    """The handler needs something from the requester; the request's clock pauses until they answer."""
    session = uow.session
    request = await handled_request(session, actor, request_id)
    await service.transition(uow, actor=actor, request=request, action="ask_requester", reason=question)
    await tell_requester(session, request, _("Request #{number} waits for you: {question}"), question=request.reason)
    return request


async def resolve_ticket(uow: UnitOfWork, *, actor: Actor, request_id: int, resolution: str) -> ProvisioningRequest:
    """The help desk closes a ticket and the referent is told, so that they can tell the user."""
    session = uow.session
    request = await handled_request(session, actor, request_id)
    if request.kind != kinds.SUPPORT.code:
        raise ValidationFailed(_("Only a help-desk ticket is resolved this way."))
    text = " ".join(resolution.split())
    if not text:
        raise ValidationFailed(_("Say how it was resolved: the referent passes it on to the user."),
                               details={"field": "resolution"})
    subject = await session.get(LicenseSubject, request.id)
    if subject is not None:
        subject.resolution = text[:2000]
    await service.transition(uow, actor=actor, request=request, action="complete")
    await tell_requester(session, request, _("Ticket #{number} is resolved: {resolution}"), resolution=text[:300])
    return request


async def _create_licences(uow: UnitOfWork, actor: Actor, request: ProvisioningRequest) -> list[str]:
    session = uow.session
    rows = list((await session.execute(select(Collaborator).where(Collaborator.request_id == request.id)
                                       .order_by(Collaborator.position))).scalars())
    await _require_free_seats(session, request.organisation_id, len(rows))
    taken = set((await session.execute(select(License.run).where(
        License.run.in_([row.run for row in rows]), License.state == ACTIVE))).scalars())
    if taken:
        raise Conflict(TAKEN_SINCE, runs=", ".join(sorted(taken)))
    now = session_now(session)
    for row in rows:
        licence = License(organisation_id=request.organisation_id, run=row.run, full_name=row.full_name,
                          gender=row.gender, state=ACTIVE, request_id=request.id, created_at=now, activated_at=now,
                          version=1)
        session.add(licence)
        await session.flush()
        row.license_id = licence.id
        await audit.record(session, actor=actor, action="licenses.created", object_type="license",
                           object_id=licence.id, after={"run": licence.run, "full_name": licence.full_name,
                                                        "organisation_id": licence.organisation_id,
                                                        "request_id": request.id})
    return [row.run for row in rows]


async def _apply_to_licence(uow: UnitOfWork, actor: Actor, request: ProvisioningRequest) -> None:
    session = uow.session
    subject = await session.get(LicenseSubject, request.id)
    licence = None if subject is None else await session.get(License, subject.license_id, with_for_update=True)
    if licence is None:
        raise Conflict(_("The licence this request is about no longer exists."))
    if request.kind == kinds.REACTIVATION.code:
        await reactivate(session, actor=actor, licence=licence)
        await tell_requester(session, request, _("Licence #{license} of {name} is active again."),
                             license=licence.id, name=licence.full_name)
    else:
        await deactivate(session, actor=actor, licence=licence, reason="left")
        await tell_requester(session, request, _("Licence #{license} of {name} was deactivated."),
                             license=licence.id, name=licence.full_name)


async def reactivate(session: AsyncSession, *, actor: Actor, licence: License) -> None:
    if licence.state == ACTIVE:
        raise Conflict(_("This licence is already active."))
    await _require_free_seats(session, licence.organisation_id, 1)
    other = await session.scalar(select(License.id).where(License.run == licence.run, License.state == ACTIVE))
    if other is not None:
        raise Conflict(_("This RUN has another active licence (#{number})."), number=other)
    now = session_now(session)
    before = {"state": licence.state, "deactivation_reason": licence.deactivation_reason}
    licence.state, licence.activated_at, licence.warned_at = ACTIVE, now, None
    licence.deactivated_at = licence.deactivation_reason = None
    licence.version += 1
    await audit.record(session, actor=actor, action="licenses.reactivated", object_type="license",
                       object_id=licence.id, before=before, after={"state": ACTIVE})


async def deactivate(session: AsyncSession, *, actor: Actor, licence: License, reason: str) -> None:
    """Frees the seat. ``reason``: "unused" (the automatic sweep), "left" (the professional left)."""
    if licence.state != ACTIVE:
        raise Conflict(_("This licence is already deactivated."))
    now = session_now(session)
    licence.state, licence.deactivated_at, licence.deactivation_reason = DEACTIVATED, now, reason
    licence.version += 1
    await audit.record(session, actor=actor, action="licenses.deactivated", object_type="license",
                       object_id=licence.id, before={"state": ACTIVE},
                       after={"state": DEACTIVATED, "reason": reason,
                              "last_used_at": licence.last_used_at.isoformat() if licence.last_used_at else None})


async def _require_free_seats(session: AsyncSession, organisation_id: int, wanted: int) -> None:
    service_id = await scope.service_of(session, organisation_id)
    pool = None if service_id is None else await session.get(LicensePool, service_id, with_for_update=True)
    if pool is None:
        return  # no pool configured: the service has not limited its licences
    organisations = await organisation_ids_under(session, pool.organisation_id)
    used = await session.scalar(select(func.count()).select_from(License).where(
        License.state == ACTIVE, License.organisation_id.in_(organisations))) or 0
    if used + wanted > pool.size:
        raise PoolExhausted(POOL_EXHAUSTED, free=max(pool.size - used, 0), size=pool.size, wanted=wanted)

