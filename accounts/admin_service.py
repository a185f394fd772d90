"""What an administrator does to users: create, change, deactivate, delete, reset a password.

An authority's administrator works on the bed board; a provisioning tree's administrator (of a health service, a
region, a commune or a care provider) on its own tree; the ministry's administrators make a tree's first
administrator from the pages (``first_administrator``), as the command line did until now.

Every action checks the scope here (``may_manage_user``), not only in the route, and is audited with
before and after. No password or hash is ever written to the log, and the administrator never sees a
password: a new account or a reset gets a single-use activation link instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import activation, permissions, sessions
from accounts.admin_queries import is_tree_admin, load_user, require_admin, require_scope
from accounts.models import Organisation, User, UserRole
from accounts.permissions import ROLE_ORGANISATION_KINDS
from accounts.service import username_key
from accounts.trees import BED_BOARD_KINDS, TREE_ROOT_KINDS
from app.kit import audit
from app.kit.actors import Actor
from app.kit.audit import AuditHead
from app.kit.db import session_now
from app.kit.errors import Conflict, PermissionDenied, ValidationFailed
from app.kit.i18n import _

USERNAME = re.compile(r"[a-z0-9._-]{3,40}")
USERNAME_RULE = _("A username has 3 to 40 characters: lowercase letters, digits, dot, underscore or hyphen.")
ROLES = ("coordinator", "operator", "auditor", "admin")
# A tree's administrator gives the roles of the tree's kinds of organisation, and makes its administrators and auditors.
TREE_ROLES = tuple(role for role, kinds in ROLE_ORGANISATION_KINDS.items() if kinds - BED_BOARD_KINDS)


def roles_for(actor: Actor) -> tuple[str, ...]:
    """The roles an administrator may give, in the order of the page's list."""
    return TREE_ROLES if is_tree_admin(actor) else ROLES


def first_administrator(actor: Actor, role: str, organisation: Organisation) -> bool:
    """The ministry's administrators make the administrators of a provisioning tree's root (and nothing else in
    it): the tree's own administrators take it from there."""
    return (role == "admin" and organisation.kind in TREE_ROOT_KINDS
            and permissions.may_take_ownership(actor, permissions.USERS_MANAGE))


class LockOut(Conflict):
    code = "lockout"


@dataclass(frozen=True)
class IssuedLink:
    user_id: int
    username: str
    display_name: str
    token: str


def _snapshot(user: User, organisation: Organisation, role: str | None) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "organisation": organisation.code,
            "role": role, "active": user.is_active}


def _clean_username(raw: str) -> str:
    username = raw.strip()
    if not USERNAME.fullmatch(username):
        raise ValidationFailed(USERNAME_RULE, details={"field": "username"})
    return username


def _clean_display_name(raw: str) -> str:
    display_name = " ".join(raw.split())
    if not 1 <= len(display_name) <= 200:
        raise ValidationFailed(_("The name must have between 1 and 200 characters."),
                               details={"field": "display_name"})
    return display_name


async def _require_free(session: AsyncSession, username: str, *, except_user_id: int | None = None) -> None:
    taken = await session.scalar(select(User.id).where(User.username_key == username_key(username)))
    if taken is not None and taken != except_user_id:
        raise ValidationFailed(_("The username {username} is taken."), username=username,
                               details={"field": "username"})


async def _organisation_for(session: AsyncSession, actor: Actor, role: str,
                            organisation_id: int | None) -> Organisation:
    """Authority roles belong to the administrator's own authority unless another organisation is chosen; an
    operator names a hospital."""
    if role not in roles_for(actor):
        raise ValidationFailed(_("Choose one of the offered roles."), details={"field": "role"})
    if role == "operator" and organisation_id is None:
        raise ValidationFailed(_("An operator belongs to a hospital: choose one."), details={"field": "hospital"})
    chosen = await session.get(Organisation, organisation_id if organisation_id is not None
                               else actor.organisation_id)
    if chosen is None:
        raise ValidationFailed(_("There is no such organisation."), details={"field": "hospital"})
    if not first_administrator(actor, role, chosen):
        # The maker's authority owns a hospital user it makes.
        await require_scope(session, actor, chosen, actor.organisation_id)
    if chosen.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationFailed(_("The role {role} does not belong to an organisation of kind {kind}."),
                               role=role, kind=chosen.kind)
    return chosen


async def _serialise(session: AsyncSession) -> None:
    """Takes the audit chain's lock first, so that two administrators removing each other cannot both
    pass the last-administrator check (each would count the other as still active)."""
    await session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


async def _guard_removal(session: AsyncSession, actor: Actor, user: User, role: str | None) -> None:
    if user.id == actor.user_id:
        raise LockOut(_("You cannot deactivate, delete or demote your own account: ask another administrator."))
    if role != "admin" or not user.is_active:
        return
    others = await session.scalar(
        select(func.count()).select_from(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role_code == "admin", User.organisation_id == user.organisation_id, User.id != user.id,
               User.is_active.is_(True), User.deleted_at.is_(None)))
    if not others:
        raise LockOut(_("{username} is the last active administrator of the authority: make another one first."),
                      username=user.username)


async def _target(session: AsyncSession, actor: Actor, user_id: int) -> tuple[User, Organisation, str | None]:
    require_admin(actor)
    await _serialise(session)
    user, organisation, role = await load_user(session, user_id)
    await require_scope(session, actor, organisation, user.owner_organisation_id)
    return user, organisation, role


def _owner_for(actor: Actor, organisation: Organisation) -> int | None:
    """A hospital user is owned by the authority of the administrator who makes or moves it (who owns it)."""
    return actor.organisation_id if organisation.kind == "hospital" else None


async def create_user(session: AsyncSession, *, actor: Actor, username: str, display_name: str, role: str,
                      organisation_id: int | None = None) -> IssuedLink:
    """A user without a password, and the activation link with which they choose one."""
    require_admin(actor)
    organisation = await _organisation_for(session, actor, role, organisation_id)
    username, display_name = _clean_username(username), _clean_display_name(display_name)
    await _require_free(session, username)
    user = User(username=username, username_key=username_key(username), display_name=display_name,
                organisation_id=organisation.id, owner_organisation_id=_owner_for(actor, organisation),
                is_active=True, password_hash=None, must_change_password=False, created_at=session_now(session))
    session.add(user)
    await session.flush()
    session.add(UserRole(user_id=user.id, role_code=role))
    token = await activation.issue(session, user=user, purpose="activate", actor=actor)
    await audit.record(session, actor=actor, action="accounts.user_created", object_type="user", object_id=user.id,
                       after={**_snapshot(user, organisation, role), "activation_link": "issued",
                              "owner": actor.organisation_code if user.owner_organisation_id else None})
    return IssuedLink(user.id, user.username, user.display_name, token)


async def update_user(session: AsyncSession, *, actor: Actor, user_id: int, username: str, display_name: str,
                      role: str, organisation_id: int | None = None) -> None:
    user, organisation, current_role = await _target(session, actor, user_id)
    new_organisation = await _organisation_for(session, actor, role, organisation_id)
    username, display_name = _clean_username(username), _clean_display_name(display_name)
    if username_key(username) != user.username_key:
        await _require_free(session, username, except_user_id=user.id)
    if current_role == "admin" and role != "admin":
        await _guard_removal(session, actor, user, current_role)
    before = _snapshot(user, organisation, current_role)
    user.username, user.username_key, user.display_name = username, username_key(username), display_name
    user.organisation_id = new_organisation.id
    user.owner_organisation_id = _owner_for(actor, new_organisation)
    if role != current_role:
        await session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        session.add(UserRole(user_id=user.id, role_code=role))
    after = _snapshot(user, new_organisation, role)
    if before == after:
        return
    if (before["role"], before["organisation"]) != (after["role"], after["organisation"]):
        # What the user may do changed: open pages and boards must not keep the old rights.
        await sessions.end_all_of_user(session, user_id=user.id, now=session_now(session), reason="role_changed")
    await audit.record(session, actor=actor, action="accounts.user_changed", object_type="user", object_id=user.id,
                       before=before, after=after)


async def set_active(session: AsyncSession, *, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivation ends the user's sessions (and so its sockets) and unused links at once."""
    user, organisation, role = await _target(session, actor, user_id)
    if not active:
        await _guard_removal(session, actor, user, role)
    if user.is_active == active:
        return
    before = _snapshot(user, organisation, role)
    user.is_active = active
    ended: list[int] = []
    if not active:
        now = session_now(session)
        ended = await sessions.end_all_of_user(session, user_id=user.id, now=now, reason="deactivated")
        await activation.end_links_of(session, user_id=user.id, now=now)
    await audit.record(session, actor=actor, action="accounts.user_" + ("reactivated" if active else "deactivated"),
                       object_type="user", object_id=user.id, before=before,
                       after={**_snapshot(user, organisation, role), "sessions_ended": len(ended)})


async def delete_user(session: AsyncSession, *, actor: Actor, user_id: int) -> None:
    """A soft delete: the row stays (the audit log and "updated by" still name the person), the
    username stays reserved, and the account can never log in again."""
    user, organisation, role = await _target(session, actor, user_id)
    await _guard_removal(session, actor, user, role)
    before = _snapshot(user, organisation, role)
    now = session_now(session)
    user.is_active, user.deleted_at = False, now
    ended = await sessions.end_all_of_user(session, user_id=user.id, now=now, reason="deleted")
    await activation.end_links_of(session, user_id=user.id, now=now)
    await audit.record(session, actor=actor, action="accounts.user_deleted", object_type="user", object_id=user.id,
                       before=before, after={"deleted": True, "sessions_ended": len(ended)})


async def reset_password(session: AsyncSession, *, actor: Actor, user_id: int) -> IssuedLink:
    """The old password stops working now, every session (and socket) ends, and a new link is issued."""
    user, organisation, role = await _target(session, actor, user_id)
    if user.id == actor.user_id:
        raise LockOut(_("Change your own password on your account page."))
    if not user.is_active:
        raise ValidationFailed(_("Reactivate the account before you reset its password."))
    now = session_now(session)
    had_password = user.password_hash is not None
    user.password_hash, user.must_change_password = None, False
    ended = await sessions.end_all_of_user(session, user_id=user.id, now=now, reason="password_reset")
    token = await activation.issue(session, user=user, purpose="reset", actor=actor)
    await audit.record(session, actor=actor, action="accounts.password_reset", object_type="user",
                       object_id=user.id, before={"password_set": had_password},
                       after={"password_set": False, "sessions_ended": len(ended), "activation_link": "issued",
                              "organisation": organisation.code, "role": role})
    return IssuedLink(user.id, user.username, user.display_name, token)


async def take_ownership(session: AsyncSession, *, actor: Actor, user_id: int) -> bool:
    """The ministry takes a hospital operator over from another authority; False when it owned it already.

    Explicit and audited (``accounts.ownership_taken``, before and after owner), so that the authority that
    loses the account can see who took it and when.
    """
    require_admin(actor)
    if not permissions.may_take_ownership(actor, permissions.USERS_MANAGE):
        raise PermissionDenied(_("Only the ministry's administrators may take ownership of an operator."))
    await _serialise(session)
    user, organisation, _role = await load_user(session, user_id)
    if organisation.kind != "hospital":
        raise ValidationFailed(_("Only hospital users have an owning authority."))
    if user.owner_organisation_id == actor.organisation_id:
        return False
    previous = None if user.owner_organisation_id is None else await session.get(Organisation,
                                                                                    user.owner_organisation_id)
    user.owner_organisation_id = actor.organisation_id
    await audit.record(session, actor=actor, action="accounts.ownership_taken", object_type="user",
                       object_id=user.id, before={"owner": None if previous is None else previous.code},
                       after={"owner": actor.organisation_code, "username": user.username})
    return True
