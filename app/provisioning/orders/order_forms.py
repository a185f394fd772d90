"""The new-order form: what it offers (the catalogues' events, the people, the subcontractors, answers prefilled
from a person's access register) and reading what was typed back into an ``OrderDraft``.

Every field is kept as the text typed, so that a refused form comes back exactly as the IT contact left it; the
answers are checked here as the service will check them, so that every mistake is shown at once, not one per try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.kit.forms import positive_id
from app.kit.i18n import _
from app.provisioning.orders import handover, people, queries, references, register, scope, storing
from app.provisioning.orders.answers import AnswersInvalid, validate_answers
from app.provisioning.orders.catalogue.definitions import Catalogue, Event, Question
from app.provisioning.orders.models import OrderPerson
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import MAIN_CONTRACTOR, OrderDraft

ANSWER = "answer."  # an answer's field is named after its question: "answer.clinics"
NEW_PERSON = "new"
YES, NO = "yes", "no"
OTHER_FIELDS = ("catalogue", "event", "person_id", "full_name", "hsa_id", "subject_organisation_id",
                "planned_date", "note", "receiving_organisation_id")
# A subcontractor is a care provider directly under the main contractor that orders for it (seed 004).


@dataclass(frozen=True)
class EventChoice:
    """Step 1: an event of a catalogue's current version, to start an order from."""

    catalogue_key: str
    catalogue_name: str
    version: int
    event: Event


@dataclass(frozen=True)
class OrderForm:
    """Step 2: one event's questions and what the form offers around them."""

    catalogue_key: str
    catalogue: Catalogue
    version: int
    event: Event
    people: tuple[OrderPerson, ...]
    subcontractors: tuple[Organisation, ...]
    person: OrderPerson | None  # the known person the order is for, when it was started from their page
    receivers: tuple[Organisation, ...] = ()  # a handover: who may take over (handover.py)
    clinics: tuple[str, ...] = ()  # the names a clinic answer is chosen from (references.py)
    place_questions: frozenset[str] = frozenset()  # the questions whose items are clinics

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self.catalogue.questions[key] for key in self.event.asks)

    @property
    def names_receiver(self) -> bool:
        return any(party.key == scope.RECEIVING_PARTY for party in self.event.parties)

    @property
    def for_subcontractor(self) -> bool:
        return self.event.placed_by == MAIN_CONTRACTOR


@dataclass(frozen=True)
class FormProblem:
    """A mistake shown next to its field: a question's key, "planned_date", "person" ...; "-" for the form."""

    field: str
    message: str
    params: Mapping[str, object]


async def event_choices(session: AsyncSession, actor: Actor) -> list[EventChoice]:
    choices = []
    for row in await storing.kept_by(session, await scope.catalogue_organisations(session, actor)):
        catalogue = await storing.version_of(session, row.key, row.current_version)
        choices += [EventChoice(row.key, catalogue.name, row.current_version, event)
                    for event in catalogue.events.values()]
    return choices


async def order_form(session: AsyncSession, actor: Actor, catalogue_key: str, event_key: str,
                     person_id: int | None = None) -> tuple[OrderForm, dict[str, str]]:
    """The form, and the fields prefilled for a known person (from their register and earlier answers)."""
    organisation_id = scope.placing_organisation(actor)
    row = await storing.catalogue_row(session, catalogue_key)
    await scope.require_catalogue_use(session, actor, row)
    catalogue = await storing.version_of(session, row.key, row.current_version)
    event = catalogue.events.get(event_key)
    if event is None:
        raise NotFound(_("This catalogue has no such event."))
    person, typed = None, {}
    if event.scope == "person" and person_id is not None:
        person = await queries.person_for(session, actor, person_id)
        held = await register.access_register(session, person.id)
        earlier = [order.answers for _request, order in await register.orders_of_person(session, person.id)]
        typed = {ANSWER + key: _as_text(value) for key, value in
                 register.prefill(catalogue, event.key, held, earlier).items()}
        typed["person_id"] = str(person.id)
    listed = tuple(await people.people_of(session, organisation_id)) if event.scope == "person" else ()
    placing_for_others = event.placed_by == MAIN_CONTRACTOR
    under = tuple(await queries.subcontractors_of(session, organisation_id)) if placing_for_others else ()
    receivers = tuple(await handover.candidates(session, organisation_id)) \
        if any(party.key == scope.RECEIVING_PARTY for party in event.parties) else ()
    places = references.place_lists(catalogue) & set(event.asks)
    picks_one = any(catalogue.questions[key].one_of for key in event.asks)
    clinics = tuple(await references.clinics_of(session, row.organisation_id)) if places or picks_one else ()
    return OrderForm(row.key, catalogue, row.current_version, event, listed, under, person, receivers,
                     clinics=clinics, place_questions=frozenset(places)), typed


def field_names(event: Event) -> tuple[str, ...]:
    return (*OTHER_FIELDS, *(ANSWER + key for key in event.asks))


def read_draft(form: OrderForm, typed: Mapping[str, str]) -> tuple[OrderDraft, list[FormProblem]]:
    """The draft the typed fields describe, and every mistake found before the service is asked."""
    answers: dict[str, object] = {}
    for question in form.questions:
        value = _answer(question, typed.get(ANSWER + question.key, ""))
        if value is not None:
            answers[question.key] = value
    problems: list[FormProblem] = []
    try:
        validate_answers(form.catalogue, form.event.key, answers)
    except AnswersInvalid as invalid:
        problems += [FormProblem(problem.question, problem.message, problem.params) for problem in invalid.problems]
    planned = _planned_date(typed.get("planned_date", ""), problems)
    person_id, new_person = None, None
    if form.event.scope == "person":
        person_id, new_person = _person(typed, problems)
    subject = positive_id(typed.get("subject_organisation_id", "").strip())
    if form.for_subcontractor and subject is None:
        problems.append(FormProblem("subject_organisation_id", _(
            "Choose the subcontractor: the main contractor orders on its behalf."), {}))
    receiving = positive_id(typed.get("receiving_organisation_id", "").strip()) if form.names_receiver else None
    return OrderDraft(form.catalogue_key, form.event.key, answers, planned, person_id, new_person, subject,
                      typed.get("note"), receiving), problems


def _answer(question: Question, text: str) -> object:
    """The value ``validate_answers`` reads; what cannot be read is passed on as typed, for it to refuse."""
    value = text.strip()
    if not value:
        return None
    if question.type == "yes_no":
        return {YES: True, NO: False}.get(value, value)
    if question.type == "number":
        digits = value.removeprefix("-")
        return int(value) if digits.isascii() and digits.isdigit() else value
    if question.type == "list":
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


def _planned_date(text: str, problems: list[FormProblem]) -> date | None:
    value = text.strip()
    if not value:
        problems.append(FormProblem("planned_date", _(
            "Give the date the change takes effect: the tasks are due before it."), {}))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(FormProblem("planned_date", _("Write the date as YYYY-MM-DD, e.g. 2026-03-14."), {}))
        return None


def _person(typed: Mapping[str, str], problems: list[FormProblem]) -> tuple[int | None, NewPerson | None]:
    chosen = typed.get("person_id", "").strip()
    if chosen and chosen != NEW_PERSON:
        return positive_id(chosen), None
    name = typed.get("full_name", "")
    if not name.strip():
        problems.append(FormProblem("person", _(
            "Say who the order is for: choose a person or give a new person's name."), {}))
        return None, None
    return None, NewPerson(name, typed.get("hsa_id", "").strip() or None)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)
