"""The lists: the IT contact's queue of open tasks (overdue first, then by due date), a person's orders and an
organisation's orders, each order with its lead-time verdict while it is open (the warning is on every list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders import order_queries, people, register, scope
from app.provisioning.orders.models import ItOrder, OrderPerson

MAX_LISTED = 500
SUBCONTRACTOR_KIND = "care_provider"


@dataclass(frozen=True)
class OrderSummary:
    view: order_queries.OrderView

    @property
    def id(self) -> int:
        return self.view.request.id

    @property
    def title(self) -> str:
        """Who or what the order is about: the person, or the organisation (the subcontractor)."""
        if self.view.person is not None:
            return self.view.person.full_name
        return (self.view.subject or self.view.organisation).name


@dataclass(frozen=True)
class QueueEntry:
    order: OrderSummary
    line: order_queries.TaskLine

    @property
    def overdue(self) -> bool:
        return self.order.view.overdue

    @property
    def due(self) -> date:
        return self.order.view.order.planned_date


async def _views(session: AsyncSession, actor: Actor, rows: list[tuple[ProvisioningRequest, ItOrder]],
                 now: datetime) -> list[OrderSummary]:
    return [OrderSummary(await order_queries.view_of(session, actor, request, order, now)) for request, order in rows]


async def queue(session: AsyncSession, actor: Actor, now: datetime) -> list[QueueEntry]:
    """Every open task of the orders the actor's organisation works on: overdue orders first, then by date."""
    organisation_id = scope.placing_organisation(actor)
    statement = select(ProvisioningRequest, ItOrder).join(ItOrder, ItOrder.request_id == ProvisioningRequest.id) \
        .where(or_(ProvisioningRequest.organisation_id == organisation_id,
                   ItOrder.receiving_organisation_id == organisation_id),
               ProvisioningRequest.state == workflow.IN_PROGRESS) \
        .order_by(ItOrder.planned_date, ProvisioningRequest.id).limit(MAX_LISTED)
    orders = await _views(session, actor, [(request, order) for request, order in
                                           (await session.execute(statement)).all()], now)
    # A handover's receiving organisation has only its own party's tasks to do (scope.may_work_task).
    entries = [QueueEntry(order, line) for order in orders for line in order.view.lines if line.is_open
               and scope.may_work_task(actor, order.view.request, order.view.order, line.generated.party)]
    return sorted(entries, key=lambda entry: (not entry.overdue, entry.due, entry.order.id))


async def orders_of_organisation(session: AsyncSession, actor: Actor, organisation_id: int,
                                 now: datetime) -> list[OrderSummary]:
    """Orders placed by the organisation or about it (a subcontractor sees what its main contractor ordered)."""
    if scope.placing_organisation(actor) != organisation_id:
        raise PermissionDenied(scope.OUTSIDE)
    statement = select(ProvisioningRequest, ItOrder).join(ItOrder, ItOrder.request_id == ProvisioningRequest.id) \
        .where(or_(ProvisioningRequest.organisation_id == organisation_id,
                   ItOrder.subject_organisation_id == organisation_id,
                   ItOrder.receiving_organisation_id == organisation_id), ItOrder.person_id.is_(None)) \
        .order_by(ProvisioningRequest.id.desc()).limit(MAX_LISTED)
    rows = [(request, order) for request, order in (await session.execute(statement)).all()
            if scope.may_read(actor, request, order)]
    return await _views(session, actor, rows, now)


async def person_for(session: AsyncSession, actor: Actor, person_id: int) -> OrderPerson:
    """A person of the IT contact's own organisation; anyone else's is refused."""
    organisation_id = scope.placing_organisation(actor)
    person = await people.person_of(session, person_id)
    if person.organisation_id != organisation_id:
        raise PermissionDenied(scope.OUTSIDE)
    return person


async def orders_for_person(session: AsyncSession, actor: Actor, person_id: int, now: datetime) -> list[OrderSummary]:
    await person_for(session, actor, person_id)
    return await _views(session, actor, await register.orders_of_person(session, person_id), now)


async def subcontractors_of(session: AsyncSession, organisation_id: int) -> list[Organisation]:
    """The care providers directly under a main contractor: those it places subcontractor orders for."""
    statement = select(Organisation).where(Organisation.parent_id == organisation_id,
                                           Organisation.kind == SUBCONTRACTOR_KIND).order_by(Organisation.name)
    return list((await session.execute(statement)).scalars())
