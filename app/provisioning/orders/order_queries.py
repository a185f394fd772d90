"""One order as its reader sees it: the checklist generated again from the stored catalogue version and answers,
each entry with its stored state, what it still waits for, and what the reader may do with it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask, TaskDependency
from app.provisioning.orders import effective_dates, removals, scope, storing, timing
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.checklist import Checklist, GeneratedTask, generate
from app.provisioning.orders.checks import CheckResult, evaluate_checks
from app.provisioning.orders.lead_time import LeadTimeVerdict
from app.provisioning.orders.models import ItOrder, OrderPerson, OrderTaskWaiver
from app.provisioning.orders.register import Access

OPEN_TASK_STATES = frozenset({workflow.PENDING, workflow.WAITING_EXTERNAL, workflow.FAILED})
# What a person may do with a task in each state, in the order the page offers them.
TASK_ACTIONS = {
    workflow.PENDING: ("await_external", "complete", "skip"),
    workflow.WAITING_EXTERNAL: ("confirm", "fail"),
    workflow.FAILED: ("retry",),
}


def task_label(task: GeneratedTask) -> str:
    """"RSVPN: Avbeställ", "Vårdgivar-id i Priva: Beställ (Mottagning Lund)", or a prerequisite's own name."""
    label = f"{task.system_name}: {task.action_name}" if task.system_name else task.action_name
    return f"{label} ({task.item})" if task.item else label


@dataclass(frozen=True)
class WaiverView:
    """The latest proposal to set a removal task aside, and its decision (waivers.py)."""

    state: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class TaskLine:
    generated: GeneratedTask
    task: ProvisioningTask
    waiting_on: tuple[str, ...]  # labels of the open tasks it depends on
    actions: tuple[str, ...]  # what the reader may do now; empty when they may only read
    waiver: WaiverView | None = None

    @property
    def awaits_confirmation(self) -> bool:
        return self.waiver is not None and self.waiver.state == "pending"

    @property
    def label(self) -> str:
        return task_label(self.generated)

    @property
    def state(self) -> str:
        return self.task.state

    @property
    def blocked(self) -> bool:
        return self.task.state == workflow.PENDING and bool(self.waiting_on)

    @property
    def is_open(self) -> bool:
        return self.task.state in OPEN_TASK_STATES


@dataclass(frozen=True)
class OrderView:
    request: ProvisioningRequest
    order: ItOrder
    catalogue: Catalogue
    checklist: Checklist
    lines: tuple[TaskLine, ...]
    checks: tuple[CheckResult, ...]
    organisation: Organisation
    subject: Organisation | None
    person: OrderPerson | None
    lead_time: LeadTimeVerdict | None
    today: date
    may_work: bool
    left_in_register: tuple[Access, ...] = ()  # what the person still holds of what the order removes
    date_notices: tuple[effective_dates.DateNotice, ...] = ()  # a date passed when placed, or a holiday

    @property
    def overdue(self) -> bool:
        return self.request.state in workflow.OPEN_STATES and self.order.planned_date <= self.today

    @property
    def open_count(self) -> int:
        return sum(1 for line in self.lines if line.is_open)

    def line(self, key: str) -> TaskLine:
        found = next((line for line in self.lines if line.task.key == key), None)
        if found is None:
            raise NotFound(_("This order has no such task."))
        return found


async def load_order(session: AsyncSession, request_id: int, *,
                     for_update: bool = False) -> tuple[ProvisioningRequest, ItOrder]:
    order = await session.get(ItOrder, request_id)
    if order is None:
        raise NotFound(_("There is no such order."))
    return await service.load_request(session, request_id, for_update=for_update), order


async def checklist_of(session: AsyncSession, order: ItOrder) -> tuple[Catalogue, Checklist]:
    catalogue = await storing.version_of(session, order.catalogue_key, order.catalogue_version)
    return catalogue, generate(catalogue, order.event_key, order.answers)


async def order_view(session: AsyncSession, actor: Actor, request_id: int, now: datetime) -> OrderView:
    request, order = await load_order(session, request_id)
    scope.require_read(actor, request, order)
    return await view_of(session, actor, request, order, now)


async def view_of(session: AsyncSession, actor: Actor, request: ProvisioningRequest, order: ItOrder,
                  now: datetime) -> OrderView:
    catalogue, checklist = await checklist_of(session, order)
    tasks = {task.key: task for task in await service.tasks_of(session, request.id)}
    prerequisites = await _prerequisites(session, [task.id for task in tasks.values()])
    by_id = {task.id: task for task in tasks.values()}
    generated = {task.key: task for task in checklist.tasks}
    may_work = scope.may_work(actor, request) and request.state == workflow.IN_PROGRESS
    waivers = await _waivers(session, request.id)
    lines = []
    for entry in checklist.tasks:
        task = tasks[entry.key]
        waiting = tuple(task_label(generated[by_id[other].key]) for other in prerequisites.get(task.id, ())
                        if by_id[other].state not in workflow.SETTLED_TASK_STATES)
        works_it = may_work or (request.state == workflow.IN_PROGRESS
                                and scope.may_work_task(actor, request, order, entry.party))
        actions = TASK_ACTIONS.get(task.state, ()) if works_it else ()
        if waiting:
            actions = tuple(action for action in actions if action not in workflow.TASK_ACTIONS_NEEDING_PREREQUISITES)
        waiver = waivers.get(task.id)
        if waiver is not None and waiver.state == "pending":
            actions = tuple(action for action in actions if action != "skip")
        lines.append(TaskLine(entry, task, waiting, actions, waiver))
    done = {line.task.key for line in lines if line.state == workflow.TASK_DONE}
    calendar = await timing.order_calendar(session, request.organisation_id, catalogue)
    lead = timing.lead_time_verdict(catalogue, checklist.event, checklist.answers, planned=order.planned_date,
                                    now=now, calendar=calendar) if request.state in workflow.OPEN_STATES else None
    organisation = await session.get(Organisation, request.organisation_id)
    subject = await session.get(Organisation, order.subject_organisation_id) if order.subject_organisation_id else None
    person = await session.get(OrderPerson, order.person_id) if order.person_id else None
    assert organisation is not None  # a foreign key
    still_open = request.state in workflow.OPEN_STATES
    left = await removals.left_in_register(session, catalogue, checklist.event, order) if still_open else []
    notices = effective_dates.notices(calendar, order.planned_date, timing.local_today(calendar, request.created_at)) \
        if still_open else ()
    return OrderView(request, order, catalogue, checklist, tuple(lines),
                     evaluate_checks(catalogue, checklist.event, checklist.answers, checklist.tasks, done),
                     organisation, subject, person, lead, timing.local_today(calendar, now), may_work, tuple(left),
                     notices)


async def _waivers(session: AsyncSession, request_id: int) -> dict[int, WaiverView]:
    """The latest proposal of each task of the order, with who proposed and who decided."""
    proposer, decider = aliased(User), aliased(User)
    rows = await session.execute(
        select(OrderTaskWaiver, proposer.username, decider.username)
        .join(proposer, proposer.id == OrderTaskWaiver.proposed_by_id)
        .outerjoin(decider, decider.id == OrderTaskWaiver.decided_by_id)
        .where(OrderTaskWaiver.request_id == request_id).order_by(OrderTaskWaiver.id))
    return {waiver.task_id: WaiverView(waiver.state, waiver.reason, proposed_by, waiver.proposed_at, decided_by,
                                       waiver.decided_at, waiver.decision_note)
            for waiver, proposed_by, decided_by in rows}


async def _prerequisites(session: AsyncSession, task_ids: list[int]) -> dict[int, list[int]]:
    if not task_ids:
        return {}
    rows = await session.execute(select(TaskDependency.task_id, TaskDependency.prerequisite_id)
                                 .where(TaskDependency.task_id.in_(task_ids)))
    found: dict[int, list[int]] = {}
    for task_id, prerequisite_id in rows:
        found.setdefault(task_id, []).append(prerequisite_id)
    return found
