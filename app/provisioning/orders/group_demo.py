"""Demo data for the fulfilling groups and the handover model (issue 23 items 4 and 10), loaded after the orders of
``demo.py``:

- KLK IT (Uppsala kommun) has two members, Region Skåne's IT one; the KLK IT system administrator has taken the
  subcontractor's new organisation, Region Skåne's IT the e-service card of Karin Ek, and the other tasks wait in
  the queues (the start-up's Siebel structure and accounts, the organisations' structures, the RSVPN order ...).
- Omsorg Uppsala AB hands its home care in Gottsunda over to Vård Nord AB, whose IT contact sees and works its part;
  Hemtjänst Norr UE moves under Vård Nord AB as main contractor in five weeks.

Loaded once: when KLK IT has members already, nothing is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select

from accounts.models import User
from accounts.sessions import actor_for
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.provisioning.orders import contractors, fulfilling, fulfilment, group_queries, membership
from app.provisioning.orders.models import OrderGroupMember
from app.provisioning.orders.placing import OrderDraft, place_order

SKANE, UPPSALA, OMSORG, HEMTJANST, VARD_NORD = "RSK", "UPPSALA", "OMSORG-AB", "HEMTJANST-NORR", "VARD-NORD"
MEMBERS = (("orders.uppsala", UPPSALA, "klk_it", ("klk.it", "klk.it2")),
           ("orders.skane", SKANE, "region_it", ("region.it",)))
HANDOVER = {"ending": "taken_over", "provider_type": "private", "health_care_responsibility": True,
            "uses_flexite": True, "home_care": True}


def group_organisations() -> list[tuple[str, str, str, str | None]]:
    return [(VARD_NORD, "Vård Nord AB", "care_provider", UPPSALA)]


def group_users() -> list[tuple[str, str, str, str]]:
    return [
        ("klk.it", "Systemförvaltare KLK IT (demo)", "it_fulfiller", UPPSALA),
        ("klk.it2", "IT-supporten KLK IT (demo)", "it_fulfiller", UPPSALA),
        ("region.it", "Region Skånes IT, Ritz (demo)", "it_fulfiller", SKANE),
        ("it.vardnord", "IT-kontakt Vård Nord AB (demo)", "it_contact", VARD_NORD),
    ]


async def ensure_groups_demo(uow: UnitOfWork, organisations: Mapping[str, int]) -> None:
    session = uow.session
    if await session.scalar(select(OrderGroupMember.id).where(
            OrderGroupMember.organisation_id == organisations[UPPSALA]).limit(1)) is not None:
        return
    for admin, organisation, group_key, usernames in MEMBERS:
        keeper = await _actor(uow, admin, organisations[organisation])
        if keeper is None or group_key not in {group.key for group in
                                               await fulfilment.kept_groups(session, organisations[organisation])}:
            continue
        for username in usernames:
            member = await _actor(uow, username, organisations[organisation])
            if member is not None and member.user_id is not None:
                await membership.add_member(uow, actor=keeper, group_key=group_key, user_id=member.user_id)
        first = await _actor(uow, usernames[0], organisations[organisation])
        if first is not None:
            await _take_oldest(uow, first, group_key)
    await _handover(uow, organisations)


async def _take_oldest(uow: UnitOfWork, member: Actor, group_key: str) -> None:
    queue = await group_queries.group_queue(uow.session, member, group_key, session_now(uow.session))
    if queue.entries:
        await fulfilling.act(uow, actor=member, group_key=group_key, task_id=queue.entries[0].line.task.id,
                             step="take")


async def _handover(uow: UnitOfWork, organisations: Mapping[str, int]) -> None:
    omsorg = await _actor(uow, "it.omsorg", organisations[OMSORG])
    admin = await _actor(uow, "orders.uppsala", organisations[UPPSALA])
    if omsorg is None or admin is None:
        return
    assert omsorg.organisation_id is not None  # where the order's dates are checked: its local today
    today = await contractors.local_today(uow.session, omsorg.organisation_id)
    await place_order(uow, actor=omsorg, draft=OrderDraft(
        "uppsala_care_providers", "handover_wind_down", HANDOVER, today + timedelta(weeks=11),
        note="Hemtjänsten i Gottsunda tas över av Vård Nord AB.", receiving_organisation_id=organisations[VARD_NORD]))
    await contractors.plan_change(uow, actor=admin, organisation_id=organisations[HEMTJANST],
                                  contractor_id=organisations[VARD_NORD], effective=today + timedelta(weeks=5),
                                  note="Nytt underleverantörsavtal med Vård Nord AB.")


async def _actor(uow: UnitOfWork, username: str, organisation_id: int) -> Actor | None:
    user = await uow.session.scalar(select(User).where(User.username == username))
    if user is None or user.organisation_id != organisation_id:
        return None
    return await actor_for(uow.session, user, source="cli", client_address=None)
