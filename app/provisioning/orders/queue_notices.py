"""Telling a fulfilling group's members that work has arrived in their queue (issue 23 item 4): when an order is
placed, and when a task settles and so unblocks the ones waiting on it (the clinic's directory record done, the
region's Ritz orders can go), the members of each group kept by the catalogue get one notice per order and group
naming the tasks that became workable.

Each task is announced once: the notices already sent for an order and group keep the ids of the tasks they named
(``task_ids``), and only tasks not named before are told. The check is made when the work arrives, never when a
member opens a page, so reading the queue never sends anything. A group kept by the orderer (the clinic, the care
provider) is not told here: its IT contacts see the tasks on their own order page, as before.
"""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.i18n import _
from app.notifications.models import Notification
from app.notifications.notify import notify
from app.provisioning.core import workflow
from app.provisioning.orders import fulfilment, order_queries
from app.provisioning.orders.models import OrderCatalogue, OrderGroupMember

ARRIVED = _("Order #{number}: new work in the queue of {group}: {tasks}.")
TASK_IDS = "task_ids"


def link_of(group_key: str, request_id: int) -> str:
    return f"/orders/groups/{group_key}#order-{request_id}"


async def tell_groups(uow: UnitOfWork, *, actor: Actor, request_id: int) -> int:
    """Tells each kept group's members about the order's tasks that are workable now and were not told before;
    returns how many notices were made (members times groups)."""
    session = uow.session
    request, order = await order_queries.load_order(session, request_id)
    if request.state != workflow.IN_PROGRESS:
        return 0
    keeper_id = await session.scalar(select(OrderCatalogue.organisation_id).where(
        OrderCatalogue.key == order.catalogue_key))
    if keeper_id is None:
        return 0
    view = await order_queries.view_of(session, actor, request, order, session_now(session))
    workable: dict[str, list[order_queries.TaskLine]] = {}
    names: dict[str, str] = {}
    for line in view.lines:
        group = fulfilment.group_of(view.catalogue, line.generated)
        if group is None or group.kept_by != "catalogue" or not line.is_open or line.blocked:
            continue
        workable.setdefault(group.key, []).append(line)
        names[group.key] = group.name
    told = 0
    for group_key, lines in workable.items():
        link = link_of(group_key, request_id)
        known = await _told_before(uow, link)
        new = [line for line in lines if line.task.id not in known]
        if not new:
            continue
        members = list((await session.execute(select(User).join(
            OrderGroupMember, OrderGroupMember.user_id == User.id).where(
            OrderGroupMember.organisation_id == keeper_id, OrderGroupMember.group_key == group_key))).scalars())
        told += await notify(session, recipients=members, message=ARRIVED, link=link, params={
            "number": request_id, "group": names[group_key], "tasks": "; ".join(line.label for line in new),
            TASK_IDS: ",".join(str(line.task.id) for line in new)})
    return told


async def _told_before(uow: UnitOfWork, link: str) -> set[int]:
    """The ids of the tasks the notices already sent for this order and group named."""
    rows = await uow.session.execute(select(Notification.params).where(
        Notification.message == ARRIVED, Notification.link == link))
    found: set[int] = set()
    for params in rows.scalars():
        found.update(int(part) for part in str((params or {}).get(TASK_IDS) or "").split(",") if part)
    return found
