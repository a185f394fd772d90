"""API tokens of every scope: minted once, stored hashed, named, revocable, listed and revoked in one place.

A token belongs to one scope, which a domain registers at start-up (``register``, called by the assembly):
the bed board's "beds" (a hospital system's, for its own hospital's sections, made by an authority
administrator) and the licence module's "licenses.usage" (a health record's, reporting licence use for one
health service, made by that service's licence officer). Accounts knows no domain: a scope says who manages
it, which organisations its tokens may be made for, who owns them and what its API paths are.

The raw token exists only in the answer to its creation; the table keeps its SHA-256 (a 256-bit random token
needs no slow hash) and a short prefix so that people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts import permissions
from accounts.models import ApiToken, Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _

TOKEN_PREFIX = "bb_"
SHOWN_PREFIX_LENGTH = 10
# A token acts as "token:<name>"; that must fit the 120-character actor columns of sections and audit.
MAX_NAME_LENGTH = 100
# last_used_at is written at most this often, so that a busy integration does not write on every call.
LAST_USED_INTERVAL = timedelta(seconds=60)
NO_SUCH_TOKEN = _("There is no such API token.")


@dataclass(frozen=True)
class TokenReach:
    """Which tokens of a scope a manager sees, and the organisations a new one may be made for (id, name)."""

    choices: list[tuple[int, str]]
    # True: every token of the scope (a bed token is every authority's to see); False: those of ``choices``.
    sees_all: bool = False


@dataclass(frozen=True)
class TokenScope:
    """A kind of token a domain registers: who manages it, for whom it is made, who owns it, where it works."""

    code: str
    label: str  # the heading of its part of the token page (marked with _())
    help_template: str  # what its tokens are for: a template of the domain, included in its part of the page
    manage: str  # the permission action of its pages
    page: str  # its token page's URL; tokens are made at ``tokens_path`` and revoked below it
    tokens_path: str
    # The manager's reach; raises PermissionDenied for an actor who may not manage this scope.
    reach: Callable[[AsyncSession, Actor], Awaitable[TokenReach]]
    # The column and form field naming a token's organisation (shown only when there is a choice), and the
    # refusal of a value that is not one of the choices (all marked with _()).
    organisation_label: str
    organisation_field: str
    choose: str
    not_owner: str  # the refusal of a revocation by someone who does not own the token (marked with _())
    audit_prefix: str  # "<prefix>_created", "<prefix>_revoked"
    # The actor a token of this scope acts as, and the API paths it may call (the longest prefix wins).
    actor_kind: str
    actor_roles: frozenset[str]
    api_prefix: str
    # Stored in the hospital column (a bed token) rather than the organisation column.
    by_hospital: bool = False
    # False: the maker's authority owns the token (the ministry may take it over); True: its organisation does.
    owned_by_organisation: bool = False
    # Why a token of a live scope no longer works although not revoked (a retired hospital), or None.
    refusal: Callable[[AsyncSession, int], Awaitable[str | None]] | None = None


_SCOPES: dict[str, TokenScope] = {}


def register(scope: TokenScope) -> None:
    """Done by the assembly at start-up; registering the same scope again replaces it."""
    _SCOPES[scope.code] = scope


def scope_of(code: str) -> TokenScope:
    return _SCOPES[code]


def registered() -> list[TokenScope]:
    return list(_SCOPES.values())


def scope_for_path(path: str) -> str | None:
    """The scope whose API prefix is the longest that ``path`` starts with."""
    found = [scope for scope in _SCOPES.values() if path.startswith(scope.api_prefix)]
    return max(found, key=lambda scope: len(scope.api_prefix)).code if found else None


@dataclass(frozen=True)
class TokenListing:
    id: int
    name: str
    scope: str
    organisation_id: int
    organisation_name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    # The owner (None: the ministry's, no owner recorded); only its administrators or officers revoke the token.
    owner_organisation_id: int | None = None
    owner_name: str | None = None


@dataclass(frozen=True)
class CreatedToken:
    raw: str
    listing: TokenListing


@dataclass(frozen=True)
class TokenHolder:
    """Whom a presented token speaks for: a hospital ("beds") or a health service ("licenses.usage")."""

    token_id: int
    name: str
    scope: str
    organisation_id: int
    organisation_code: str
    organisation_name: str


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _organisation_of(token: ApiToken) -> int:
    organisation_id = token.hospital_id if token.hospital_id is not None else token.organisation_id
    assert organisation_id is not None, "every token is made for an organisation"
    return organisation_id


def _listing(token: ApiToken, organisation_name: str, owner_name: str | None) -> TokenListing:
    return TokenListing(id=token.id, name=token.name, scope=token.scope, organisation_id=_organisation_of(token),
                        organisation_name=organisation_name, prefix=token.prefix, created_by=token.created_by,
                        created_at=token.created_at, last_used_at=token.last_used_at, revoked_at=token.revoked_at,
                        owner_organisation_id=token.owner_organisation_id, owner_name=owner_name)


def _with_names(scope: TokenScope, reach: TokenReach) -> Select[ApiToken, str, str]:
    column = ApiToken.hospital_id if scope.by_hospital else ApiToken.organisation_id
    owner = aliased(Organisation)
    query = (select(ApiToken, Organisation.name, owner.name).join(Organisation, Organisation.id == column)
             .outerjoin(owner, owner.id == ApiToken.owner_organisation_id).where(ApiToken.scope == scope.code))
    if not reach.sees_all:
        query = query.where(column.in_([organisation_id for organisation_id, _name in reach.choices]))
    return query


@dataclass(frozen=True)
class ManagedTokens:
    """A scope as its manager sees it: the tokens (live first, then revoked, each by name), the organisations a
    new one may be made for, and what the manager may do with each token."""

    tokens: list[TokenListing]
    choices: list[tuple[int, str]]
    revocable: frozenset[int]
    may_take: bool


async def managed_tokens(uow: UnitOfWork, *, actor: Actor, scope: str) -> ManagedTokens:
    """Raises PermissionDenied for an actor who does not manage the scope."""
    registration = scope_of(scope)
    reach = await registration.reach(uow.session, actor)
    rows = await uow.session.execute(_with_names(registration, reach).order_by(
        ApiToken.revoked_at.is_not(None), func.lower(ApiToken.name), ApiToken.id))
    listings = [_listing(token, name, owner) for token, name, owner in rows]
    return ManagedTokens(tokens=listings, choices=reach.choices, may_take=may_take_ownership(actor, registration),
                         revocable=frozenset(token.id for token in listings
                                             if may_revoke(actor, registration, token)))


async def get_token(uow: UnitOfWork, *, actor: Actor, scope: str, token_id: int) -> TokenListing:
    """A token of the scope within the manager's reach; any other is "no such token" (its existence is not told)."""
    registration = scope_of(scope)
    reach = await registration.reach(uow.session, actor)
    found = (await uow.session.execute(_with_names(registration, reach).where(ApiToken.id == token_id))).first()
    if found is None:
        raise NotFound(NO_SUCH_TOKEN, details={"token_id": token_id})
    return _listing(*found)


async def checked_name(session: AsyncSession, name: str) -> str:
    """The name, spaces tidied; refused if empty, too long or taken by any token of any scope."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise ValidationFailed(_("A token name has between 1 and {max} characters."), max=MAX_NAME_LENGTH,
                               details={"field": "name"})
    # Names are never reused, not even after revocation: the audit log names a token by its name.
    taken = await session.scalar(select(ApiToken.id).where(func.lower(ApiToken.name) == name.lower()))
    if taken is not None:
        raise ValidationFailed(_("There is already a token named {name}; choose another name."), name=name,
                               details={"field": "name"})
    return name


def _audit_key(scope: TokenScope) -> str:
    return "hospital_id" if scope.by_hospital else "organisation_id"


async def create_token(uow: UnitOfWork, *, actor: Actor, scope: str, name: str,
                       organisation_id: int | None) -> CreatedToken:
    """A new token for one of the manager's choices (None: the only one there is); the raw value is in the
    answer only (never stored)."""
    registration = scope_of(scope)
    reach = await registration.reach(uow.session, actor)
    name = await checked_name(uow.session, name)
    if organisation_id is None and len(reach.choices) == 1:
        organisation_id = reach.choices[0][0]
    organisation_name = dict(reach.choices).get(organisation_id or 0)
    if organisation_id is None or organisation_name is None:
        raise ValidationFailed(registration.choose, details={"field": registration.organisation_field})
    owner_id = organisation_id if registration.owned_by_organisation else actor.organisation_id
    raw = new_token()
    token = ApiToken(name=name, scope=scope, owner_organisation_id=owner_id, token_hash=token_digest(raw),
                     hospital_id=organisation_id if registration.by_hospital else None,
                     organisation_id=None if registration.by_hospital else organisation_id,
                     prefix=raw[:SHOWN_PREFIX_LENGTH], created_by=actor.username, created_at=session_now(uow.session))
    uow.session.add(token)
    await uow.session.flush()
    # As before the scopes were joined: a bed token names its owning authority, any other its scope.
    extra: dict[str, Any] = ({"scope": scope} if registration.owned_by_organisation
                             else {"owner": actor.organisation_code})
    await audit.record(uow.session, actor=actor, action=f"{registration.audit_prefix}_created",
                       object_type="api_token", object_id=token.id,
                       after={"name": name, _audit_key(registration): organisation_id, "prefix": token.prefix,
                              **extra})
    owner_name = organisation_name if registration.owned_by_organisation else actor.organisation_name
    return CreatedToken(raw=raw, listing=_listing(token, organisation_name, owner_name))


def may_revoke(actor: Actor, scope: TokenScope, listing: TokenListing) -> bool:
    if scope.owned_by_organisation:
        # The organisation's managers reached it (``get_token``); a token it does not own is not theirs to cut.
        return listing.owner_organisation_id == listing.organisation_id
    return permissions.owns(actor, listing.owner_organisation_id)


async def revocable_token(uow: UnitOfWork, *, actor: Actor, scope: str, token_id: int) -> TokenListing:
    """A token the actor's organisation owns (another authority could otherwise cut off a system it did not
    connect)."""
    listing = await get_token(uow, actor=actor, scope=scope, token_id=token_id)
    registration = scope_of(scope)
    if not may_revoke(actor, registration, listing):
        raise PermissionDenied(registration.not_owner, details={"token_id": token_id})
    return listing


async def revoke_token(uow: UnitOfWork, *, actor: Actor, scope: str, token_id: int) -> TokenListing:
    """Revoke at once; revoking a revoked token changes nothing and is not audited again."""
    listing = await revocable_token(uow, actor=actor, scope=scope, token_id=token_id)
    if listing.revoked_at is not None:
        return listing
    registration = scope_of(scope)
    token = await uow.session.get_one(ApiToken, token_id)
    token.revoked_at = session_now(uow.session)
    await audit.record(uow.session, actor=actor, action=f"{registration.audit_prefix}_revoked",
                       object_type="api_token", object_id=token.id, before={"revoked_at": None},
                       after={"name": token.name, _audit_key(registration): listing.organisation_id,
                              "prefix": token.prefix, "revoked_at": token.revoked_at.isoformat()})
    return _listing(token, listing.organisation_name, listing.owner_name)


def may_take_ownership(actor: Actor, scope: TokenScope) -> bool:
    return not scope.owned_by_organisation and permissions.may_take_ownership(actor, scope.manage)


async def take_ownership(uow: UnitOfWork, *, actor: Actor, scope: str, token_id: int) -> bool:
    """The ministry takes a token over from another authority, audited; False when it owned it already."""
    registration = scope_of(scope)
    if not may_take_ownership(actor, registration):
        raise PermissionDenied(_("Only the ministry's administrators may take ownership of a token."))
    listing = await get_token(uow, actor=actor, scope=scope, token_id=token_id)
    if listing.owner_organisation_id == actor.organisation_id:
        return False
    token = await uow.session.get_one(ApiToken, token_id)
    token.owner_organisation_id = actor.organisation_id
    await audit.record(uow.session, actor=actor, action="accounts.ownership_taken", object_type="api_token",
                       object_id=token.id, before={"owner": listing.owner_name},
                       after={"owner": actor.organisation_code, "name": token.name})
    return True


async def authenticate(session: AsyncSession, *, raw: str) -> TokenHolder:
    """The holder of a live token, noting its use; raises NotAuthenticated with the reason otherwise."""
    found = (await session.execute(
        select(ApiToken, Organisation)
        .join(Organisation, Organisation.id == func.coalesce(ApiToken.hospital_id, ApiToken.organisation_id))
        .where(ApiToken.token_hash == token_digest(raw)))).first()
    if found is None:
        raise NotAuthenticated(_("This API token is not valid."))
    token, organisation = found
    if token.revoked_at is not None:
        raise NotAuthenticated(_("This API token has been revoked. Ask an administrator for a new one."))
    registration = _SCOPES.get(token.scope)
    if registration is None:
        raise NotAuthenticated(_("This API token is not valid."))
    if registration.refusal is not None and (refused := await registration.refusal(session, organisation.id)):
        raise NotAuthenticated(refused)
    now = session_now(session)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
        token.last_used_at = now
    return TokenHolder(token_id=token.id, name=token.name, scope=token.scope, organisation_id=organisation.id,
                       organisation_code=organisation.code, organisation_name=organisation.name)
