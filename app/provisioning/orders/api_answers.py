"""The answers of the IT orders API, declared once as typed dicts: api_json.py builds them (mypy checks each key
and type against these), openapi.py describes them from here.

Catalogue texts (system names, question labels) are the catalogue's own words, as written; messages are in the
caller's language. Enumerations read their values from the modules that define them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, JsonValue, with_config
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

from app.provisioning.core import workflow
from app.provisioning.orders import working
from app.provisioning.orders.api_bodies import Answer
from app.provisioning.orders.catalogue.definitions import CHANNEL_KINDS

CLOSED = ConfigDict(extra="forbid")
LOCALISED = Field(description="For people, in the caller's language.")
Localised = Annotated[str, LOCALISED]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


def _one_of(values: list[str]) -> Any:
    return Field(json_schema_extra={"enum": list[JsonValue](values)})


TaskState = Annotated[str, _one_of(list(workflow.TASK_STATE_LABELS))]
Texts = list[str]


@with_config(CLOSED)
class Named(TypedDict):
    id: int
    name: str


@with_config(CLOSED)
class Keyed(TypedDict):
    key: str
    name: str


@with_config(CLOSED)
class OrderLeadTime(TypedDict):
    status: Literal["in_time", "tight", "too_late"]
    available_days: Annotated[int, Field(ge=0, description="Business days from today up to the day before "
                                                           "planned_date.")]
    order_by: Annotated[Day, Field(description="The last day that still leaves the longest lead time.")]
    message: Localised


@with_config(CLOSED)
class TaskChannel(TypedDict):
    kind: Annotated[str, _one_of(list(CHANNEL_KINDS))]
    label: str
    url: str | None
    email: str | None


@with_config(CLOSED)
class TaskLink(TypedDict):
    label: str
    url: str | None


@with_config(CLOSED)
class TaskWaiver(TypedDict):
    state: Annotated[str, Field(description="pending (waits for an IT-order administrator), confirmed, refused or "
                                            "withdrawn (the task was done after all).")]
    reason: str
    proposed_by: str
    decided_by: str | None
    note: str | None


@with_config(CLOSED)
class TaskHolder(TypedDict):
    name: str


@with_config(CLOSED)
class OrderTask(TypedDict):
    key: Annotated[str, Field(description="Names the task in POST .../tasks/{task_key}.")]
    label: Annotated[str, Field(examples=["Priva – vårdgivar-id: Beställ (Hörselmottagningen Lund)"])]
    system: str | None
    system_name: str | None
    action: str
    action_name: str
    item: Annotated[str | None, Field(description="The list item a fanned-out task is for, e.g. a clinic.")]
    who: str
    who_name: str
    party: Annotated[str | None, Field(description="The party of the event that does it, when the catalogue names "
                                                   "one.")]
    state: TaskState
    state_name: Localised
    external_reference: str | None
    note: str | None
    blocked: Annotated[bool, Field(description="Pending, and a task it depends on is still open.")]
    waiting_on: Annotated[Texts, Field(description="Labels of the open tasks it depends on.")]
    depends_on: Annotated[Texts, Field(description="Keys of the tasks it depends on.")]
    applies: Annotated[bool, Field(description="False: the answers make it not needed (state not_applicable).")]
    actions: Annotated[list[Annotated[str, _one_of(sorted(working.TASK_ACTIONS))]],
                       Field(description="What the caller may do with it now.")]
    via: TaskChannel | None
    links: list[TaskLink]
    waiver: Annotated[TaskWaiver | None, Field(description="A removal proposed as not applicable: it stays open "
                                                           "until an IT-order administrator confirms.")]
    group: Annotated[Keyed | None, Field(description=(
        "The fulfilling group the catalogue gives the task to (the region's IT, KLK IT, the care provider); null in a "
        "catalogue without groups."))]
    holder: Annotated[TaskHolder | None, Field(description=(
        "The group's member who has taken the task (or did it); null while nobody has."))]
    queued: Annotated[bool, Field(description=(
        "Open and workable (not blocked), waiting in a fulfilling group's queue, and nobody has taken it yet."))]


@with_config(CLOSED)
class OrderCatalogue(TypedDict):
    key: str
    version: Annotated[int, Field(ge=1)]
    name: str


@with_config(CLOSED)
class OrderPerson(TypedDict):
    id: int
    full_name: str


@with_config(CLOSED)
class OrderHeading(TypedDict):
    """What an order and its summary share."""

    id: int
    catalogue: OrderCatalogue
    event: Keyed
    state: Annotated[str, _one_of(list(workflow.REQUEST_STATE_LABELS))]
    state_name: Localised
    planned_date: Annotated[Day, Field(description="The day the change takes effect.")]
    overdue: Annotated[bool, Field(description="Open on or after planned_date.")]
    person: OrderPerson | None
    organisation: Named
    subject_organisation: Named | None
    lead_time: OrderLeadTime | None


@with_config(CLOSED)
class OrderCheck(TypedDict):
    key: str
    name: str
    status: Literal["met", "not_met", "open", "not_applicable"]
    message: Localised


@with_config(CLOSED)
class Order(OrderHeading):
    created_at: Moment
    note: str | None
    answers: Annotated[dict[str, Answer], Field(description="By question key.")]
    may_work: Annotated[bool, Field(description="Whether the caller may work its tasks now.")]
    checks: list[OrderCheck]
    tasks: list[OrderTask]
    left_in_register: Annotated[list[HeldAccess], Field(description=(
        "What the person's access register still lists of what the order removes: it is not done until empty."))]
    date_notices: Annotated[list[Localised], Field(description=(
        "About the date: it had passed when the order was placed, or it is a public holiday (named)."))]
    receiving_organisation: Annotated[Named | None, Field(description=(
        "A handover: the organisation taking over, whose IT contacts work the receiving party's tasks."))]


@with_config(CLOSED)
class OrderSummary(OrderHeading):
    title: str
    open_tasks: Annotated[int, Field(ge=0)]


@with_config(CLOSED)
class OrderSummaryList(TypedDict):
    orders: list[OrderSummary]


@with_config(CLOSED)
class QueuedTask(TypedDict):
    order_id: int
    due: Day
    overdue: bool
    title: Annotated[str, Field(description="The person, or the organisation the order is about.")]
    event: Keyed
    task: str
    label: str
    system: str | None
    action: str
    state: TaskState
    state_name: str
    blocked: bool
    waiting_on: Texts


@with_config(CLOSED)
class OrderQueue(TypedDict):
    tasks: list[QueuedTask]


@with_config(CLOSED)
class ListedPerson(TypedDict):
    id: int
    full_name: str
    hsa_id: str | None


@with_config(CLOSED)
class HeldAccess(TypedDict):
    catalogue: str
    system: str
    system_name: str
    item: str | None
    since: Moment
    order_id: int


@with_config(CLOSED)
class PersonOrders(TypedDict):
    person: ListedPerson
    orders: list[OrderSummary]
    register: Annotated[list[HeldAccess], Field(description="The systems they have now, from the done tasks of "
                                                            "their orders.")]


@with_config(CLOSED)
class AnswerProblem(TypedDict):
    question: Annotated[str, Field(description="The question's key; - for the event itself.")]
    message: Localised
    params: Annotated[dict[str, Any], Field(description="What the message names.")]


@with_config(CLOSED)
class AnswerProblems(TypedDict):
    problems: list[AnswerProblem]


@with_config(CLOSED)
class OrderAnswersError(TypedDict):
    code: Literal["order_answers_invalid"]
    message: str
    details: AnswerProblems
    request_id: str


@with_config(CLOSED)
class OrderAnswersRefusal(TypedDict):
    error: OrderAnswersError


class TaskRefusalDetails(TypedDict, total=False):
    waiting_on: Annotated[Texts, Field(description="With task_waits: the labels of the open tasks it depends on.")]


@with_config(CLOSED)
class OrderTaskError(TypedDict):
    code: Literal["task_waits", "transition_refused", "waiver_refused", "grant_after_removal"]
    message: str
    details: TaskRefusalDetails
    request_id: str


@with_config(CLOSED)
class OrderTaskRefusal(TypedDict):
    error: OrderTaskError


ANSWERS = (Order, OrderSummaryList, OrderQueue, PersonOrders, OrderAnswersRefusal, OrderTaskRefusal)
