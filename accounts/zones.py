"""Each organisation's time zone, inherited down the tree: the one place that says in which zone a person reads times.

One source of truth: ``organisations.timezone``. The provisioning calendars had a zone of their own; migration 0016
moved it onto the organisation and dropped it, because the zone belongs to the organisation, not to its holidays:
a reader with no calendar (a hospital, a ministry) has a zone too, notifications (which may not import the
provisioning core) must find the reader's zone, and two columns drifted (a calendar in Santiago under an
organisation set to Bucharest showed one request in two zones). An organisation without a zone of its own uses its
nearest ancestor's (a health service's zone covers its communes and establishments); with none up the tree, the
caller's default (the installation's ``BEDBOARD_TIMEZONE`` for people, UTC for business-day arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _

# Deep enough for service > commune > establishment > unit; a loop in the data stops here.
MAX_DEPTH = 8


@cache
def zone_names() -> frozenset[str]:
    """The IANA names this machine's zoneinfo knows (about 600); "CET"-style aliases are among them."""
    return frozenset(available_timezones())


def zone_named(raw: str) -> str:
    """A zone name as zoneinfo spells it, or a refusal naming the rule; case and spaces forgiven
    ("america/santiago " is America/Santiago)."""
    text = raw.strip()
    exact = {name.lower(): name for name in zone_names()}.get(text.lower())
    if exact is None:
        raise ValidationFailed(_("{zone} is not a known time zone; use a name such as America/Santiago or "
                                 "Europe/Stockholm."), details={"field": "timezone"}, zone=text or "–")
    return exact


async def own_or_inherited_zone(session: AsyncSession, organisation_id: int | None) -> tuple[str | None, int | None]:
    """The nearest zone name up the tree from the organisation, and the id of the organisation that set it."""
    current, depth = organisation_id, 0
    while current is not None and depth < MAX_DEPTH:
        found = await session.get(Organisation, current)
        if found is None:
            break
        if found.timezone:
            return found.timezone, found.id
        current, depth = found.parent_id, depth + 1
    return None, None


async def organisation_zone(session: AsyncSession, organisation_id: int | None, default: ZoneInfo) -> ZoneInfo:
    """The zone an organisation's people read times in: its own, else its nearest ancestor's, else ``default``."""
    name, _origin = await own_or_inherited_zone(session, organisation_id)
    return ZoneInfo(name) if name else default


@dataclass(frozen=True)
class ZoneFacts:
    """What the time-zone page says of an organisation: its own zone, and the one it inherits (and from whom)."""

    organisation: Organisation
    inherited: str | None
    inherited_from: str | None


async def zone_facts(session: AsyncSession, organisation_id: int) -> ZoneFacts:
    organisation = await session.get_one(Organisation, organisation_id)
    inherited, origin_id = (None, None) if organisation.parent_id is None else \
        await own_or_inherited_zone(session, organisation.parent_id)
    origin = None if origin_id is None else await session.get(Organisation, origin_id)
    return ZoneFacts(organisation, inherited, origin.name if origin is not None else None)


def zone_label(shown: ZoneInfo, reader: ZoneInfo) -> str | None:
    """The name to print after a time shown in ``shown``: None when the reader reads it in their own zone."""
    return None if shown.key == reader.key else shown.key


async def set_organisation_zone(session: AsyncSession, *, actor: Actor, organisation_id: int,
                                timezone: str | None) -> str | None:
    """Sets (or, with None or "", clears to inherit) an organisation's zone; audited with before and after.

    Only an administrator of that very organisation (who manages its users, ``USERS_MANAGE``); the organisations
    under it inherit the zone unless they set their own.
    """
    if not permissions.may(actor, permissions.USERS_MANAGE) or actor.organisation_id != organisation_id:
        raise PermissionDenied(_("Only an administrator of the organisation may set its time zone."),
                               details={"organisation_id": organisation_id})
    organisation = await session.get(Organisation, organisation_id, with_for_update=True)
    if organisation is None:
        raise ValidationFailed(_("There is no such organisation."))
    name = zone_named(timezone) if timezone and timezone.strip() else None
    before = organisation.timezone
    if before == name:
        return name
    organisation.timezone = name
    await session.flush()
    await audit.record(session, actor=actor, action="accounts.organisation_timezone_set", object_type="organisation",
                       object_id=organisation.id, before={"timezone": before}, after={"timezone": name})
    return name
