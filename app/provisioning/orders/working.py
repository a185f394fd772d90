"""Working an order's checklist: one task at a time, in the catalogue's order.

The core refuses to complete a task while one it depends on is open; this says first, in words, which ones
(the directory record waits for the five cancellations), so the IT contact knows what to do next.
"""

from __future__ import annotations

from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.orders import order_queries, queue_notices, removals, scope, waivers

MAX_REASON = 500
TASK_ACTIONS = frozenset({"await_external", "confirm", "complete", "skip", "fail", "retry"})
# A task set aside needs its reason: a reader later must see why a system was left as it was.
REASON_REQUIRED = frozenset({"skip", "fail"})
# The actions that settle a task, and so may free the tasks waiting on it for a fulfilling group's queue.
SETTLING = frozenset({"complete", "confirm", "skip"})


class TaskWaits(service.TransitionRefused):
    code = "task_waits"


class GrantAfterRemoval(service.TransitionRefused):
    code = "grant_after_removal"


async def act_on_task(uow: UnitOfWork, *, actor: Actor, request_id: int, task_key: str, action: str,
                      external_reference: str | None = None, reason: str | None = None,
                      authorised: bool = False) -> bool:
    """True when this made the order done: its last open task settled and, for an order that removes access, nothing
    of it left in the person's access register. "Not applicable" on a removal only proposes it (waivers.py)."""
    session = uow.session
    request, order = await order_queries.load_order(session, request_id, for_update=True)
    # ``authorised``: the caller checked that the actor works this task (a fulfilling group's member, fulfilling.py).
    if not authorised:
        scope.require_read(actor, request, order)
    if action not in TASK_ACTIONS:
        raise ValidationFailed(_("Unknown action."), details={"field": "action"})
    view = await order_queries.view_of(session, actor, request, order, session_now(session))
    line = view.line(task_key)
    if not authorised:  # the ordering organisation's IT contacts, or the receiving one's on its own party's tasks
        scope.require_work_task(actor, request, order, line.generated.party)
    if line.waiting_on and action in workflow.TASK_ACTIONS_NEEDING_PREREQUISITES:
        raise TaskWaits(_("{task} has to wait for: {tasks}."), details={"waiting_on": list(line.waiting_on)},
                        task=line.label, tasks="; ".join(line.waiting_on))
    grants = line.generated.effect == "grant" and line.generated.system is not None
    if grants and action in workflow.TASK_ACTIONS_NEEDING_PREREQUISITES:
        removal = await removals.removal_after(session, order, line.generated.system or "")
        if removal is not None:
            raise GrantAfterRemoval(_("{task}: a later order (#{number}) removes it; it is not granted any more. "
                                      "Mark it not applicable."), details={"order_id": removal}, task=line.label,
                                    number=removal)
    if action == "skip" and removals.is_removal(view.checklist.event, line.generated):
        # A removal set aside waits for an administrator: the tasks after it stay blocked (issue 23 item 1).
        await waivers.propose(uow, actor=actor, request=request, order=order, catalogue=view.catalogue,
                              task=line.task, generated=line.generated, label=line.label, reason=reason)
        return False
    note = _reason(reason, required=action in REASON_REQUIRED)
    settled = await service.advance_task(uow, actor=actor, request=request, task=line.task, action=action,
                                         external_reference=external_reference, note=note,
                                         complete_when_settled=False)
    if action in workflow.TASK_ACTIONS_NEEDING_PREREQUISITES:
        await waivers.withdraw_for(uow, actor=actor, task=line.task)
    if action in SETTLING and not settled:
        await queue_notices.tell_groups(uow, actor=actor, request_id=request.id)
    if not settled:
        return False
    return await removals.close_when_removed(uow, actor=actor, request=request, order=order,
                                            catalogue=view.catalogue, event=view.checklist.event)


def _reason(text: str | None, *, required: bool) -> str | None:
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise ValidationFailed(_("Write why: whoever reads the checklist later needs to know."),
                               details={"field": "reason"})
    if len(cleaned) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long (at most {limit} characters)."), details={"field": "reason"},
                               limit=MAX_REASON)
    return cleaned or None


