"""The licence officer's API tokens for the health record's usage feed: one health service each, revocable.

The officer makes them, not the bed board's administrators: the token reports on the officer's own health
service, which the officer knows and the authority does not. Minting and hashing are the bed API's
(``app.beds.tokens``); only the scope and the owner differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit
from app.actors import Actor
from app.beds import tokens
from app.beds.models import ApiToken
from app.db import UnitOfWork, session_now
from app.errors import NotFound, PermissionDenied
from app.i18n import _
from app.provisioning.licenses import scope
from app.provisioning.licenses.kinds import OFFICER


@dataclass(frozen=True)
class UsageToken:
    id: int
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _listing(token: ApiToken) -> UsageToken:
    return UsageToken(id=token.id, name=token.name, prefix=token.prefix, created_by=token.created_by,
                      created_at=token.created_at, last_used_at=token.last_used_at, revoked_at=token.revoked_at)


async def officer_service(session: AsyncSession, actor: Actor) -> int:
    """The health service of a licence officer; anyone else is refused."""
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, OFFICER)
    if reach.service_id is None:
        raise PermissionDenied(scope.OUTSIDE)
    return reach.service_id


async def list_tokens(uow: UnitOfWork, *, actor: Actor) -> list[UsageToken]:
    """The service's usage tokens: live ones first, then revoked ones, each by name."""
    service_id = await officer_service(uow.session, actor)
    rows = await uow.session.scalars(
        select(ApiToken).where(ApiToken.scope == tokens.LICENSES_USAGE, ApiToken.organisation_id == service_id)
        .order_by(ApiToken.revoked_at.is_not(None), func.lower(ApiToken.name), ApiToken.id))
    return [_listing(token) for token in rows]


async def create_token(uow: UnitOfWork, *, actor: Actor, name: str) -> tuple[str, UsageToken]:
    """The raw token (shown once) and its listing."""
    service_id = await officer_service(uow.session, actor)
    name = await tokens.checked_name(uow.session, name)
    raw, token = await tokens.mint(uow.session, actor=actor, name=name, scope=tokens.LICENSES_USAGE,
                                   organisation_id=service_id, owner_organisation_id=service_id)
    await audit.record(uow.session, actor=actor, action="licenses.usage_token_created", object_type="api_token",
                       object_id=token.id, after={"name": name, "organisation_id": service_id,
                                                  "scope": tokens.LICENSES_USAGE, "prefix": token.prefix})
    return raw, _listing(token)


async def _own_token(session: AsyncSession, actor: Actor, token_id: int) -> ApiToken:
    service_id = await officer_service(session, actor)
    token = await session.get(ApiToken, token_id)
    if token is None or token.scope != tokens.LICENSES_USAGE or token.organisation_id != service_id:
        raise NotFound(_("There is no such usage token."), details={"token_id": token_id})
    return token


async def get_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> UsageToken:
    return _listing(await _own_token(uow.session, actor, token_id))


async def revoke_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> UsageToken:
    """Revoke at once; revoking a revoked token changes nothing and is not audited again.

    Only the owning health service's officers revoke (the owner is the service the token was made for)."""
    token = await _own_token(uow.session, actor, token_id)
    if token.owner_organisation_id != token.organisation_id:
        raise PermissionDenied(_("Only the officers of the health service that owns this token may revoke it."),
                               details={"token_id": token_id})
    if token.revoked_at is None:
        token.revoked_at = session_now(uow.session)
        await audit.record(uow.session, actor=actor, action="licenses.usage_token_revoked", object_type="api_token",
                           object_id=token.id, before={"revoked_at": None},
                           after={"name": token.name, "prefix": token.prefix,
                                  "revoked_at": token.revoked_at.isoformat()})
    return _listing(token)
