"""Demo data for the IT-order module: Region Skåne's audiology clinics (seed 002) and Uppsala municipality's care
providers (seed 004), each with IT contacts, an IT-order administrator and the shipped catalogue.

The orders are placed and worked through the services as the clinics' and providers' own IT contacts, so every
step is audited as in real use, and their dates are counted from the unit of work's today so that the screens say
the same ("due in a week", "overdue", "too late") whenever the demo is loaded:

- Lund: Karin Ek, a new audiologist for both clinics, with the directory record made and the e-service card
  waiting for Ritz's confirmation; WebSesam waits for the prescriber training. Olof Lind, a prescriber set up in
  full two months ago (his order placed then, as the unit of work's clock says), now leaving: two cancellations
  done, so the directory record's deletion still waits and his page lists what he still holds. Per Holm's first day
  is today (overdue: a date already passed is refused for a new user). Eva Berg, employed before bedboard and
  leaving: her IT contact proposed the RSVPN cancellation as not applicable, which waits for Region Skåne's
  IT-order administrator on "To confirm".
- Omsorg Uppsala AB: a small organisation change planned a week ahead (too late: it takes 2-4 weeks), the start of
  a new business whose start-up checks are partly met, and an order for its subcontractor Hemtjänst Norr UE, whose
  assignment begins.

Loaded once per organisation: a clinic or care provider that has orders already gets none added.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.sessions import actor_for
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork, session_now
from app.kit.demo_data import Demo, DemoOrganisation, DemoUser
from app.provisioning.core import setup
from app.provisioning.core.models import OrganisationCalendar, ProvisioningRequest
from app.provisioning.orders import contractors, group_demo, order_queries, register, storing, working
from app.provisioning.orders.models import ItOrder
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order

SKANE, LUND, MALMO = "RSK", "AUD-LUND", "AUD-MALMO"
UPPSALA, OMSORG, HEMTJANST = "UPPSALA", "OMSORG-AB", "HEMTJANST-NORR"
SKANE_CATALOGUE, UPPSALA_CATALOGUE = "skane_audiology", "uppsala_care_providers"
LUND_CLINIC, MALMO_CLINIC = "Hörselmottagningen Lund", "Hörselmottagningen Malmö"
CALENDAR_COUNTRY, CALENDAR_ZONE = "SE", "Europe/Stockholm"
# A new home-care business: computers and the contact person are there, but Internet Explorer is not, the expert
# users are too few for 40 staff (about 10% is asked) and no Phoniro administrator is named yet.
START_UP_ANSWERS = {"start_kind": "new_start", "health_care_responsibility": True, "uses_flexite": True,
                    "home_care": True, "staff_count": 40, "expert_users": 2, "contact_persons": ["Eva Strand"],
                    "prator_administrators": ["Jonas Berg"], "computers_and_internet": True,
                    "internet_explorer": False}


def orders_organisations() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code), parents first."""
    return [
        (SKANE, "Region Skåne", "region", None),
        (LUND, LUND_CLINIC, "unit", SKANE),
        (MALMO, MALMO_CLINIC, "unit", SKANE),
        (UPPSALA, "Uppsala kommun", "commune", None),
        (OMSORG, "Omsorg Uppsala AB", "care_provider", UPPSALA),
        (HEMTJANST, "Hemtjänst Norr UE", "care_provider", OMSORG),
        *group_demo.group_organisations(),
    ]


def orders_users() -> list[tuple[str, str, str, str]]:
    """(username, display name, role, organisation code)."""
    return [
        ("it.lund", "IT-kontaktperson Hörselmottagningen Lund (demo)", "it_contact", LUND),
        ("it.malmo", "IT-kontaktperson Hörselmottagningen Malmö (demo)", "it_contact", MALMO),
        ("orders.skane", "IT-beställningar Region Skåne (demo)", "orders_admin", SKANE),
        ("it.omsorg", "Kontaktperson mot KLK IT, Omsorg Uppsala AB (demo)", "it_contact", OMSORG),
        ("it.hemtjanst", "IT-kontakt Hemtjänst Norr UE (demo)", "it_contact", HEMTJANST),
        ("orders.uppsala", "IT-beställningar Uppsala kommun (demo)", "orders_admin", UPPSALA),
        *group_demo.group_users(),
    ]


async def ensure_orders_demo(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    session = uow.session
    for region in (SKANE, UPPSALA):
        if await session.get(OrganisationCalendar, organisations[region]) is None:
            await setup.set_calendar(session, actor=actor, organisation_code=region, country=CALENDAR_COUNTRY,
                                     subdivision=None, timezone=CALENDAR_ZONE)
    skane = await _catalogue(uow, actor, SKANE_CATALOGUE, "orders.skane", organisations[SKANE])
    lund = await _it_contact(uow, "it.lund", organisations[LUND])
    if skane and lund is not None:
        await _lund_orders(uow, lund)
    uppsala = await _catalogue(uow, actor, UPPSALA_CATALOGUE, "orders.uppsala", organisations[UPPSALA])
    omsorg = await _it_contact(uow, "it.omsorg", organisations[OMSORG])
    if uppsala and omsorg is not None:
        await _omsorg_orders(uow, omsorg, organisations[HEMTJANST])
    await group_demo.ensure_groups_demo(uow, organisations)  # the fulfilling groups' members and queues, a handover


async def _catalogue(uow: UnitOfWork, actor: Actor, key: str, admin: str, region_id: int) -> bool:
    """Installs the shipped catalogue by the region's administrator; False when another organisation keeps it."""
    keeper = await _actor(uow.session, admin, region_id) or actor
    row = await storing.install_shipped(uow, actor=keeper, key=key, organisation_id=region_id)
    return row.organisation_id == region_id


async def _it_contact(uow: UnitOfWork, username: str, organisation_id: int) -> Actor | None:
    """The IT contact to order as, or None when the organisation has orders already (an earlier run)."""
    placed = await uow.session.scalar(select(ItOrder.request_id).join(
        ProvisioningRequest, ProvisioningRequest.id == ItOrder.request_id).where(
        ProvisioningRequest.organisation_id == organisation_id).limit(1))
    return None if placed is not None else await _actor(uow.session, username, organisation_id)


async def _lund_orders(uow: UnitOfWork, lund: Actor) -> None:
    today = await _today(uow, lund)
    both = [LUND_CLINIC, MALMO_CLINIC]
    karin = await _place(uow, lund, OrderDraft(
        SKANE_CATALOGUE, "new_user", {"clinics": both, "main_clinic": LUND_CLINIC, "profession": "audiologist",
                                      "needs_webpriva_read": True},
        today + timedelta(weeks=3), new_person=NewPerson("Karin Ek"),
        note="Börjar som audionom och tjänstgör på båda mottagningarna."))
    await _act(uow, lund, karin, "skat", "complete")
    await _act(uow, lund, karin, "e_card", "await_external", reference="RITZ-2026-0412")
    await _olof_lind(uow, lund, today)
    late = await _place(uow, lund, OrderDraft(
        SKANE_CATALOGUE, "new_user", {"clinics": [LUND_CLINIC], "profession": "audiologist",
                                      "needs_webpriva_read": False},
        today, new_person=NewPerson("Per Holm")))
    await _act(uow, lund, late, "skat", "complete")
    await _eva_berg(uow, lund, today)


async def _olof_lind(uow: UnitOfWork, lund: Actor, today: date) -> None:
    """Set up in full, so that his access register lists his systems; then leaving, part of the way."""
    session = uow.session
    kept = session.info.get("clock")
    # Placed and worked ten weeks ago for a first day eight weeks ago: a date in the past is refused now.
    session.info["clock"] = ManualClock(session_now(session) - timedelta(weeks=10))
    try:
        started = await _place(uow, lund, OrderDraft(
            SKANE_CATALOGUE, "new_user", {"clinics": [LUND_CLINIC], "profession": "prescriber",
                                          "needs_webpriva_read": False},
            today - timedelta(weeks=8), new_person=NewPerson("Olof Lind")))
        await _work_through(uow, lund, started)
    finally:
        session.info["clock"] = kept
    order = await uow.session.get(ItOrder, started)
    assert order is not None  # just placed
    person_id = order.person_id
    assert person_id is not None  # a new user order is for a person
    held = await register.access_register(uow.session, person_id)
    earlier = [placed.answers for _request, placed in await register.orders_of_person(uow.session, person_id)]
    _row, catalogue = await storing.current(uow.session, SKANE_CATALOGUE)
    leaving = await _place(uow, lund, OrderDraft(
        SKANE_CATALOGUE, "end_user", register.prefill(catalogue, "end_user", held, earlier),
        today + timedelta(weeks=1), person_id=person_id, note="Slutar vid månadsskiftet."))
    await _act(uow, lund, leaving, "rsvpn", "complete")
    await _act(uow, lund, leaving, "websesam", "complete")


async def _eva_berg(uow: UnitOfWork, lund: Actor, today: date) -> None:
    """A leaver from before bedboard (an empty register): not applicable is proposed and waits for confirmation."""
    leaving = await _place(uow, lund, OrderDraft(
        SKANE_CATALOGUE, "end_user", {"clinics": [LUND_CLINIC], "profession": "audiologist", "had_auditbase": False,
                                      "had_webpriva_read": False},
        today + timedelta(weeks=2), new_person=NewPerson("Eva Berg"), note="Anställd före bedboard; slutar."))
    await working.act_on_task(uow, actor=lund, request_id=leaving, task_key="rsvpn", action="skip",
                              reason="Hade inget eget RSVPN-konto enligt Ritz")


async def _omsorg_orders(uow: UnitOfWork, omsorg: Actor, subcontractor_id: int) -> None:
    today = await _today(uow, omsorg)
    await _place(uow, omsorg, OrderDraft(
        UPPSALA_CATALOGUE, "organisation_change", {"change_size": "small"}, today + timedelta(weeks=1),
        note="Hemtjänstgrupperna Gottsunda och Valsätra slås samman."))
    start = await _place(uow, omsorg, OrderDraft(UPPSALA_CATALOGUE, "start_or_takeover", START_UP_ANSWERS,
                                                 today + timedelta(weeks=6), note="Ny hemtjänst i Gränby."))
    await _act(uow, omsorg, start, "siebel_structure", "complete")
    await _act(uow, omsorg, start, "siebel_courses", "complete")
    subcontract = await _place(uow, omsorg, OrderDraft(
        UPPSALA_CATALOGUE, "subcontractor", {"assignment": "begins"}, today + timedelta(weeks=4),
        subject_organisation_id=subcontractor_id))
    await _act(uow, omsorg, subcontract, "new_organisation", "await_external", reference="KLK-IT 2231")


async def _place(uow: UnitOfWork, actor: Actor, draft: OrderDraft) -> int:
    return (await place_order(uow, actor=actor, draft=draft)).request_id


async def _act(uow: UnitOfWork, actor: Actor, order_id: int, task_key: str, action: str, *,
               reference: str | None = None) -> None:
    await working.act_on_task(uow, actor=actor, request_id=order_id, task_key=task_key, action=action,
                              external_reference=reference)


async def _work_through(uow: UnitOfWork, actor: Actor, order_id: int) -> None:
    """Every open task done, in the order the checklist offers them (prerequisites first)."""
    while True:
        view = await order_queries.order_view(uow.session, actor, order_id, session_now(uow.session))
        ready = next((line for line in view.lines if "complete" in line.actions), None)
        if ready is None:
            return
        await _act(uow, actor, order_id, ready.task.key, "complete")


async def _today(uow: UnitOfWork, orderer: Actor) -> date:
    """Today where the orderer works: the dates an order is checked against are local (a UTC date is yesterday in
    Stockholm from midnight to one, and an order for "today" was refused then)."""
    assert orderer.organisation_id is not None
    return await contractors.local_today(uow.session, orderer.organisation_id)


async def _actor(session: AsyncSession, username: str, organisation_id: int) -> Actor | None:
    """The demo user, if it exists at the organisation the demo expects (an older one may be elsewhere)."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None or user.organisation_id != organisation_id:
        return None
    return await actor_for(session, user, source="cli", client_address=None)


DEMO = Demo(
    organisations=[DemoOrganisation(*row) for row in orders_organisations()],
    users=[DemoUser(*row) for row in orders_users()],
    after_users=ensure_orders_demo,
)
