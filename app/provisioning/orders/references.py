"""An order's answers checked against what bedboard knows, before anything is written (issue 23 item 8).

- Places: a list that a task is done for item by item (seed 002's "avtalsparter (mottagningar)", one care-provider id
  each) names clinics of the organisation that keeps the catalogue, as they are listed there: "xyz" and "Hörsel Lnd"
  each made a Priva order for a clinic that does not exist.
- A text answer that is ``one_of`` a list is one of its items, and is chosen when the list has several (the main
  clinic, "huvudpost", of someone working at several clinics).
- A date answer with ``not_before`` is not before the day the change takes effect (a leave cannot end before it
  starts).
- A person's access register: an order that takes access away answers from it (a yes/no about a system the register
  lists is yes, a list holds every item the register lists), so that nothing they hold is left out; an order that
  grants what the register already lists is refused, naming the order that granted it (a second "new user" for
  someone active or on leave); and no order that grants is placed while another for the same person is open. An
  order that takes access away is never held back by an open one: a leaver's access must go (and what the open order
  would still grant is refused once the removal is placed, removals.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.errors import Conflict
from app.kit.i18n import _
from app.notifications.notify import organisation_ids_under
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders import register, removals, storing
from app.provisioning.orders.answers import AnswerProblem, AnswersInvalid
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.checklist import Checklist
from app.provisioning.orders.models import ItOrder, OrderPerson

CLINIC_KINDS = ("unit", "clinic")
NOT_A_CLINIC = _("{item} is not a clinic of {organisation}: choose among {clinics}.")
MAIN_NOT_LISTED = _("{value} is not one of the clinics given ({items}).")
MAIN_MISSING = _("Several clinics are given: choose the main one (huvudpost) among {items}.")
BEFORE_START = _("{value} is before {planned}, the day the change takes effect: it cannot end before it starts.")
REGISTER_YES = _("The access register of {person} lists {system}: answer yes, so that it is removed.")
REGISTER_ITEMS = _("The access register of {person} lists {system} for {items}: list them too, so that they are "
                   "removed.")
OPEN_ORDER = _("{person} has an open order: #{number} {event}. Finish it before placing another.")
HELD_ALREADY = _("{person} already has {systems} (order #{number}): {event} is not for someone who is active or on "
                 "leave.")


class OrderConflict(Conflict):
    code = "order_conflict"


def place_lists(catalogue: Catalogue) -> frozenset[str]:
    """The list questions some task is done for item by item: they name clinics."""
    return frozenset(rule.for_each for event in catalogue.events.values() for rule in event.tasks if rule.for_each)


async def clinics_of(session: AsyncSession, keeper_id: int) -> list[str]:
    """The clinics of the catalogue's organisation (Region Skåne's audiology clinics), by name."""
    ids = await organisation_ids_under(session, keeper_id)
    return list((await session.execute(select(Organisation.name).where(
        Organisation.id.in_(ids), Organisation.kind.in_(CLINIC_KINDS)).order_by(Organisation.name))).scalars())


async def check_answers(session: AsyncSession, *, catalogue: Catalogue, keeper_id: int, checklist: Checklist,
                        planned: date, person: OrderPerson | None) -> None:
    """Raises ``AnswersInvalid`` naming each answer that does not hold, then ``OrderConflict`` for the person."""
    answers, event = checklist.answers, checklist.event
    problems: list[AnswerProblem] = []
    places = [key for key in event.asks if key in place_lists(catalogue)]
    if places:
        keeper = await session.get(Organisation, keeper_id)
        clinics = await clinics_of(session, keeper_id)
        for key in places:
            problems += [AnswerProblem(key, NOT_A_CLINIC, {"item": item, "clinics": ", ".join(clinics),
                                                           "organisation": keeper.name if keeper else ""})
                         for item in _items(answers.get(key)) if item not in clinics]
    for key in event.asks:
        question = catalogue.questions[key]
        value = answers.get(key)
        if question.one_of is not None:
            items = _items(answers.get(question.one_of))
            if value is not None and value not in items:
                problems.append(AnswerProblem(key, MAIN_NOT_LISTED, {"value": str(value), "items": ", ".join(items)}))
            elif value is None and len(items) > 1:
                problems.append(AnswerProblem(key, MAIN_MISSING, {"items": ", ".join(items)}))
        if question.not_before is not None and isinstance(value, date) and value < planned:
            problems.append(AnswerProblem(key, BEFORE_START, {"value": value.isoformat(),
                                                              "planned": planned.isoformat()}))
    held = await register.access_register(session, person.id) if person is not None else []
    if person is not None and removals.removed_systems(catalogue, event):
        problems += _register_answers(catalogue, checklist, person, held)
    if problems:
        raise AnswersInvalid(problems)
    if person is not None:
        await _conflicts(session, catalogue, checklist, person, held)


def _items(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def _register_answers(catalogue: Catalogue, checklist: Checklist, person: OrderPerson,
                      held: Sequence[register.Access]) -> list[AnswerProblem]:
    problems = []
    for key in checklist.event.asks:
        question = catalogue.questions[key]
        mine = [access for access in held if access.catalogue == catalogue.key
                and access.system == question.from_register]
        if not question.from_register or not mine:
            continue
        value = checklist.answers.get(key)
        params = {"person": person.full_name, "system": mine[0].system_name}
        if question.type == "yes_no" and value is not True:
            problems.append(AnswerProblem(key, REGISTER_YES, params))
        missing = [access.item for access in mine if access.item and access.item not in _items(value)]
        if question.type == "list" and missing:
            problems.append(AnswerProblem(key, REGISTER_ITEMS, {**params, "items": ", ".join(missing)}))
    return problems


async def _conflicts(session: AsyncSession, catalogue: Catalogue, checklist: Checklist, person: OrderPerson,
                     held: Sequence[register.Access]) -> None:
    if not any(task.applies and task.effect == "grant" for task in checklist.tasks):
        return
    open_order = (await session.execute(
        select(ProvisioningRequest.id, ItOrder.catalogue_key, ItOrder.catalogue_version, ItOrder.event_key)
        .join(ItOrder, ItOrder.request_id == ProvisioningRequest.id)
        .where(ItOrder.person_id == person.id, ProvisioningRequest.state.in_(workflow.OPEN_STATES))
        .order_by(ProvisioningRequest.id).limit(1))).first()
    if open_order is not None:
        other = await storing.version_of(session, open_order.catalogue_key, open_order.catalogue_version)
        event = other.events.get(open_order.event_key)
        raise OrderConflict(OPEN_ORDER, details={"order_id": open_order.id}, person=person.full_name,
                            number=open_order.id, event=event.name if event else open_order.event_key)
    granted = [access for task in checklist.tasks if task.applies and task.effect == "grant" and task.system
               for access in removals.holding(list(held), catalogue, task)]
    if granted:
        systems = ", ".join(dict.fromkeys(access.system_name for access in granted))
        raise OrderConflict(HELD_ALREADY, details={"order_id": granted[0].order_id}, person=person.full_name,
                            systems=systems, number=granted[0].order_id, event=checklist.event.name)
