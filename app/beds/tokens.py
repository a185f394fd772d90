"""API tokens: minted once, stored hashed, named, revocable, each for one scope.

A "beds" token is a hospital system's, for its own hospital's sections (made by an authority admin here); a
"licenses.usage" token is a health record's, reporting licence use for one health service (made by that
service's licence officer, in app/provisioning/licenses/usage_tokens.py, through ``mint``). The raw token
exists only in the answer to its creation; the table keeps its SHA-256 (a 256-bit random token needs no slow
hash) and a short prefix so that people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts import permissions
from accounts.models import Organisation
from app import audit
from app.actors import Actor
from app.beds.models import ApiToken, Hospital
from app.db import UnitOfWork, session_now
from app.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _

TOKEN_PREFIX = "bb_"
SHOWN_PREFIX_LENGTH = 10
# A token acts as "token:<name>"; that must fit the 120-character actor columns of sections and audit.
MAX_NAME_LENGTH = 100
# last_used_at is written at most this often, so that a busy integration does not write on every call.
LAST_USED_INTERVAL = timedelta(seconds=60)
BEDS = "beds"
LICENSES_USAGE = "licenses.usage"


@dataclass(frozen=True)
class TokenListing:
    id: int
    name: str
    hospital_id: int
    hospital_name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    # The owning authority (None: the ministry's, no owner recorded); only its administrators revoke the token.
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


def _require_manager(actor: Actor) -> None:
    if not permissions.may(actor, permissions.API_TOKENS_MANAGE) or actor.organisation_kind != "authority":
        raise PermissionDenied(_("Only administrators of an authority may manage API tokens."))


def _listing(token: ApiToken, hospital_id: int, hospital_name: str, owner_name: str | None = None) -> TokenListing:
    return TokenListing(id=token.id, name=token.name, hospital_id=hospital_id, hospital_name=hospital_name,
                        prefix=token.prefix, created_by=token.created_by, created_at=token.created_at,
                        last_used_at=token.last_used_at, revoked_at=token.revoked_at,
                        owner_organisation_id=token.owner_organisation_id, owner_name=owner_name)


def _with_owner() -> Select[ApiToken, int, str, str]:
    owner = aliased(Organisation)
    return (select(ApiToken, Organisation.id, Organisation.name, owner.name)
            .join(Organisation, Organisation.id == ApiToken.hospital_id)
            .outerjoin(owner, owner.id == ApiToken.owner_organisation_id).where(ApiToken.scope == BEDS))


async def list_tokens(uow: UnitOfWork, *, actor: Actor) -> list[TokenListing]:
    """Live hospital tokens first, then revoked ones, each by name (licence-usage tokens are the officer's).

    Every authority's administrators see every hospital token and its owning authority; only the owner's revoke
    it (``permissions.owns``)."""
    _require_manager(actor)
    rows = await uow.session.execute(
        _with_owner().order_by(ApiToken.revoked_at.is_not(None), func.lower(ApiToken.name), ApiToken.id))
    return [_listing(token, hospital_id, name, owner) for token, hospital_id, name, owner in rows]


async def token_hospitals(uow: UnitOfWork, *, actor: Actor) -> list[tuple[int, str]]:
    """The hospitals a new token may be made for: every hospital still in service, by name."""
    _require_manager(actor)
    rows = await uow.session.execute(
        select(Organisation.id, Organisation.name).join(Hospital, Hospital.organisation_id == Organisation.id)
        .where(Hospital.retired_at.is_(None)).order_by(func.lower(Organisation.name)))
    return [(hospital_id, name) for hospital_id, name in rows]


async def get_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> TokenListing:
    _require_manager(actor)
    found = (await uow.session.execute(_with_owner().where(ApiToken.id == token_id))).first()
    if found is None:
        raise NotFound(_("There is no such API token."), details={"token_id": token_id})
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


async def _live_hospital_name(session: AsyncSession, hospital_id: int) -> str:
    name = await session.scalar(
        select(Organisation.name).join(Hospital, Hospital.organisation_id == Organisation.id)
        .where(Hospital.organisation_id == hospital_id, Hospital.retired_at.is_(None)))
    if name is None:
        raise ValidationFailed(_("Choose one of the listed hospitals."), details={"field": "hospital_id"})
    return name


async def mint(session: AsyncSession, *, actor: Actor, name: str, scope: str, owner_organisation_id: int | None,
               hospital_id: int | None = None, organisation_id: int | None = None) -> tuple[str, ApiToken]:
    """A new token row and its raw value (never stored). ``name`` must have passed ``checked_name``;
    ``owner_organisation_id`` is whose administrators will revoke it."""
    raw = new_token()
    token = ApiToken(name=name, scope=scope, hospital_id=hospital_id, organisation_id=organisation_id,
                     owner_organisation_id=owner_organisation_id,
                     token_hash=token_digest(raw), prefix=raw[:SHOWN_PREFIX_LENGTH], created_by=actor.username,
                     created_at=session_now(session))
    session.add(token)
    await session.flush()
    return raw, token


async def create_token(uow: UnitOfWork, *, actor: Actor, name: str, hospital_id: int) -> CreatedToken:
    _require_manager(actor)
    name = await checked_name(uow.session, name)
    hospital_name = await _live_hospital_name(uow.session, hospital_id)
    raw, token = await mint(uow.session, actor=actor, name=name, scope=BEDS, hospital_id=hospital_id,
                            owner_organisation_id=actor.organisation_id)
    await audit.record(uow.session, actor=actor, action="beds.api_token_created", object_type="api_token",
                       object_id=token.id, after={"name": name, "hospital_id": hospital_id, "prefix": token.prefix,
                                                  "owner": actor.organisation_code})
    return CreatedToken(raw=raw, listing=_listing(token, hospital_id, hospital_name, actor.organisation_name))


async def revocable_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> TokenListing:
    """A token this administrator's authority owns (only its administrators revoke it: another authority's could
    otherwise cut off a hospital system it did not connect)."""
    listing = await get_token(uow, actor=actor, token_id=token_id)
    if not permissions.owns(actor, listing.owner_organisation_id):
        raise PermissionDenied(_("Only the administrators of the authority that owns this token may revoke it."),
                               details={"token_id": token_id})
    return listing


async def revoke_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> TokenListing:
    """Revoke at once; revoking a revoked token changes nothing and is not audited again."""
    listing = await revocable_token(uow, actor=actor, token_id=token_id)
    if listing.revoked_at is not None:
        return listing
    token = await uow.session.get_one(ApiToken, token_id)
    token.revoked_at = session_now(uow.session)
    await audit.record(uow.session, actor=actor, action="beds.api_token_revoked", object_type="api_token",
                       object_id=token.id, before={"revoked_at": None},
                       after={"name": token.name, "hospital_id": token.hospital_id, "prefix": token.prefix,
                              "revoked_at": token.revoked_at.isoformat()})
    return _listing(token, listing.hospital_id, listing.hospital_name, listing.owner_name)


async def take_ownership(uow: UnitOfWork, *, actor: Actor, token_id: int) -> bool:
    """The ministry takes a bed token over from another authority, audited; False when it owned it already."""
    if not permissions.may_take_ownership(actor, permissions.API_TOKENS_MANAGE):
        raise PermissionDenied(_("Only the ministry's administrators may take ownership of a token."))
    listing = await get_token(uow, actor=actor, token_id=token_id)
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
        select(ApiToken, Organisation, Hospital.retired_at)
        .join(Organisation, Organisation.id == func.coalesce(ApiToken.hospital_id, ApiToken.organisation_id))
        .outerjoin(Hospital, Hospital.organisation_id == ApiToken.hospital_id)
        .where(ApiToken.token_hash == token_digest(raw)))).first()
    if found is None:
        raise NotAuthenticated(_("This API token is not valid."))
    token, organisation, hospital_retired_at = found
    if token.revoked_at is not None:
        raise NotAuthenticated(_("This API token has been revoked. Ask an administrator for a new one."))
    if token.scope == BEDS and hospital_retired_at is not None:
        raise NotAuthenticated(_("The hospital of this API token is retired; the token no longer works."))
    now = session_now(session)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
        token.last_used_at = now
    return TokenHolder(token_id=token.id, name=token.name, scope=token.scope, organisation_id=organisation.id,
                       organisation_code=organisation.code, organisation_name=organisation.name)
