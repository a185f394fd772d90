"""Setting the licence module up for a health service: how many licences its pool holds. An audited write, used by
the command line (``bedboard licenses pool``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.setup import organisation_by_code
from app.provisioning.licenses.models import LicensePool

MAX_POOL = 1_000_000


async def set_pool(session: AsyncSession, *, actor: Actor, service_code: str, size: int) -> LicensePool:
    service = await organisation_by_code(session, service_code)
    if service.kind != "health_service":
        raise ValidationFailed(_("A licence pool belongs to a health service, and {code} is not one."),
                               code=service_code)
    if not 0 <= size <= MAX_POOL:
        raise ValidationFailed(_("The pool size is a whole number from 0 to {max}."), max=MAX_POOL)
    pool = await session.get(LicensePool, service.id)
    before = None if pool is None else {"size": pool.size}
    if pool is None:
        pool = LicensePool(organisation_id=service.id, size=size)
        session.add(pool)
    pool.size = size
    await session.flush()
    await audit.record(session, actor=actor, action="licenses.pool_set", object_type="organisation",
                       object_id=service.id, before=before, after={"size": size})
    return pool
