"""A referent's licence requests: ask for collaborators, correct and resubmit after a rejection, cancel.

Each function checks the module's policy (scope.py), then moves the request through the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.refusals import Reason
from app.provisioning.licenses import kinds, scope
from app.provisioning.licenses.collaborators import Batch, LineErrors, validate_batch
from app.provisioning.licenses.models import ACTIVE, Collaborator, License
from app.provisioning.licenses.notices import tell_handlers

Entry = tuple[int, str, str, str]  # (line, full name, RUN, gender) as typed or read from a file


class CollaboratorsRefused(ValidationFailed):
    """Some rows are wrong: the page shows each reason next to its field."""

    def __init__(self, batch: Batch) -> None:
        super().__init__(_("Some collaborators need correcting; the reason is shown next to each field."),
                         details={"lines": [line.line for line in batch.line_errors]})
        self.batch = batch


async def submit_new(uow: UnitOfWork, *, actor: Actor, organisation_id: int,
                     entries: Sequence[Entry]) -> ProvisioningRequest:
    """A referent asks for licences for one or more collaborators of their commune or establishment."""
    session = uow.session
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.REFERENT)
    await _require_requesting_organisation(session, reach, organisation_id)
    batch = await _checked(session, entries, ignore_request=None)
    request = await service.create_request(uow, actor=actor, kind=kinds.NEW.code, organisation_id=organisation_id)
    _add_collaborators(session, request.id, batch)
    await service.transition(uow, actor=actor, request=request, action="submit")
    await tell_handlers(session, request, _("Licence request #{number} was submitted and waits for you."))
    return request


async def resubmit(uow: UnitOfWork, *, actor: Actor, request_id: int, entries: Sequence[Entry]) -> ProvisioningRequest:
    """The requester corrects a rejected request and sends the same request again (its history stays)."""
    session = uow.session
    request = await own_request(session, actor, request_id)
    if request.kind != kinds.NEW.code:
        raise ValidationFailed(_("Only a request for new licences has collaborators to correct."))
    batch = await _checked(session, entries, ignore_request=request.id)
    if request.state != workflow.REJECTED:
        # Checked again by the core; said here first so that the rows are not replaced for nothing.
        raise service.TransitionRefused(_("Only a rejected request can be corrected and sent again."),
                                        details={"state": request.state})
    await session.execute(delete(Collaborator).where(Collaborator.request_id == request.id))
    _add_collaborators(session, request.id, batch)
    await service.transition(uow, actor=actor, request=request, action="resubmit")
    await tell_handlers(session, request, _("Licence request #{number} was corrected and submitted again."))
    return request


async def cancel(uow: UnitOfWork, *, actor: Actor, request_id: int, reason: str | None) -> ProvisioningRequest:
    request = await own_request(uow.session, actor, request_id)
    await service.transition(uow, actor=actor, request=request, action="cancel", reason=reason)
    return request


async def own_request(session: AsyncSession, actor: Actor, request_id: int) -> ProvisioningRequest:
    """A request of the referent's own organisations, locked for the change about to be made."""
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.REFERENT)
    request = await service.load_request(session, request_id, for_update=True)
    scope.require_request(reach, organisation_id=request.organisation_id, kind=request.kind)
    if request.kind not in kinds.LICENSE_KINDS:
        raise PermissionDenied(scope.OUTSIDE)
    return request


async def _require_requesting_organisation(session: AsyncSession, reach: scope.Reach, organisation_id: int) -> None:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not reach.covers(organisation_id) or organisation.kind not in scope.REQUESTING_KINDS:
        raise PermissionDenied(scope.OUTSIDE, details={"organisation_id": organisation_id})


def _add_collaborators(session: AsyncSession, request_id: int, batch: Batch) -> None:
    for position, numbered in enumerate(batch.rows, start=1):
        session.add(Collaborator(request_id=request_id, position=position, full_name=numbered.row.full_name,
                                 run=numbered.row.run, gender=numbered.row.gender))


async def _checked(session: AsyncSession, entries: Iterable[Entry], *, ignore_request: int | None) -> Batch:
    """The rows validated, and each RUN that already has an active licence or an open request flagged."""
    batch = validate_batch(entries)
    if batch.errors:
        refused = ValidationFailed(batch.errors[0].message)
        refused.params = dict(batch.errors[0].params)
        raise refused
    flagged = await _already_covered(session, [numbered.row.run for numbered in batch.rows], ignore_request)
    extra = [LineErrors(numbered.line, {"run": flagged[numbered.row.run]})
             for numbered in batch.rows if numbered.row.run in flagged]
    if batch.line_errors or extra:
        kept = tuple(numbered for numbered in batch.rows if numbered.row.run not in flagged)
        errors = tuple(sorted((*batch.line_errors, *extra), key=lambda line: line.line))
        raise CollaboratorsRefused(Batch(kept, errors))
    return batch


async def _already_covered(session: AsyncSession, runs: list[str], ignore_request: int | None) -> dict[str, Reason]:
    if not runs:
        return {}
    flagged: dict[str, Reason] = {}
    licences = select(License.run, License.id).where(License.run.in_(runs), License.state == ACTIVE)
    for run, license_id in (await session.execute(licences)).all():
        flagged[run] = Reason(_("This RUN already has an active licence (#{number}); nothing to request."),
                              {"number": license_id})
    pending = (select(Collaborator.run, ProvisioningRequest.id)
               .join(ProvisioningRequest, ProvisioningRequest.id == Collaborator.request_id)
               .where(Collaborator.run.in_(runs), Collaborator.license_id.is_(None),
                      ProvisioningRequest.state.in_(OPEN_OR_RETURNED)))
    for run, other_request in (await session.execute(pending)).all():
        if other_request != ignore_request and run not in flagged:
            flagged[run] = Reason(_("Request #{number} already asks for this RUN; it is still open."),
                                  {"number": other_request})
    return flagged


# A rejected request will be corrected and resubmitted, so its collaborators are still asked for.
OPEN_OR_RETURNED = (workflow.SUBMITTED, workflow.ACCEPTED, workflow.REJECTED, workflow.DRAFT)
