"""A care provider's main contractor, changed from a date (seed 004, issue 23 item 10).

A subcontractor works under its main contractor's contract ("ett företag som förbinder sig att utföra tjänster
enligt en annan huvudleverantörs kontrakt"): in bedboard it is the care provider's parent in the organisation tree,
so the main contractor places its orders (``placing._subject``). It used to be set only when the CLI created the
organisation; now the municipality's IT-order administrator plans a change with its effective date, and the tree
changes on that day (at once when the day is today), audited both times, the IT contacts of the three organisations
told. "Varje flytt av ansvar är en organisationsförändring": the lead time shown is the municipality's catalogue's
organisation change (2-4 weeks for a small change), counted in business days on the provider's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.kit.plugins import Job, JobContext
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.core import deadlines
from app.provisioning.orders import scope, storing, timing
from app.provisioning.orders.lead_time import LeadTimeVerdict, event_lead_time, verdict
from app.provisioning.orders.models import ContractorChange

CARE_PROVIDER: Final = "care_provider"
ORGANISATION_CHANGE: Final = "organisation_change"
# A main contractor moving is a small change: one organisation moves in the tree, its structure stays.
SMALL_CHANGE: Final = {"change_size": "small"}
MAX_NOTE: Final = 1000
JOB_NAME: Final = "orders.main_contractor_changes"
CHANGED = _("From {date}, {organisation}'s main contractor is {contractor}.")


@dataclass(frozen=True)
class PlannedChange:
    change: ContractorChange
    organisation: Organisation
    before: Organisation | None
    after: Organisation
    lead_time: LeadTimeVerdict | None


async def providers(session: AsyncSession, actor: Actor) -> list[Organisation]:
    """The care providers under the administrator's municipality, by name."""
    keeper = scope.keeping_organisation(actor)
    under = await organisation_ids_under(session, keeper)
    statement = select(Organisation).where(Organisation.id.in_(under), Organisation.kind == CARE_PROVIDER) \
        .order_by(Organisation.name)
    return list((await session.execute(statement)).scalars())


async def plan_change(uow: UnitOfWork, *, actor: Actor, organisation_id: int, contractor_id: int,
                      effective: date | None, note: str | None = None) -> ContractorChange:
    """``contractor_id``: another care provider of the municipality, or the municipality itself (no main contractor)."""
    session = uow.session
    keeper = scope.keeping_organisation(actor)
    listed = {provider.id: provider for provider in await providers(session, actor)}
    provider = listed.get(organisation_id)
    if provider is None:
        raise PermissionDenied(_("Only a care provider of your own municipality can be changed here."))
    if contractor_id != keeper and contractor_id not in listed:
        raise ValidationFailed(_("The main contractor is another care provider of the municipality."),
                               details={"field": "contractor_id"})
    if contractor_id in await organisation_ids_under(session, provider.id):
        raise ValidationFailed(_("A care provider cannot work under itself or under its own subcontractor."),
                               details={"field": "contractor_id"})
    if contractor_id == provider.parent_id:
        raise ValidationFailed(_("That is already its main contractor."), details={"field": "contractor_id"})
    today = await local_today(session, provider.id)
    if effective is None:
        raise ValidationFailed(_("Give the date the change takes effect."), details={"field": "effective_date"})
    if effective < today:
        raise ValidationFailed(_("The date has passed: a change takes effect today or later."),
                               details={"field": "effective_date"})
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise ValidationFailed(_("The note is too long (at most {limit} characters)."), details={"field": "note"},
                               limit=MAX_NOTE)
    change = ContractorChange(organisation_id=provider.id, from_organisation_id=provider.parent_id,
                              to_organisation_id=contractor_id, effective_date=effective, note=text or None,
                              requested_by_id=actor.user_id, requested_at=session_now(session))
    session.add(change)
    await session.flush()
    await audit.record(session, actor=actor, action="orders.main_contractor_change_planned",
                       object_type="organisation", object_id=provider.id,
                       after={"change": change.id, "from": provider.parent_id, "to": contractor_id,
                              "effective_date": effective.isoformat()})
    if effective <= today:
        await apply(uow, actor=actor, change=change)
    return change


async def apply(uow: UnitOfWork, *, actor: Actor, change: ContractorChange) -> None:
    """The provider moves under its new main contractor; its IT contacts and both contractors' are told."""
    session = uow.session
    provider = await session.get(Organisation, change.organisation_id, with_for_update=True)
    if provider is None:
        raise NotFound(_("There is no such organisation."))
    before = provider.parent_id
    provider.parent_id = change.to_organisation_id
    change.applied_at = session_now(session)
    await audit.record(session, actor=actor, action="orders.main_contractor_changed", object_type="organisation",
                       object_id=provider.id, before={"parent_id": before},
                       after={"parent_id": provider.parent_id, "change": change.id,
                              "effective_date": change.effective_date.isoformat()})
    contractor = await session.get(Organisation, change.to_organisation_id)
    told = [organisation for organisation in (provider.id, before, change.to_organisation_id) if organisation]
    await notify(session, recipients=await users_with_role(session, "it_contact", told), message=CHANGED,
                 params={"date": change.effective_date.isoformat(), "organisation": provider.name,
                         "contractor": contractor.name if contractor else ""}, link="/orders/organisation")


async def apply_due(uow: UnitOfWork, *, actor: Actor) -> int:
    """Applies every planned change whose day has come (in the provider's zone); the job's work."""
    session = uow.session
    horizon = session_now(session).date() + timedelta(days=1)  # zones ahead of UTC are already tomorrow
    pending = (await session.execute(select(ContractorChange).where(
        ContractorChange.applied_at.is_(None), ContractorChange.effective_date <= horizon)
        .order_by(ContractorChange.effective_date, ContractorChange.id).with_for_update())).scalars()
    applied = 0
    for change in list(pending):
        if change.effective_date <= await local_today(session, change.organisation_id):
            await apply(uow, actor=actor, change=change)
            applied += 1
    return applied


async def planned_changes(session: AsyncSession, actor: Actor) -> list[PlannedChange]:
    """The municipality's changes, the pending first, each with its lead-time verdict while it is pending."""
    listed = {provider.id for provider in await providers(session, actor)}
    rows = (await session.execute(select(ContractorChange).where(ContractorChange.organisation_id.in_(listed))
                                  .order_by(ContractorChange.applied_at.is_not(None),
                                            ContractorChange.effective_date.desc()))).scalars()
    found = []
    for change in list(rows):
        organisation = await session.get(Organisation, change.organisation_id)
        after = await session.get(Organisation, change.to_organisation_id)
        before = await session.get(Organisation, change.from_organisation_id) if change.from_organisation_id else None
        assert organisation is not None
        assert after is not None
        lead = None if change.applied_at else await lead_time_of(session, actor, change.organisation_id,
                                                                  change.effective_date)
        found.append(PlannedChange(change, organisation, before, after, lead))
    return found


async def lead_time_of(session: AsyncSession, actor: Actor, organisation_id: int,
                       effective: date) -> LeadTimeVerdict | None:
    """The catalogue's small organisation change counted to the date; None without such a catalogue."""
    for row in await storing.kept_by(session, [scope.keeping_organisation(actor)]):
        catalogue = await storing.version_of(session, row.key, row.current_version)
        event = catalogue.events.get(ORGANISATION_CHANGE)
        lead = event_lead_time(catalogue, event, SMALL_CHANGE) if event else None
        if lead is not None:
            calendar = await timing.order_calendar(session, organisation_id, catalogue)
            return verdict(lead, planned=effective, today=timing.local_today(calendar, session_now(session)),
                           calendar=calendar)
    return None


async def local_today(session: AsyncSession, organisation_id: int) -> date:
    calendar = await deadlines.calendar_of(session, organisation_id)
    return timing.local_today(calendar, session_now(session))


async def _run(context: JobContext) -> str:
    async with context.unit_of_work() as uow:
        applied = await apply_due(uow, actor=Actor.system())
    return f"{applied} main-contractor change(s) applied"


JOB = Job(JOB_NAME, timedelta(hours=1), "apply the care providers' main-contractor changes on their day (seed 004)",
          _run)
