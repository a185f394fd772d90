"""Setting a removal task aside: the IT contact proposes "not applicable" with a reason, an IT-order administrator
of the catalogue's organisation (a second person) confirms or refuses it (issue 23 item 1).

Until it is confirmed the task stays open, so the tasks after it (the directory record's deletion) stay blocked and
the order cannot close. A removal of something the person's access register lists is never "not applicable": the
register says they have it, so it is cancelled and marked done (with the reference of however it was removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation, User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.core import service, workflow
from app.provisioning.core.deadlines import lineage
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.orders import order_queries, queue_notices, register, removals, scope
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.checklist import GeneratedTask
from app.provisioning.orders.models import ItOrder, OrderPerson, OrderTaskWaiver

PENDING: Final = "pending"
CONFIRMED: Final = "confirmed"
REFUSED: Final = "refused"
WITHDRAWN: Final = "withdrawn"
STATE_LABELS: Final = {PENDING: _("Waits for an IT-order administrator's confirmation"),
                       CONFIRMED: _("Confirmed"), REFUSED: _("Refused"), WITHDRAWN: _("Withdrawn")}
ADMIN_ROLE = "orders_admin"
# "x" is no reason: whoever confirms it must be able to judge it, so a few words are asked for.
MIN_REASON = 10
MAX_TEXT = 500
PROPOSED = _("IT order #{number}: {task} is proposed as not applicable and waits for your confirmation.")
DECIDED = {CONFIRMED: _("IT order #{number}: not applicable for {task} is confirmed."),
           REFUSED: _("IT order #{number}: not applicable for {task} is refused: {note}")}


class WaiverRefused(Conflict):
    code = "waiver_refused"


@dataclass(frozen=True)
class PendingWaiver:
    """One proposal as the administrator's list shows it."""

    waiver: OrderTaskWaiver
    request: ProvisioningRequest
    order: ItOrder
    task_label: str
    person_name: str | None
    organisation_name: str
    proposed_by: str
    held: tuple[register.Access, ...]


def _text(text: str | None, *, minimum: int, field: str) -> str:
    cleaned = " ".join((text or "").split())
    if len(cleaned) < minimum:
        raise ValidationFailed(_("Write why in a few words (at least {limit} characters): the administrator who "
                                 "confirms it has to judge it."), details={"field": field}, limit=minimum)
    if len(cleaned) > MAX_TEXT:
        raise ValidationFailed(_("The reason is too long (at most {limit} characters)."), details={"field": field},
                               limit=MAX_TEXT)
    return cleaned


def _named(access: register.Access) -> str:
    return f"{access.system_name} ({access.item})" if access.item else access.system_name


async def pending_for(session: AsyncSession, task_id: int) -> OrderTaskWaiver | None:
    return (await session.execute(select(OrderTaskWaiver).where(
        OrderTaskWaiver.task_id == task_id, OrderTaskWaiver.state == PENDING))).scalar_one_or_none()


async def propose(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, order: ItOrder,
                  catalogue: Catalogue, task: ProvisioningTask, generated: GeneratedTask, label: str,
                  reason: str | None) -> OrderTaskWaiver:
    """The caller has checked that the actor works this order."""
    session = uow.session
    text = _text(reason, minimum=MIN_REASON, field="reason")
    if task.state != workflow.PENDING:
        raise WaiverRefused(_("This task cannot go that way from where it is now; reload the page."))
    if await pending_for(session, task.id) is not None:
        raise WaiverRefused(_("{task} already waits for an IT-order administrator's confirmation."), task=label)
    held = removals.holding(await register.access_register(session, order.person_id), catalogue, generated) \
        if order.person_id is not None else []
    if held:
        raise WaiverRefused(_("The access register lists {system} (since order #{order}): it is not \"not "
                              "applicable\". Cancel it and mark it done; if it was removed some other way, mark it "
                              "done with that reference."), details={"field": "reason"},
                            system=_named(held[0]), order=held[0].order_id)
    assert actor.user_id is not None  # an IT contact is a signed-in user
    row = OrderTaskWaiver(request_id=request.id, task_id=task.id, reason=text, proposed_by_id=actor.user_id,
                          proposed_at=session_now(session), state=PENDING)
    session.add(row)
    await session.flush()
    await audit.record(session, actor=actor, action="orders.waiver_proposed", object_type="provisioning_task",
                       object_id=task.id, after={"request_id": request.id, "key": task.key, "reason": text,
                                                 "waiver_id": row.id})
    admins = await users_with_role(session, ADMIN_ROLE, [item.id for item in await lineage(
        session, request.organisation_id)])
    await notify(session, recipients=admins, message=PROPOSED, params={"number": request.id, "task": label},
                 link="/orders/confirmations")
    return row


async def withdraw_for(uow: UnitOfWork, *, actor: Actor, task: ProvisioningTask) -> None:
    """The task was worked after all: its pending proposal no longer needs a decision."""
    found = await pending_for(uow.session, task.id)
    if found is None:
        return
    found.state, found.decided_at = WITHDRAWN, session_now(uow.session)
    await audit.record(uow.session, actor=actor, action="orders.waiver_withdrawn", object_type="provisioning_task",
                       object_id=task.id, after={"waiver_id": found.id, "state": WITHDRAWN})


async def confirmer_organisations(session: AsyncSession, actor: Actor) -> list[int]:
    """The organisations whose orders' proposals the actor decides: theirs and every one below (an administrator of
    Region Skåne decides for its clinics)."""
    if not permissions.may(actor, permissions.ORDERS_CATALOGUES) or actor.organisation_id is None:
        raise PermissionDenied(_("Only an IT-order administrator confirms a task set aside."))
    return await organisation_ids_under(session, actor.organisation_id)


async def _about(session: AsyncSession, order: ItOrder, task: ProvisioningTask) -> tuple[Catalogue, GeneratedTask]:
    catalogue, checklist = await order_queries.checklist_of(session, order)
    return catalogue, checklist.task(task.key)


async def pending_list(session: AsyncSession, actor: Actor) -> list[PendingWaiver]:
    organisations = await confirmer_organisations(session, actor)
    rows = (await session.execute(
        select(OrderTaskWaiver, ProvisioningRequest, ItOrder, ProvisioningTask)
        .join(ProvisioningRequest, ProvisioningRequest.id == OrderTaskWaiver.request_id)
        .join(ItOrder, ItOrder.request_id == OrderTaskWaiver.request_id)
        .join(ProvisioningTask, ProvisioningTask.id == OrderTaskWaiver.task_id)
        .where(OrderTaskWaiver.state == PENDING, ProvisioningRequest.organisation_id.in_(organisations))
        .order_by(OrderTaskWaiver.proposed_at, OrderTaskWaiver.id))).all()
    found = []
    for waiver, request, order, task in rows:
        _catalogue, generated = await _about(session, order, task)
        person = await session.get(OrderPerson, order.person_id) if order.person_id is not None else None
        organisation = await session.get(Organisation, request.organisation_id)
        proposer = await session.get(User, waiver.proposed_by_id)
        held = await register.access_register(session, order.person_id) if order.person_id is not None else []
        found.append(PendingWaiver(waiver, request, order, order_queries.task_label(generated),
                                   person.full_name if person else None, organisation.name if organisation else "",
                                   proposer.username if proposer else "?", tuple(held)))
    return found


async def decide(uow: UnitOfWork, *, actor: Actor, waiver_id: int, confirm: bool,
                 note: str | None) -> OrderTaskWaiver:
    """Confirms (the task becomes not applicable with the proposed reason) or refuses (the task stays to do)."""
    session = uow.session
    waiver = (await session.execute(select(OrderTaskWaiver).where(OrderTaskWaiver.id == waiver_id)
                                    .with_for_update())).scalar_one_or_none()
    if waiver is None:
        raise NotFound(_("There is no such proposal."))
    request = await service.load_request(session, waiver.request_id, for_update=True)
    if request.organisation_id not in await confirmer_organisations(session, actor):
        raise PermissionDenied(scope.OUTSIDE)
    if actor.user_id == waiver.proposed_by_id:
        raise PermissionDenied(_("A second person confirms: you proposed this yourself."))
    if waiver.state != PENDING:
        raise WaiverRefused(_("This proposal is already decided ({state})."), state=STATE_LABELS[waiver.state])
    cleaned = _text(note, minimum=0 if confirm else 1, field="note") if (note or not confirm) else None
    task = await session.get(ProvisioningTask, waiver.task_id)
    assert task is not None  # a foreign key
    order = await session.get(ItOrder, request.id)
    assert order is not None  # a waiver is made for an IT order
    catalogue, generated = await _about(session, order, task)
    label = order_queries.task_label(generated)
    if confirm:
        await service.advance_task(uow, actor=actor, request=request, task=task, action="skip", note=waiver.reason,
                                   complete_when_settled=False)
    waiver.state = CONFIRMED if confirm else REFUSED
    waiver.decided_by_id, waiver.decided_at, waiver.decision_note = actor.user_id, session_now(session), cleaned
    await audit.record(session, actor=actor, action=f"orders.waiver_{waiver.state}", object_type="provisioning_task",
                       object_id=task.id, before={"state": PENDING},
                       after={"waiver_id": waiver.id, "state": waiver.state, "note": cleaned,
                              "request_id": request.id, "key": task.key})
    proposer = await session.get(User, waiver.proposed_by_id)
    await notify(session, recipients=[proposer] if proposer else [], message=DECIDED[waiver.state],
                 params={"number": request.id, "task": label, "note": cleaned or ""},
                 link=f"/orders/{request.id}#task-{task.key}")
    if confirm:
        await removals.close_when_removed(uow, actor=actor, request=request, order=order, catalogue=catalogue,
                                          event=catalogue.events[order.event_key])
        await queue_notices.tell_groups(uow, actor=actor, request_id=request.id)  # the tasks after it are free
    return waiver
