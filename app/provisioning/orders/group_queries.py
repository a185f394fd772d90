"""A fulfilling group's queue (issue 23 item 4): the open tasks of the orders placed from the group's catalogues that
this group fulfils and that can be worked now (their prerequisites settled), overdue orders first, then the oldest.

The checklist is generated again for each open order, as every order list does (``queries.py``); at most
``queries.MAX_LISTED`` orders are read, the oldest first, so an overdue backlog is never pushed out by new orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actors import Actor
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders import fulfilment, order_queries, queries
from app.provisioning.orders.fulfilment import Holder, KeptGroup
from app.provisioning.orders.models import ItOrder


@dataclass(frozen=True)
class GroupQueueEntry:
    order: queries.OrderSummary
    line: order_queries.TaskLine
    holder: Holder | None

    @property
    def overdue(self) -> bool:
        return self.order.view.overdue

    @property
    def waiting_since(self) -> datetime:
        return self.order.view.request.created_at


@dataclass(frozen=True)
class GroupQueue:
    group: KeptGroup
    entries: tuple[GroupQueueEntry, ...]

    def held_by(self, user_id: int | None) -> list[GroupQueueEntry]:
        return [entry for entry in self.entries if entry.holder is not None and entry.holder.user_id == user_id]


async def group_queue(session: AsyncSession, actor: Actor, group_key: str, now: datetime) -> GroupQueue:
    """The queue of a group the actor is a member of; anyone else is refused (403)."""
    group = await fulfilment.require_member(session, actor, group_key)
    return GroupQueue(group, tuple(await queue_entries(session, actor, group, now)))


async def queue_entries(session: AsyncSession, actor: Actor, group: KeptGroup, now: datetime) -> list[GroupQueueEntry]:
    statement = select(ProvisioningRequest, ItOrder).join(ItOrder, ItOrder.request_id == ProvisioningRequest.id) \
        .where(ItOrder.catalogue_key.in_(group.catalogues), ProvisioningRequest.state == workflow.IN_PROGRESS) \
        .order_by(ProvisioningRequest.created_at, ProvisioningRequest.id).limit(queries.MAX_LISTED)
    entries: list[tuple[queries.OrderSummary, order_queries.TaskLine]] = []
    for request, order in (await session.execute(statement)).all():
        summary = queries.OrderSummary(await order_queries.view_of(session, actor, request, order, now))
        for line in summary.view.lines:
            found = fulfilment.group_of(summary.view.catalogue, line.generated)
            if found is not None and found.key == group.key and line.is_open and not line.blocked:
                entries.append((summary, line))
    held = await fulfilment.holders(session, [line.task.id for _summary, line in entries])
    listed = [GroupQueueEntry(summary, line, held.get(line.task.id)) for summary, line in entries]
    return sorted(listed, key=lambda entry: (not entry.overdue, entry.waiting_since, entry.order.id,
                                             entry.line.task.position))


async def queue_sizes(session: AsyncSession, actor: Actor, groups: list[KeptGroup], now: datetime) -> dict[str, int]:
    """How many tasks wait in each of these groups' queues (the groups page's figures)."""
    return {group.key: len(await queue_entries(session, actor, group, now)) for group in groups}


@dataclass(frozen=True)
class WhoHasIt:
    """On the orderer's page: the group that fulfils a task and the member who has (or did) it."""

    group: str | None
    holder: str | None
    queued: bool  # open, not blocked, in a member group's queue, and nobody has taken it yet
    group_key: str | None = None


async def who_has(session: AsyncSession, view: order_queries.OrderView) -> dict[str, WhoHasIt]:
    """By task key; tasks of a catalogue without groups are absent (their orderer does them)."""
    held = await fulfilment.holders(session, [line.task.id for line in view.lines])
    found: dict[str, WhoHasIt] = {}
    for line in view.lines:
        group = fulfilment.group_of(view.catalogue, line.generated)
        holder = held.get(line.task.id)
        if group is not None or holder is not None:
            # A blocked task is not in the queue yet (``queue_entries``): it arrives when its prerequisites settle.
            queued = group is not None and group.kept_by == "catalogue" and line.is_open and not line.blocked \
                and holder is None
            found[line.task.key] = WhoHasIt(group.name if group else None, holder.name if holder else None, queued,
                                            group.key if group else None)
    return found
