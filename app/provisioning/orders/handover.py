"""The receiving side of a handover (seed 004, issue 23 item 10): "I samband med överlämnande av verksamhet ansvarar
båda parterna (övertagande och överlämnande organisation) för att behörighetsbeställningar blir beställda/avbeställda."

The handing-over care provider places the order and names the organisation taking over; that organisation's IT
contacts then read the order and work the receiving party's tasks (``scope.may_work_task``), and are told so. The
receiving organisation is a care provider of the same municipality, never the one handing over; a business that
ceases has none.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.core.deadlines import lineage
from app.provisioning.orders.checklist import Checklist
from app.provisioning.orders.scope import RECEIVING_PARTY

FIELD = "receiving_organisation_id"
RECEIVING_KINDS = frozenset({"care_provider"})
NAMED = _("Order #{number}: {organisation} hands its business over to you. Your part of the checklist is on the "
          "order.")


def names_a_receiver(checklist: Checklist) -> bool:
    return any(party.key == RECEIVING_PARTY for party in checklist.event.parties)


def receiver_needed(checklist: Checklist) -> bool:
    """Whether any of the receiving party's tasks applies (a business taken over, not one that ceases)."""
    return any(task.party == RECEIVING_PARTY and task.applies for task in checklist.tasks)


async def candidates(session: AsyncSession, organisation_id: int) -> list[Organisation]:
    """The care providers of the same municipality (or region) that could take over, the placer excepted."""
    chain = await lineage(session, organisation_id)
    root = chain[-1].id if chain else organisation_id
    under = await organisation_ids_under(session, root)
    statement = select(Organisation).where(Organisation.id.in_(under), Organisation.id != organisation_id,
                                           Organisation.kind.in_(RECEIVING_KINDS)).order_by(Organisation.name)
    return list((await session.execute(statement)).scalars())


async def receiving_organisation(session: AsyncSession, *, organisation_id: int, checklist: Checklist,
                                 receiving_id: int | None) -> int | None:
    """The receiving organisation an order names, checked; None for an order that has none."""
    if not names_a_receiver(checklist) or not receiver_needed(checklist):
        if receiving_id is not None:
            raise ValidationFailed(_("Only a handover to another organisation names the organisation taking over."),
                                   details={"field": FIELD})
        return None
    if receiving_id is None:
        raise ValidationFailed(_("Name the organisation taking over: its IT contacts order their part of the "
                                 "checklist."), details={"field": FIELD})
    if receiving_id not in {organisation.id for organisation in await candidates(session, organisation_id)}:
        raise ValidationFailed(_("The organisation taking over is another care provider of the same municipality."),
                               details={"field": FIELD})
    return receiving_id


async def tell_receiver(uow: UnitOfWork, *, request_id: int, placer_id: int, receiving_id: int | None) -> None:
    if receiving_id is None:
        return
    placer = await uow.session.get(Organisation, placer_id)
    contacts = await users_with_role(uow.session, "it_contact", [receiving_id])
    await notify(uow.session, recipients=contacts, message=NAMED,
                 params={"number": request_id, "organisation": placer.name if placer else ""},
                 link=f"/orders/{request_id}")
