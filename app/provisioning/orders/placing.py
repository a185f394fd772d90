"""Placing an order: the checklist generated from the catalogue's current version and the answers, written as a
provisioning request in progress with one task per checklist entry, and the lead-time verdict for its date.

Entries that do not apply, and "no action" entries, are written as not applicable (the checklist, generated again
on reading, says why in the reader's language), so that every system the routine considers is shown and the request
completes when the real work is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core import service
from app.provisioning.orders import (
    effective_dates,
    handover,
    queue_notices,
    references,
    removals,
    scope,
    storing,
    timing,
)
from app.provisioning.orders.answers import Answers
from app.provisioning.orders.checklist import Checklist, generate
from app.provisioning.orders.kinds import IT_ORDER
from app.provisioning.orders.lead_time import LeadTimeVerdict
from app.provisioning.orders.models import ItOrder, OrderPerson
from app.provisioning.orders.people import NewPerson, add_person, person_of

MAX_NOTE = 2000
MAIN_CONTRACTOR = "main_contractor"
# How far ahead an order may be planned; further than this is a typing mistake in the year.
MAX_YEARS_AHEAD = 2


@dataclass(frozen=True)
class OrderDraft:
    catalogue_key: str
    event_key: str
    answers: Mapping[str, object]
    planned_date: date | None
    person_id: int | None = None
    new_person: NewPerson | None = None
    subject_organisation_id: int | None = None
    note: str | None = None
    receiving_organisation_id: int | None = None  # a handover: the organisation taking over (handover.py)


@dataclass(frozen=True)
class PlacedOrder:
    request_id: int
    checklist: Checklist
    lead_time: LeadTimeVerdict | None
    date_notices: tuple[effective_dates.DateNotice, ...] = ()


def stored_answers(answers: Answers) -> dict[str, Any]:
    """JSON-safe answers (dates as ISO text, lists as lists) that ``validate_answers`` reads back unchanged."""
    return {key: value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value
            for key, value in answers.items()}


async def place_order(uow: UnitOfWork, *, actor: Actor, draft: OrderDraft) -> PlacedOrder:
    organisation_id = scope.placing_organisation(actor)
    session = uow.session
    row, catalogue = await storing.current(session, draft.catalogue_key)
    await scope.require_catalogue_use(session, actor, row)
    checklist = generate(catalogue, draft.event_key, draft.answers)
    event = checklist.event
    planned = _planned_date(draft.planned_date, session_now(session).date())
    calendar = await timing.order_calendar(session, organisation_id, catalogue)
    today = timing.local_today(calendar, session_now(session))
    effective_dates.refuse_passed(planned, today, removes=bool(removals.removed_systems(catalogue, event)))
    note = _note(draft.note)
    known = await _known_person(session, organisation_id, draft.person_id) if event.scope == "person" else None
    await references.check_answers(session, catalogue=catalogue, keeper_id=row.organisation_id, checklist=checklist,
                                   planned=planned, person=known)
    person_id, subject_id = None, None
    if event.scope == "person":
        person_id = known.id if known is not None else await _new_person(uow, actor, organisation_id, draft)
    else:
        subject_id = await _subject(uow, organisation_id, draft.subject_organisation_id, event.placed_by)
    receiving_id = await handover.receiving_organisation(session, organisation_id=organisation_id, checklist=checklist,
                                                         receiving_id=draft.receiving_organisation_id)
    request = await service.create_request(uow, actor=actor, kind=IT_ORDER.code, organisation_id=organisation_id)
    for action in ("submit", "accept", "start"):
        await service.transition(uow, actor=actor, request=request, action=action)
    request.due_at = datetime.combine(planned, time.min, tzinfo=calendar.zone)
    order = ItOrder(request_id=request.id, catalogue_key=row.key, catalogue_version=row.current_version,
                    event_key=event.key, person_id=person_id, subject_organisation_id=subject_id,
                    planned_date=planned, answers=stored_answers(checklist.answers), note=note,
                    receiving_organisation_id=receiving_id)
    session.add(order)
    tasks = await service.add_plan(uow, request=request, specs=[task.spec() for task in checklist.tasks])
    generated = {task.key: task for task in checklist.tasks}
    for task in tasks:
        task.state = generated[task.key].initial_state
    found = timing.lead_time_verdict(catalogue, event, checklist.answers, planned=planned, now=session_now(session),
                                     calendar=calendar)
    await session.flush()
    await audit.record(session, actor=actor, action="orders.order_placed", object_type="provisioning_request",
                       object_id=request.id, after={
                           "catalogue": row.key, "version": row.current_version, "event": event.key,
                           "person_id": person_id, "subject_organisation_id": subject_id,
                           "planned_date": planned.isoformat(), "answers": order.answers,
                           "tasks": len(tasks), "lead_time": found.status if found else None,
                           "receiving_organisation_id": receiving_id})
    await handover.tell_receiver(uow, request_id=request.id, placer_id=organisation_id, receiving_id=receiving_id)
    # Nothing to do at all (every entry not applicable): done, unless the person still holds what it removes.
    await removals.close_when_removed(uow, actor=actor, request=request, order=order, catalogue=catalogue,
                                      event=event)
    await queue_notices.tell_groups(uow, actor=actor, request_id=request.id)
    return PlacedOrder(request.id, checklist, found, effective_dates.notices(calendar, planned, today))


def _planned_date(planned: date | None, today: date) -> date:
    if planned is None:
        raise ValidationFailed(_("Give the date the change takes effect: the tasks are due before it."),
                               details={"field": "planned_date"})
    if planned.year > today.year + MAX_YEARS_AHEAD:
        raise ValidationFailed(_("The date is more than {years} years ahead: check the year."),
                               details={"field": "planned_date"}, years=MAX_YEARS_AHEAD)
    return planned


def _note(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_NOTE:
        raise ValidationFailed(_("The note is too long (at most {limit} characters)."), details={"field": "note"},
                               limit=MAX_NOTE)
    return cleaned or None


async def _known_person(session: AsyncSession, organisation_id: int, person_id: int | None) -> OrderPerson | None:
    """The listed person the order is for (checked before anything is written); None for a new person."""
    if person_id is None:
        return None
    person = await person_of(session, person_id)
    if person.organisation_id != organisation_id:
        raise PermissionDenied(scope.OUTSIDE)
    return person


async def _new_person(uow: UnitOfWork, actor: Actor, organisation_id: int, draft: OrderDraft) -> int:
    if draft.new_person is None:
        raise ValidationFailed(_("Say who the order is for: choose a person or give a new person's name."),
                               details={"field": "person"})
    return (await add_person(uow, actor=actor, organisation_id=organisation_id, person=draft.new_person)).id


async def _subject(uow: UnitOfWork, organisation_id: int, subject_id: int | None, placed_by: str | None) -> int:
    """The organisation the change is about: the placer's own, or for a subcontractor one directly under it."""
    if placed_by != MAIN_CONTRACTOR:
        if subject_id not in (None, organisation_id):
            raise ValidationFailed(_("An organisation orders this change for itself only."),
                                   details={"field": "subject_organisation_id"})
        return organisation_id
    if subject_id is None or subject_id == organisation_id:
        raise ValidationFailed(_("Choose the subcontractor: the main contractor orders on its behalf."),
                               details={"field": "subject_organisation_id"})
    subject = await uow.session.get(Organisation, subject_id)
    if subject is None or subject.parent_id != organisation_id:
        raise PermissionDenied(_("Only its main contractor places a subcontractor's orders."))
    return subject.id
