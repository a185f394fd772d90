"""A fulfilling group's member works a task from the queue (issue 23 item 4): takes it (the orderer then sees who
has it), marks it done, or puts it back in the queue. Each step is audited; "done" is the checklist's own step
(``working.act_on_task``), so the order completes when its last task settles, whoever settles it.

Only a member of the group the catalogue gives the task to may take it, only its holder may finish it or give it
back, and a task someone else holds is refused with their name rather than silently taken over.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select

from accounts import permissions
from accounts.models import User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.orders import fulfilment, order_queries, working
from app.provisioning.orders.models import ItOrder, OrderTaskHolder

STEPS: Final = ("take", "done", "release")
# Done from each open state: a task waiting on an outside confirmation is confirmed, a pending one completed.
DONE_ACTION: Final = {workflow.PENDING: "complete", workflow.WAITING_EXTERNAL: "confirm"}


class TaskHeld(Conflict):
    code = "task_held"


async def _task(uow: UnitOfWork, task_id: int) -> tuple[ProvisioningTask, ProvisioningRequest, ItOrder]:
    session = uow.session
    task = await session.get(ProvisioningTask, task_id)
    order = await session.get(ItOrder, task.request_id) if task is not None else None
    if task is None or order is None:
        raise NotFound(_("This order has no such task."))
    request = await service.load_request(session, task.request_id, for_update=True)
    await session.refresh(task)
    return task, request, order


async def _require_group(uow: UnitOfWork, actor: Actor, group_key: str, order: ItOrder,
                         task: ProvisioningTask) -> None:
    """The actor is a member of ``group_key``, and the order's catalogue gives this task to that group."""
    if not permissions.may(actor, permissions.ORDERS_FULFIL):
        raise PermissionDenied(fulfilment.NOT_A_MEMBER)
    group = await fulfilment.require_member(uow.session, actor, group_key)
    catalogue, checklist = await order_queries.checklist_of(uow.session, order)
    generated = next((entry for entry in checklist.tasks if entry.key == task.key), None)
    found = fulfilment.group_of(catalogue, generated) if generated is not None else None
    if order.catalogue_key not in group.catalogues or found is None or found.key != group_key:
        raise PermissionDenied(_("This task is not in your group's queue."))


async def act(uow: UnitOfWork, *, actor: Actor, group_key: str, task_id: int, step: str) -> bool:
    """True when the step settled the order's last open task (the order is then done)."""
    if step not in STEPS:
        raise NotFound(_("Unknown action."))
    task, request, order = await _task(uow, task_id)
    await _require_group(uow, actor, group_key, order, task)
    session = uow.session
    holder = await session.scalar(select(OrderTaskHolder).where(OrderTaskHolder.task_id == task.id)
                                  .with_for_update())
    if step == "take":
        await _take(uow, actor, group_key, task, request, holder)
        return False
    if holder is None or holder.user_id != actor.user_id:
        raise TaskHeld(_("Take the task first: only the member who has it can finish it or give it back."))
    if step == "release":
        if task.state not in order_queries.OPEN_TASK_STATES:
            raise service.TransitionRefused(_("This task is not open any more; reload the page."),
                                            details={"state": task.state})
        await audit.record(session, actor=actor, action="orders.task_released", object_type="provisioning_task",
                           object_id=task.id, before={"holder": holder.user_id, "group": group_key},
                           after={"request_id": request.id, "key": task.key})
        await session.delete(holder)
        await session.flush()
        return False
    action = DONE_ACTION.get(task.state)
    if action is None:
        raise service.TransitionRefused(_("This task cannot go that way from where it is now; reload the page."),
                                        details={"state": task.state, "action": "done"})
    # The checklist's own path: the prerequisites named in words, and an order that removes access done only when
    # nothing of it is left in the person's register (working.py), whoever works the task.
    return await working.act_on_task(uow, actor=actor, request_id=request.id, task_key=task.key, action=action,
                                     authorised=True)


async def _take(uow: UnitOfWork, actor: Actor, group_key: str, task: ProvisioningTask, request: ProvisioningRequest,
                holder: OrderTaskHolder | None) -> None:
    session = uow.session
    if task.state not in order_queries.OPEN_TASK_STATES or request.state != workflow.IN_PROGRESS:
        raise service.TransitionRefused(_("This task is not open any more; reload the page."),
                                        details={"state": task.state})
    if holder is not None:
        if holder.user_id == actor.user_id:
            return
        other = await session.get(User, holder.user_id)
        raise TaskHeld(_("{name} has this task already."), name=other.display_name if other else "?")
    assert actor.user_id is not None  # a member is a signed-in user
    session.add(OrderTaskHolder(task_id=task.id, group_key=group_key, user_id=actor.user_id,
                                taken_at=session_now(session)))
    await session.flush()
    await audit.record(session, actor=actor, action="orders.task_taken", object_type="provisioning_task",
                       object_id=task.id, after={"holder": actor.user_id, "group": group_key,
                                                 "request_id": request.id, "key": task.key})
