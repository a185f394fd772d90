"""Account rules: log in, log out, change your own password and profile, create a user from the CLI.

Plain async functions taking a session and an actor; they flush, audit, and never commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import sessions, throttle
from accounts.models import Organisation, Role, User, UserRole
from accounts.passwords import PasswordHasher, check_policy
from accounts.permissions import ROLE_ORGANISATION_KINDS
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import DomainError, NotAuthenticated, TooManyAttempts, ValidationFailed
from app.kit.i18n import LANGUAGES, _
from app.kit.settings import Settings

WRONG_CREDENTIALS = _("Wrong username or password.")
# While a limit is used up by attempts still being checked: look again every 0.1 s, for 5 s at most (20
# argon2 checks of RFC 9106's profile take about 2 s on two threads of the 2-core VM).
PENDING_WAIT_SECONDS = 0.1
PENDING_LOOKS = 50


@dataclass(frozen=True)
class AccountsContext:
    """What account services need besides the database: the hasher and the two policies."""

    hasher: PasswordHasher
    throttle: throttle.ThrottlePolicy
    sessions: sessions.SessionPolicy


@dataclass(frozen=True)
class LoginResult:
    """Either a session (token and actor) or the refusal to show.

    A refusal is a result, not an exception: its audit row and failure count must commit.
    """

    token: str | None = None
    actor: Actor | None = None
    refusal: DomainError | None = None


def username_key(username: str) -> str:
    return username.strip().casefold()


async def _find_user(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username_key == username_key(username)))


async def login(
    unit_of_work: Callable[[], UnitOfWork], *, context: AccountsContext, username: str, password: str,
    client_address: str,
) -> LoginResult:
    """A refusal carries one generic message for any wrong username or password.

    Three steps, so that the slow password check (argon2, 64 MiB) holds no transaction: on SQLite a
    transaction holds the write lock, and bed updates must never wait behind a login. The first step takes
    the attempt (``throttle.reserve_attempt``) and commits before the password is checked, so that at most
    the policy's number of passwords is checked per username and per address, however many arrive at once.
    """
    key = username_key(username)[:80]
    lock = await _take_attempt(unit_of_work, context, key, client_address)
    if lock is not None:
        # Not audited one by one (the lock itself was): a flood of refused attempts must not become a
        # flood of writes that queue on the audit chain's lock ahead of bed updates.
        return LoginResult(refusal=TooManyAttempts(_("Too many failed attempts. Try again after {time}."),
                                                   time=lock.locked_until))
    async with unit_of_work() as uow:
        user = await _find_user(uow.session, username)
        checked_hash = user.password_hash if user is not None and user.is_active else None
        user_id = None if user is None else user.id
    matched = await context.hasher.verify(checked_hash, password)
    upgraded = None
    if matched and checked_hash is not None and context.hasher.needs_rehash(checked_hash):
        upgraded = await context.hasher.hash(password)
    async with unit_of_work() as uow:
        user = None if user_id is None else await uow.session.get(User, user_id)
        # The account may have changed while the password was checked; it must still be the one checked.
        if not matched or user is None or not user.is_active or user.password_hash != checked_hash:
            return await _refuse(uow.session, context, key, client_address)
        return await _open_session(uow.session, context, user, upgraded, key, client_address)


async def _take_attempt(unit_of_work: Callable[[], UnitOfWork], context: AccountsContext, key: str,
                        client_address: str) -> throttle.Lock | None:
    """Take one attempt for the username and the address, or return the lock that refuses it.

    When a limit is used up but no lock holds, some of the attempts it counts are still having their password
    checked (a lock is set by the failure that reaches the limit): they end in a few hundred milliseconds, as
    failures that set the lock or as logins that give their attempt back. So this attempt waits for them
    instead of being refused, and a shift's worth of colleagues logging in at once from one hospital address
    is let in, while no more than the limit of passwords is ever checked at the same time.
    """
    refusal = None
    for _look in range(PENDING_LOOKS):
        async with unit_of_work() as uow:
            now = session_now(uow.session)
            lock = await throttle.active_lock(uow.session, key, client_address, now)
            if lock is not None:
                return lock
            refusal = await throttle.reserve_attempt(uow.session, context.throttle, key, client_address, now)
        if refusal is None:
            return None
        await asyncio.sleep(PENDING_WAIT_SECONDS)
    return refusal


async def _refuse(session: AsyncSession, context: AccountsContext, key: str, client_address: str) -> LoginResult:
    anonymous = Actor.anonymous(client_address)
    await audit.record(session, actor=anonymous, action="accounts.login_failed", object_type="user", object_id=key)
    new_lock = await throttle.count_failure(session, context.throttle, key, client_address, session_now(session))
    if new_lock is not None:
        await audit.record(session, actor=anonymous, action="accounts.login_throttled", object_type="user",
                           object_id=key, after={"lock": new_lock.kind, "until": new_lock.locked_until.isoformat()})
    return LoginResult(refusal=NotAuthenticated(WRONG_CREDENTIALS))


async def _open_session(session: AsyncSession, context: AccountsContext, user: User, upgraded_hash: str | None,
                        key: str, client_address: str) -> LoginResult:
    now = session_now(session)
    if upgraded_hash is not None:
        user.password_hash = upgraded_hash
    user.last_login_at = now
    await throttle.forget_failures(session, key)
    token, row = await sessions.start(session, user=user, now=now, policy=context.sessions,
                                      client_address=client_address)
    actor = await sessions.actor_for(session, user, source="web", client_address=client_address, session_id=row.id)
    await audit.record(session, actor=actor, action="accounts.login", object_type="session", object_id=row.id)
    return LoginResult(token=token, actor=actor)


async def logout(session: AsyncSession, *, actor: Actor) -> None:
    if actor.session_id is None:
        return
    await sessions.end(session, session_id=actor.session_id, now=session_now(session), reason="logout")
    await audit.record(session, actor=actor, action="accounts.logout", object_type="session",
                       object_id=actor.session_id)


async def _own_user(session: AsyncSession, actor: Actor) -> User:
    if actor.user_id is None:
        raise NotAuthenticated(_("Please log in."))
    return await session.get_one(User, actor.user_id)


async def change_password(
    session: AsyncSession, *, context: AccountsContext, actor: Actor, current_password: str, new_password: str
) -> None:
    user = await _own_user(session, actor)
    if not await context.hasher.verify(user.password_hash, current_password):
        raise ValidationFailed(_("The current password is not right."), details={"field": "current_password"})
    check_policy(new_password, user.username)
    if await context.hasher.verify(user.password_hash, new_password):
        raise ValidationFailed(_("The new password must differ from the current one."),
                               details={"field": "new_password"})
    now = session_now(session)
    user.password_hash = await context.hasher.hash(new_password)
    user.password_changed_at, user.must_change_password = now, False
    # Someone who learnt the old password may hold a session: every other session ends now.
    ended = await sessions.end_all_of_user(session, user_id=user.id, now=now, reason="password_changed",
                                           keep_session_id=actor.session_id)
    await audit.record(session, actor=actor, action="accounts.password_changed", object_type="user",
                       object_id=user.id, after={"other_sessions_ended": len(ended)})


async def update_profile(session: AsyncSession, *, actor: Actor, display_name: str, language: str) -> None:
    user = await _own_user(session, actor)
    display_name = " ".join(display_name.split())
    if not 1 <= len(display_name) <= 200:
        raise ValidationFailed(_("The name must have between 1 and 200 characters."),
                               details={"field": "display_name"})
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose one of the offered languages."), details={"field": "language"})
    before = {"display_name": user.display_name, "language": user.language}
    user.display_name, user.language = display_name, language
    after = {"display_name": display_name, "language": language}
    if before != after:
        await audit.record(session, actor=actor, action="accounts.profile_changed", object_type="user",
                           object_id=user.id, before=before, after=after)


# The bed board's authorities and hospitals; the licence module's health service, its digital-health unit,
# communes and their establishments (seed 000); the roles module's region, care areas and units (seed 001); the
# care providers (utförare) a municipality contracts, whose IT contacts place IT orders (seed 004).
ORGANISATION_KINDS = ("authority", "hospital", "health_service", "digital_health_unit", "commune", "establishment",
                      "region", "care_area", "unit", "care_provider")


async def create_organisation(session: AsyncSession, *, actor: Actor, code: str, name: str, kind: str,
                              parent_code: str | None = None) -> Organisation:
    """An authority (MS, SAMB, SMURD) for a new installation; hospitals normally come from the nomenclature."""
    code, name = code.strip(), " ".join(name.split())
    if not 1 <= len(code) <= 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed(_("An organisation code has 1 to 40 letters, digits, - or _."))
    if not 1 <= len(name) <= 200:
        raise ValidationFailed(_("The name must have between 1 and 200 characters."))
    if kind not in ORGANISATION_KINDS:
        raise ValidationFailed(_("The kind must be one of: {kinds}."), kinds=", ".join(ORGANISATION_KINDS))
    if await session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        raise ValidationFailed(_("The organisation code {code} is taken."), code=code)
    parent_id = None
    if parent_code:
        parent_id = await session.scalar(select(Organisation.id).where(Organisation.code == parent_code))
        if parent_id is None:
            raise UnknownOrganisation(_("There is no organisation with the code {code}."), code=parent_code)
    organisation = Organisation(code=code, name=name, kind=kind, parent_id=parent_id)
    session.add(organisation)
    await session.flush()
    await audit.record(session, actor=actor, action="accounts.organisation_created", object_type="organisation",
                       object_id=organisation.id,
                       after={"code": code, "name": name, "kind": kind, "parent": parent_code})
    return organisation


class UnknownOrganisation(DomainError):
    code = "unknown_organisation"
    status = 422


async def create_user(
    session: AsyncSession, *, context: AccountsContext, actor: Actor, organisation_code: str, role: str,
    username: str, display_name: str, password: str | None, owner_code: str | None = None,
) -> User:
    """Create an account from the command line or the demo (administrators use accounts/admin_service.py).

    ``owner_code``: for a hospital user, the authority whose administrators will manage it; without one the
    operator is the ministry's (``permissions.owns``).
    """
    organisation = await session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if organisation is None:
        raise UnknownOrganisation(_("There is no organisation with the code {code}."), code=organisation_code)
    if await session.get(Role, role) is None:
        raise ValidationFailed(_("There is no role {role}."), role=role)
    kinds = ROLE_ORGANISATION_KINDS.get(role)
    if kinds is not None and organisation.kind not in kinds:
        raise ValidationFailed(_("The role {role} does not belong to an organisation of kind {kind}."),
                               role=role, kind=organisation.kind)
    if not username.strip() or len(username) > 80:
        raise ValidationFailed(_("A username has between 1 and 80 characters."))
    if await _find_user(session, username) is not None:
        raise ValidationFailed(_("The username {username} is taken."), username=username)
    owner = await _owner(session, owner_code) if organisation.kind == "hospital" else None
    now = session_now(session)
    user = User(username=username.strip(), username_key=username_key(username),
                display_name=display_name or username, organisation_id=organisation.id, is_active=True,
                must_change_password=False, created_at=now, owner_organisation_id=None if owner is None else owner.id)
    if password is not None:
        check_policy(password, username)
        user.password_hash, user.password_changed_at = await context.hasher.hash(password), now
    session.add(user)
    await session.flush()
    session.add(UserRole(user_id=user.id, role_code=role))
    await audit.record(session, actor=actor, action="accounts.user_created", object_type="user",
                       object_id=user.id, after={"username": user.username, "display_name": user.display_name,
                                                 "organisation": organisation.code, "roles": [role],
                                                 "password_set": password is not None,
                                                 **({"owner": owner.code} if owner is not None else {})})
    return user


async def _owner(session: AsyncSession, owner_code: str | None) -> Organisation | None:
    if owner_code is None:
        return None
    owner = await session.scalar(select(Organisation).where(Organisation.code == owner_code,
                                                            Organisation.kind == "authority"))
    if owner is None:
        raise UnknownOrganisation(_("There is no authority with the code {code}."), code=owner_code)
    return owner


def accounts_context(settings: Settings) -> AccountsContext:
    return AccountsContext(
        hasher=PasswordHasher(settings.password_profile, settings.hashing_threads),
        throttle=throttle.ThrottlePolicy(
            per_username=settings.login_failures_per_username,
            per_address=settings.login_failures_per_address,
            window=timedelta(minutes=settings.login_window_minutes),
        ),
        sessions=sessions.SessionPolicy(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        ),
    )
