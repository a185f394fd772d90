"""Setting up the provisioning modules for an organisation: its working calendar and its closure days, and finding
an organisation by the code the command line names it by. Audited writes, used by the command line and the demo
data; each module's own set-up (the licence pool, role units, IT-order catalogues) is in its own setup.py."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from accounts.zones import zone_named
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.calendar import calendar_for
from app.provisioning.core.models import ClosureDay, OrganisationCalendar


async def organisation_by_code(session: AsyncSession, code: str) -> Organisation:
    found = await session.scalar(select(Organisation).where(Organisation.code == code))
    if found is None:
        raise NotFound(_("There is no organisation with the code {code}."), code=code)
    return found


async def set_calendar(session: AsyncSession, *, actor: Actor, organisation_code: str, country: str | None,
                       subdivision: str | None, timezone: str) -> OrganisationCalendar:
    """The organisation's holidays (country, subdivision) and its time zone, which is the organisation's own
    (``organisations.timezone``: the one zone its people read times in, accounts/zones.py)."""
    organisation = await organisation_by_code(session, organisation_code)
    timezone = zone_named(timezone)
    try:
        calendar_for(country, subdivision, frozenset(), ZoneInfo(timezone)).is_business_day(date(2026, 1, 2))
    except ValueError as error:
        raise ValidationFailed(_("The calendar cannot be used: {reason}"), reason=str(error)) from error
    row = await session.get(OrganisationCalendar, organisation.id)
    before = None if row is None else {"country": row.country, "subdivision": row.subdivision,
                                       "timezone": organisation.timezone}
    if row is None:
        row = OrganisationCalendar(organisation_id=organisation.id)
        session.add(row)
    row.country, row.subdivision, organisation.timezone = country, subdivision, timezone
    await session.flush()
    await audit.record(session, actor=actor, action="provisioning.calendar_set", object_type="organisation",
                       object_id=organisation.id, before=before,
                       after={"country": country, "subdivision": subdivision, "timezone": timezone})
    return row


async def add_closure_day(session: AsyncSession, *, actor: Actor, organisation_code: str, day: date,
                          reason: str) -> ClosureDay:
    organisation = await organisation_by_code(session, organisation_code)
    text = " ".join(reason.split())
    if not 1 <= len(text) <= 200:
        raise ValidationFailed(_("Give the reason for the closure (1 to 200 characters)."))
    existing = await session.scalar(select(ClosureDay).where(ClosureDay.organisation_id == organisation.id,
                                                             ClosureDay.day == day))
    if existing is not None:
        raise ValidationFailed(_("{day} is already a closure day ({reason})."), day=day.isoformat(),
                               reason=existing.reason)
    closure = ClosureDay(organisation_id=organisation.id, day=day, reason=text)
    session.add(closure)
    await session.flush()
    await audit.record(session, actor=actor, action="provisioning.closure_day_added", object_type="organisation",
                       object_id=organisation.id, after={"day": day.isoformat(), "reason": text})
    return closure
