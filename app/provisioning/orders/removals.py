"""What an order that takes access away is meant to remove, what the person's access register still holds of it,
and closing such an order only once nothing of it is left (issue 23 item 1: a leaver never keeps access).

An order is meant to remove every system its event has a removal rule for (an action whose effect is "revoke"),
whatever the answers: "Avsluta användare" names RSVPN, WebSesam, Auditbase, Priva, WebPriva, SKAT and the e-service
card, so an end-user order is done only when the register lists none of them, whichever way its tasks were settled
(done, not applicable, or answers that made a cancellation not apply). Until then it stays in progress and its page
says what is left.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders import register, storing
from app.provisioning.orders.catalogue.definitions import Catalogue, Event
from app.provisioning.orders.checklist import GeneratedTask
from app.provisioning.orders.models import ItOrder
from app.provisioning.orders.register import Access

REVOKE = "revoke"


def removed_systems(catalogue: Catalogue, event: Event) -> frozenset[str]:
    """The systems the event has a removal rule for, whether or not the answers make the rule apply."""
    return frozenset(rule.system for rule in event.tasks
                     if rule.system and catalogue.actions[rule.action].effect == REVOKE)


def is_removal(event: Event, task: GeneratedTask) -> bool:
    """A task that takes a person's access away: skipping it needs an administrator's confirmation."""
    return event.scope == "person" and task.kind == "task" and task.effect == REVOKE and task.system is not None


def holding(held: list[Access], catalogue: Catalogue, task: GeneratedTask) -> list[Access]:
    """The register's entries a removal task is about: its system, and its item when it has one (a clinic)."""
    return [access for access in held if access.catalogue == catalogue.key and access.system == task.system
            and (task.item is None or access.item == task.item)]


async def left_in_register(session: AsyncSession, catalogue: Catalogue, event: Event,
                           order: ItOrder) -> list[Access]:
    """What the person still holds of what the order is meant to remove; empty for an order that removes nothing."""
    systems = removed_systems(catalogue, event)
    if order.person_id is None or not systems:
        return []
    held = await register.access_register(session, order.person_id)
    return [access for access in held if access.catalogue == catalogue.key and access.system in systems]


async def removal_after(session: AsyncSession, order: ItOrder, system: str) -> int | None:
    """A later order for the same person that removes ``system`` (a leaver's): the earlier order may no longer grant
    it, or the leaver would get it back once the removal is done."""
    if order.person_id is None:
        return None
    later = await session.execute(select(ItOrder).where(ItOrder.person_id == order.person_id,
                                                        ItOrder.catalogue_key == order.catalogue_key,
                                                        ItOrder.request_id > order.request_id)
                                  .order_by(ItOrder.request_id))
    # Later orders mostly share a catalogue version: each version is read and parsed once.
    versions: dict[int, Catalogue] = {}
    for other in later.scalars():
        if other.catalogue_version not in versions:
            versions[other.catalogue_version] = await storing.version_of(session, other.catalogue_key,
                                                                         other.catalogue_version)
        catalogue = versions[other.catalogue_version]
        event = catalogue.events.get(other.event_key)
        if event is not None and system in removed_systems(catalogue, event):
            return other.request_id
    return None


async def close_when_removed(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, order: ItOrder,
                             catalogue: Catalogue, event: Event) -> bool:
    """Completes an order whose tasks are all settled, unless the register still holds what it removes; True when
    the order is done."""
    tasks = await service.tasks_of(uow.session, request.id)
    if request.state != workflow.IN_PROGRESS or any(task.state not in workflow.SETTLED_TASK_STATES for task in tasks):
        return False
    await uow.session.flush()
    if await left_in_register(uow.session, catalogue, event, order):
        return False
    await service.transition(uow, actor=actor, request=request, action="complete")
    return True
