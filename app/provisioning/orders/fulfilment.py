"""Who fulfils an order's task (issue 23 item 4): the catalogue's group for it, the groups an organisation keeps, and
who holds which task. Reads only; the writes are ``membership.py`` and ``fulfilling.py``.

A group kept by the catalogue (the region's IT, KLK IT) is one per organisation keeping that catalogue, with members
chosen by its IT-order administrator; a group kept by the orderer is the ordering clinic or care provider itself,
whose IT contacts work its tasks on their own order pages as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied
from app.kit.i18n import _
from app.provisioning.orders import storing
from app.provisioning.orders.catalogue.definitions import Catalogue, Group
from app.provisioning.orders.catalogue.groups import group_for
from app.provisioning.orders.checklist import GeneratedTask
from app.provisioning.orders.models import OrderCatalogue, OrderGroupMember, OrderTaskHolder

NOT_A_MEMBER = _("You are not a member of this group: its IT-order administrator adds members.")


@dataclass(frozen=True)
class KeptGroup:
    """A group an organisation keeps, as the current versions of its catalogues declare it."""

    organisation_id: int
    key: str
    name: str
    catalogues: tuple[str, ...]


@dataclass(frozen=True)
class Holder:
    group_key: str
    user_id: int
    name: str


def group_of(catalogue: Catalogue, task: GeneratedTask) -> Group | None:
    """The group fulfilling a generated task (a fanned-out task is its rule's; a prerequisite goes by its role)."""
    system = task.system if task.kind == "task" else None
    return group_for(catalogue.groups, task_key=task.rule, system=system, who=task.who)


async def kept_groups(session: AsyncSession, organisation_id: int) -> list[KeptGroup]:
    """The member groups (``kept_by: catalogue``) of the catalogues the organisation keeps, one per key."""
    keys = (await session.execute(select(OrderCatalogue.key).where(
        OrderCatalogue.organisation_id == organisation_id).order_by(OrderCatalogue.key))).scalars()
    found: dict[str, KeptGroup] = {}
    for key in list(keys):
        _row, catalogue = await storing.current(session, key)
        for group in catalogue.groups.values():
            if group.kept_by != "catalogue":
                continue
            known = found.get(group.key)
            catalogues = (*known.catalogues, key) if known else (key,)
            found[group.key] = KeptGroup(organisation_id, group.key, known.name if known else group.name, catalogues)
    return list(found.values())


async def kept_group(session: AsyncSession, organisation_id: int, key: str) -> KeptGroup:
    found = next((group for group in await kept_groups(session, organisation_id) if group.key == key), None)
    if found is None:
        raise NotFound(_("Your organisation keeps no such group."))
    return found


async def is_member(session: AsyncSession, organisation_id: int, group_key: str, user_id: int | None) -> bool:
    if user_id is None:
        return False
    found = await session.scalar(select(OrderGroupMember.id).where(
        OrderGroupMember.organisation_id == organisation_id, OrderGroupMember.group_key == group_key,
        OrderGroupMember.user_id == user_id))
    return found is not None


async def require_member(session: AsyncSession, actor: Actor, group_key: str) -> KeptGroup:
    """The group of the actor's organisation that they are a member of; anyone else is refused."""
    if actor.organisation_id is None:
        raise PermissionDenied(NOT_A_MEMBER)
    group = await kept_group(session, actor.organisation_id, group_key)
    if not await is_member(session, actor.organisation_id, group_key, actor.user_id):
        raise PermissionDenied(NOT_A_MEMBER)
    return group


async def member_groups(session: AsyncSession, actor: Actor) -> list[KeptGroup]:
    """The groups of their organisation the actor is a member of."""
    if actor.organisation_id is None or actor.user_id is None:
        return []
    keys = set((await session.execute(select(OrderGroupMember.group_key).where(
        OrderGroupMember.organisation_id == actor.organisation_id,
        OrderGroupMember.user_id == actor.user_id))).scalars())
    return [group for group in await kept_groups(session, actor.organisation_id) if group.key in keys]


async def holders(session: AsyncSession, task_ids: Iterable[int]) -> dict[int, Holder]:
    """Who holds (or did) each of these tasks, by task id."""
    ids = list(task_ids)
    if not ids:
        return {}
    rows = await session.execute(select(OrderTaskHolder, User.display_name).join(
        User, User.id == OrderTaskHolder.user_id).where(OrderTaskHolder.task_id.in_(ids)))
    return {holder.task_id: Holder(holder.group_key, holder.user_id, name) for holder, name in rows}
