"""Who is in a fulfilling group (issue 23 item 4): the IT-order administrator of the organisation that keeps it adds
and removes members, audited. A member is an active user of that organisation with the IT fulfiller role (KLK IT's
system administrators are Uppsala kommun's users, the region's IT staff Region Skåne's): a clinic's IT contact
cannot be put in the region's queue, nor a user of another municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from accounts import permissions
from accounts.models import User, UserRole
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.orders import fulfilment, scope
from app.provisioning.orders.models import OrderGroupMember

MEMBER_ROLES: Final = frozenset({"it_fulfiller"})


class AlreadyMember(Conflict):
    code = "already_member"


@dataclass(frozen=True)
class Member:
    user_id: int
    username: str
    name: str


async def members(uow: UnitOfWork, *, actor: Actor, group_key: str) -> list[Member]:
    organisation_id = scope.keeping_organisation(actor)
    await fulfilment.kept_group(uow.session, organisation_id, group_key)
    rows = await uow.session.execute(select(User).join(OrderGroupMember, OrderGroupMember.user_id == User.id).where(
        OrderGroupMember.organisation_id == organisation_id, OrderGroupMember.group_key == group_key)
        .order_by(User.display_name))
    return [Member(user.id, user.username, user.display_name) for user in rows.scalars()]


async def candidates(uow: UnitOfWork, *, actor: Actor, group_key: str) -> list[Member]:
    """Who may be added: active IT fulfillers of the organisation that are not members yet."""
    organisation_id = scope.keeping_organisation(actor)
    present = {member.user_id for member in await members(uow, actor=actor, group_key=group_key)}
    rows = await uow.session.execute(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.organisation_id == organisation_id, User.is_active.is_(True), User.deleted_at.is_(None),
        UserRole.role_code.in_(MEMBER_ROLES)).order_by(User.display_name))
    return [Member(user.id, user.username, user.display_name) for user in rows.scalars().unique()
            if user.id not in present]


async def add_member(uow: UnitOfWork, *, actor: Actor, group_key: str, user_id: int) -> None:
    organisation_id = scope.keeping_organisation(actor)
    session = uow.session
    group = await fulfilment.kept_group(session, organisation_id, group_key)
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_("There is no such user."))
    if user.organisation_id != organisation_id:
        raise PermissionDenied(_("Only users of your own organisation can be members of its groups."))
    roles = set((await session.execute(select(UserRole.role_code).where(UserRole.user_id == user.id))).scalars())
    if not user.is_active or not roles & MEMBER_ROLES:
        raise ValidationFailed(_("{name} is not an active IT fulfiller: give the user that role first."),
                               details={"field": "user_id"}, name=user.display_name)
    if await fulfilment.is_member(session, organisation_id, group_key, user.id):
        raise AlreadyMember(_("{name} is already a member of {group}."), name=user.display_name, group=group.name)
    row = OrderGroupMember(organisation_id=organisation_id, group_key=group_key, user_id=user.id,
                           added_at=session_now(session), added_by_id=actor.user_id)
    session.add(row)
    await session.flush()
    await audit.record(session, actor=actor, action="orders.group_member_added", object_type="order_group_member",
                       object_id=row.id, after={"group": group_key, "user_id": user.id, "username": user.username})


async def remove_member(uow: UnitOfWork, *, actor: Actor, group_key: str, user_id: int) -> None:
    organisation_id = scope.keeping_organisation(actor)
    session = uow.session
    await fulfilment.kept_group(session, organisation_id, group_key)
    row = await session.scalar(select(OrderGroupMember).where(
        OrderGroupMember.organisation_id == organisation_id, OrderGroupMember.group_key == group_key,
        OrderGroupMember.user_id == user_id).with_for_update())
    if row is None:
        raise NotFound(_("This user is not a member of the group."))
    await audit.record(session, actor=actor, action="orders.group_member_removed", object_type="order_group_member",
                       object_id=row.id, before={"group": group_key, "user_id": user_id})
    await session.delete(row)
    await session.flush()


def may_administer(actor: Actor) -> bool:
    return permissions.may(actor, permissions.ORDERS_CATALOGUES)
