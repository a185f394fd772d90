"""Who is told what in the licence module: the handlers of a request, its requester, a commune's referents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.core.deadlines import lineage
from app.provisioning.core.kinds import kind_of
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.licenses.kinds import DETAIL, REFERENT
from app.provisioning.licenses.scope import service_of


def request_link(request_id: int) -> str:
    return DETAIL.format(number=request_id)


async def tell_handlers(session: AsyncSession, request: ProvisioningRequest, message: str,
                        **params: str | int | datetime | None) -> int:
    """Every user of the handling role in the request's health service."""
    service_id = await service_of(session, request.organisation_id)
    if service_id is None:
        return 0
    handlers = await users_with_role(session, kind_of(request.kind).handler_role,
                                     await organisation_ids_under(session, service_id))
    return await notify(session, recipients=handlers, message=message,
                        params={"number": request.id, **params}, link=request_link(request.id))


async def tell_requester(session: AsyncSession, request: ProvisioningRequest, message: str,
                         **params: str | int | datetime | None) -> int:
    requester = await session.get(User, request.requester_id)
    return await notify(session, recipients=[requester] if requester else [], message=message,
                        params={"number": request.id, **params}, link=request_link(request.id))


async def tell_referents(session: AsyncSession, organisation_id: int, message: str, link: str,
                         **params: str | int | datetime | None) -> int:
    """The referents of the organisation itself, or, if it has none, of the nearest organisation above it
    that has some (an establishment without a referent of its own is looked after by its commune's)."""
    referents = []
    for organisation in await lineage(session, organisation_id):
        referents = await users_with_role(session, REFERENT, [organisation.id])
        if referents:
            break
    return await notify(session, recipients=referents, message=message, params=params, link=link)
