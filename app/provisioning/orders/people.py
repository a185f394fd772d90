"""The people person orders are for, kept by the ordering organisation (a clinic's staff, new and leaving)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.hsa_ids import InvalidIdentifier, normalise_hsa_id
from app.provisioning.orders.models import OrderPerson

MAX_NAME = 200


@dataclass(frozen=True)
class NewPerson:
    full_name: str
    hsa_id: str | None = None


async def person_of(session: AsyncSession, person_id: int) -> OrderPerson:
    found = await session.get(OrderPerson, person_id)
    if found is None:
        raise NotFound(_("There is no such person."))
    return found


async def people_of(session: AsyncSession, organisation_id: int) -> list[OrderPerson]:
    statement = select(OrderPerson).where(OrderPerson.organisation_id == organisation_id) \
        .order_by(OrderPerson.full_name, OrderPerson.id)
    return list((await session.execute(statement)).scalars())


async def add_person(uow: UnitOfWork, *, actor: Actor, organisation_id: int, person: NewPerson) -> OrderPerson:
    name = " ".join(person.full_name.split())
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationFailed(_("Give the person's full name (1 to {limit} characters)."),
                               details={"field": "full_name"}, limit=MAX_NAME)
    hsa_id = None
    if (person.hsa_id or "").strip():
        try:
            hsa_id = normalise_hsa_id(person.hsa_id or "")
        except InvalidIdentifier as error:
            raise error.on_field("hsa_id") from None
    session = uow.session
    if hsa_id is not None and await session.scalar(select(OrderPerson.id).where(
            OrderPerson.organisation_id == organisation_id, OrderPerson.hsa_id == hsa_id)) is not None:
        raise ValidationFailed(_("A person with the HSA-id {hsa_id} is already listed: choose them instead."),
                               details={"field": "hsa_id"}, hsa_id=hsa_id)
    row = OrderPerson(organisation_id=organisation_id, full_name=name, hsa_id=hsa_id,
                      created_at=session_now(session))
    session.add(row)
    await session.flush()
    await audit.record(session, actor=actor, action="orders.person_added", object_type="order_person",
                       object_id=row.id, after={"full_name": name, "hsa_id": hsa_id,
                                                "organisation_id": organisation_id})
    return row
