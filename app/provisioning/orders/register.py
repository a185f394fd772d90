"""A person's access register: the systems they have now, derived from the done tasks of their orders.

Each done task's action has an effect in the catalogue: a grant adds the system (for its item, such as a clinic's
care-provider id), a revoke removes it (for its item, or the whole system when the task has none); a change, a
record or "no action" leave it as it is. Nothing is stored twice: the register is folded from the tasks in the
order they were done, so it cannot disagree with the checklists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.orders import storing
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.checklist import generate
from app.provisioning.orders.models import ItOrder


@dataclass(frozen=True)
class Access:
    catalogue: str
    system: str
    system_name: str
    item: str | None
    since: datetime
    order_id: int


async def orders_of_person(session: AsyncSession, person_id: int) -> list[tuple[ProvisioningRequest, ItOrder]]:
    statement = select(ProvisioningRequest, ItOrder).join(ItOrder, ItOrder.request_id == ProvisioningRequest.id) \
        .where(ItOrder.person_id == person_id) \
        .order_by(ProvisioningRequest.created_at.desc(), ProvisioningRequest.id.desc())
    return [(request, order) for request, order in (await session.execute(statement)).all()]


async def access_register(session: AsyncSession, person_id: int) -> list[Access]:
    orders = await orders_of_person(session, person_id)
    effects: list[tuple[datetime, int, str, str, str, str | None, int]] = []
    for request, order in orders:
        # Generated here rather than through order_queries, which reads the register for an order's page.
        catalogue = await storing.version_of(session, order.catalogue_key, order.catalogue_version)
        generated = {task.key: task for task in generate(catalogue, order.event_key, order.answers).tasks}
        done = await session.execute(select(ProvisioningTask).where(
            ProvisioningTask.request_id == request.id, ProvisioningTask.state == workflow.TASK_DONE))
        for task in done.scalars():
            entry = generated.get(task.key)
            if entry is not None and entry.system is not None and entry.effect in ("grant", "revoke"):
                effects.append((task.updated_at, task.id, catalogue.key, entry.system, entry.effect, entry.item,
                                request.id))
    held: dict[tuple[str, str, str | None], Access] = {}
    names = await _system_names(session, orders)
    for when, _task_id, catalogue_key, system, effect, item, order_id in sorted(effects):
        if effect == "grant":
            held.setdefault((catalogue_key, system, item),
                            Access(catalogue_key, system, names.get((catalogue_key, system), system), item, when,
                                   order_id))
            continue
        for key in [key for key in held if key[:2] == (catalogue_key, system) and (item is None or key[2] == item)]:
            del held[key]
    return sorted(held.values(), key=lambda access: (access.catalogue, access.system_name, access.item or ""))


async def _system_names(session: AsyncSession,
                        orders: list[tuple[ProvisioningRequest, ItOrder]]) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for _request, order in reversed(orders):  # the newest version's names win
        catalogue = await storing.version_of(session, order.catalogue_key, order.catalogue_version)
        names.update({(catalogue.key, key): system.name for key, system in catalogue.systems.items()})
    return names


def prefill(catalogue: Catalogue, event_key: str, register: Sequence[Access],
            earlier_answers: Sequence[Mapping[str, object]]) -> dict[str, object]:
    """Answers for a new order of the person: from the register where the question says so, otherwise the
    latest earlier answer to the same question (newest first in ``earlier_answers``). The IT contact checks them.
    A person with no earlier order has an empty register that says nothing about what they had before bedboard,
    so nothing is prefilled for them.
    """
    event = catalogue.events.get(event_key)
    if event is None or not earlier_answers:
        return {}
    found: dict[str, object] = {}
    for key in event.asks:
        question = catalogue.questions[key]
        mine = [access for access in register if access.catalogue == catalogue.key
                and access.system == question.from_register]
        if question.from_register and question.type == "yes_no":
            found[key] = bool(mine)
        elif question.from_register and mine and all(access.item for access in mine):
            found[key] = [access.item for access in mine]
        else:
            earlier = next((answers[key] for answers in earlier_answers if key in answers), None)
            if earlier is not None:
                found[key] = earlier
    return found
