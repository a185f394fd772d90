"""What an administrator sees of users: the list with its filters, one user, the organisations.

An authority's administrator works on the bed board (its own authority's users and the hospitals'); the
administrator of a provisioning tree's root (a health service, a region, a commune, a care provider) on the users of
every organisation of its tree (``accounts.trees``), and on nobody else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts import permissions
from accounts.models import Organisation, User, UserRole
from accounts.trees import TREE_ROOT_KINDS, tree_of
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied
from app.kit.i18n import _

# The seed recommends changing a password at most every six months.
PASSWORD_MAX_AGE = timedelta(days=180)
LIST_LIMIT = 500


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    role: str | None
    is_active: bool
    has_password: bool
    last_login_at: datetime | None
    password_changed_at: datetime | None
    password_old: bool
    # A hospital user's owning authority (None: the ministry's, no owner recorded); whether this admin manages it.
    owner_name: str | None = None
    managed: bool = True
    email: str | None = None

    @property
    def state(self) -> str:
        if not self.is_active:
            return "deactivated"
        return "active" if self.has_password else "pending"


def password_is_old(changed_at: datetime | None, now: datetime) -> bool:
    return changed_at is not None and now - changed_at > PASSWORD_MAX_AGE


def is_tree_admin(actor: Actor) -> bool:
    return actor.organisation_kind in TREE_ROOT_KINDS


def require_admin(actor: Actor) -> None:
    if not permissions.may(actor, permissions.USERS_MANAGE) or not (
            actor.organisation_kind == "authority" or is_tree_admin(actor)):
        raise PermissionDenied(_("Only the administrators of an authority or of an organisation tree manage users."))


async def tree_ids(session: AsyncSession, actor: Actor) -> frozenset[int]:
    """The organisations a tree administrator manages (empty for an authority's administrator)."""
    if not is_tree_admin(actor) or actor.organisation_id is None:
        return frozenset()
    return (await tree_of(session, actor.organisation_id)).ids


def _manages(actor: Actor, organisation: Organisation, owner_organisation_id: int | None,
             tree: frozenset[int]) -> bool:
    if is_tree_admin(actor):
        return permissions.may(actor, permissions.USERS_MANAGE) and organisation.id in tree
    return permissions.may_manage_user(actor, organisation.id, organisation.kind, organisation.parent_id,
                                       owner_organisation_id)


async def require_scope(session: AsyncSession, actor: Actor, organisation: Organisation,
                        owner_organisation_id: int | None) -> None:
    """``owner_organisation_id``: the target's owning authority; for a user being made, the actor's own."""
    if not _manages(actor, organisation, owner_organisation_id, await tree_ids(session, actor)):
        raise PermissionDenied(_("You may not manage the users of this organisation."),
                               details={"organisation": organisation.code})


def _row(actor: Actor, user: User, organisation: Organisation, role: str | None, owner_name: str | None,
         now: datetime, tree: frozenset[int]) -> UserRow:
    managed = _manages(actor, organisation, user.owner_organisation_id, tree)
    return UserRow(user.id, user.username, user.display_name, organisation.id, organisation.name,
                   organisation.kind, role, user.is_active, user.password_hash is not None, user.last_login_at,
                   user.password_changed_at, password_is_old(user.password_changed_at, now), owner_name, managed,
                   user.email)


async def _roles(session: AsyncSession, user_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    rows = await session.execute(select(UserRole.user_id, UserRole.role_code).where(UserRole.user_id.in_(user_ids))
                                 .order_by(UserRole.role_code))
    for user_id, role in rows:
        found.setdefault(user_id, role)
    return found


async def list_users(session: AsyncSession, *, actor: Actor, now: datetime, search: str = "",
                     organisation_id: int | None = None, role: str | None = None) -> list[UserRow]:
    """The users this administrator sees: its own authority's and the hospitals', each hospital user with its
    owning authority (only that authority's administrators manage it)."""
    require_admin(actor)
    tree = await tree_ids(session, actor)
    owner = aliased(Organisation)
    seen = (Organisation.id.in_(tree) if is_tree_admin(actor)
            else or_(Organisation.kind == "hospital", Organisation.id == actor.organisation_id))
    query = (select(User, Organisation, owner.name).join(Organisation, Organisation.id == User.organisation_id)
             .outerjoin(owner, owner.id == User.owner_organisation_id)
             .where(User.deleted_at.is_(None), seen)
             .order_by(Organisation.name, User.username_key).limit(LIST_LIMIT))
    term = search.strip().casefold()
    if term:
        query = query.where(or_(User.username_key.contains(term), func.lower(User.display_name).contains(term)))
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role_code == role)))
    # The where clause above is ``permissions.may_see_user`` or the tree (require_admin holds): every row is shown.
    found = [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]
    roles = await _roles(session, [user.id for user, _org, _owner in found])
    return [_row(actor, user, organisation, roles.get(user.id), owner_name, now, tree)
            for user, organisation, owner_name in found]


async def load_user(session: AsyncSession, user_id: int) -> tuple[User, Organisation, str | None]:
    """A user that is not deleted, with its organisation and role; NotFound otherwise."""
    found = (await session.execute(
        select(User, Organisation).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id == user_id, User.deleted_at.is_(None))
    )).first()
    if found is None:
        raise NotFound(_("There is no such user."))
    user, organisation = found[0], found[1]
    return user, organisation, (await _roles(session, [user.id])).get(user.id)


def may_take_over(actor: Actor, organisation_kind: str) -> bool:
    """Whether the administrator may take a user of this kind of organisation over (only hospital operators, only
    the ministry's administrators)."""
    return organisation_kind == "hospital" and permissions.may_take_ownership(actor, permissions.USERS_MANAGE)


async def user_detail(session: AsyncSession, *, actor: Actor, user_id: int, now: datetime,
                      to_change: bool = False) -> UserRow:
    """For the administrators who manage the user, and (unless ``to_change``) for the ministry's, who may take a
    hospital operator over: they see whose it is and the button. Every other administrator is refused."""
    require_admin(actor)
    user, organisation, role = await load_user(session, user_id)
    if to_change or not may_take_over(actor, organisation.kind):
        await require_scope(session, actor, organisation, user.owner_organisation_id)
    owner_name = None
    if user.owner_organisation_id is not None:
        owner_name = await session.scalar(select(Organisation.name)
                                          .where(Organisation.id == user.owner_organisation_id))
    return _row(actor, user, organisation, role, owner_name, now, await tree_ids(session, actor))


async def manageable_organisations(session: AsyncSession, *, actor: Actor) -> list[tuple[int, str, str]]:
    """(id, name, kind): the administrator's own authority first, then the hospitals by name; the ministry's
    administrators also see the provisioning roots, for whom they make the first administrator; a tree's
    administrator sees its tree."""
    require_admin(actor)
    seen: ColumnElement[bool]
    if is_tree_admin(actor):
        seen = Organisation.id.in_(await tree_ids(session, actor))
    elif permissions.may_take_ownership(actor, permissions.USERS_MANAGE):
        seen = or_(Organisation.kind == "hospital", Organisation.id == actor.organisation_id,
                   Organisation.kind.in_(TREE_ROOT_KINDS))
    else:
        seen = or_(Organisation.kind == "hospital", Organisation.id == actor.organisation_id)
    rows = await session.execute(
        select(Organisation.id, Organisation.name, Organisation.kind).where(seen)
        .order_by(Organisation.kind, Organisation.name))
    return [(row[0], row[1], row[2]) for row in rows]
