"""Which calendar counts an organisation's business days, and whether a request is late."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from accounts.zones import own_or_inherited_zone
from app.kit.db import session_zone
from app.provisioning.core import workflow
from app.provisioning.core.calendar import BusinessCalendar, calendar_for
from app.provisioning.core.models import ClosureDay, OrganisationCalendar, ProvisioningRequest

# Deep enough for service > commune > establishment > unit; a loop in the data stops here.
MAX_DEPTH = 8


async def lineage(session: AsyncSession, organisation_id: int) -> list[Organisation]:
    """The organisation, then its parent, up to the root."""
    chain: list[Organisation] = []
    current: int | None = organisation_id
    while current is not None and len(chain) < MAX_DEPTH:
        found = await session.get(Organisation, current)
        if found is None:
            break
        chain.append(found)
        current = found.parent_id
    return chain


async def calendar_of(session: AsyncSession, organisation_id: int) -> BusinessCalendar:
    """The nearest calendar up the organisation tree, with every closure day declared along the way, counted in the
    organisation's own zone (its nearest ancestor's where it has none: one zone per organisation, accounts/zones.py;
    the installation's where none up the tree has one, the zone its people read times in)."""
    chain = await lineage(session, organisation_id)
    ids = [organisation.id for organisation in chain]
    rows = {row.organisation_id: row for row in (await session.execute(
        select(OrganisationCalendar).where(OrganisationCalendar.organisation_id.in_(ids)))).scalars()}
    nearest = next((rows[organisation_id] for organisation_id in ids if organisation_id in rows), None)
    closures = frozenset((await session.execute(
        select(ClosureDay.day).where(ClosureDay.organisation_id.in_(ids)))).scalars())
    named = (await own_or_inherited_zone(session, organisation_id))[0]
    zone = ZoneInfo(named) if named else session_zone(session)
    if nearest is None:
        return calendar_for(None, None, closures, zone)
    return calendar_for(nearest.country, nearest.subdivision, closures, zone)


def is_overdue(request: ProvisioningRequest, now: datetime) -> bool:
    """Late: past its due time, deadline not met yet, and not paused waiting for the requester."""
    return (request.due_at is not None and request.answered_at is None and request.due_at < now
            and request.state in workflow.OPEN_STATES and request.state != workflow.WAITING_FOR_REQUESTER)
