"""Bed holds: one bed of a section type kept for an announced patient, never more than there are free beds.

A hold never changes the operator's count (the count stays the hospital's truth); the board and Find a bed
subtract the live holds from what they show as available. The cap is race-free: the hospital's row is locked
``FOR UPDATE`` before the free beds and the live holds are counted, so two coordinators holding the last bed at
once are served one after the other and the second is refused (on SQLite every write transaction is already
serialised by ``BEGIN IMMEDIATE``, app/kit/db.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import Announcement, BedHold
from app.beds.models import Hospital, Section
from app.kit.actors import Actor
from app.kit.errors import Conflict
from app.kit.i18n import _


class NoBedToHold(Conflict):
    code = "no_bed_to_hold"


class HoldLimitReached(Conflict):
    code = "hold_limit_reached"


async def free_beds_of(session: AsyncSession, hospital_id: int, section_type_id: int) -> int:
    """The positive free beds of the hospital's sections of the type still in service (a negative count of one
    section does not eat another's beds)."""
    positive = case((Section.free_beds > 0, Section.free_beds), else_=0)
    found = await session.scalar(select(func.coalesce(func.sum(positive), 0)).where(
        Section.hospital_id == hospital_id, Section.section_type_id == section_type_id, Section.retired_at.is_(None)))
    return int(found or 0)


async def live_holds(session: AsyncSession, hospital_id: int, section_type_id: int) -> int:
    found = await session.scalar(select(func.count()).select_from(BedHold).where(
        BedHold.hospital_id == hospital_id, BedHold.section_type_id == section_type_id,
        BedHold.released_at.is_(None)))
    return int(found or 0)


async def holds_of(session: AsyncSession, actor: Actor) -> int:
    """A coordinator's live holds; a dispatch system's (a token, no user) are its authority's systems' together."""
    query = select(func.count()).select_from(BedHold).where(BedHold.released_at.is_(None))
    if actor.user_id is not None:
        query = query.where(BedHold.holder_user_id == actor.user_id)
    else:
        query = query.join(Announcement, Announcement.id == BedHold.announcement_id).where(
            BedHold.holder_user_id.is_(None), Announcement.organisation_id == actor.organisation_id)
    return int(await session.scalar(query) or 0)


async def make_room(session: AsyncSession, *, actor: Actor, hospital_id: int, section_type_id: int,
                    limits: DispatchLimits) -> None:
    """Lock the hospital's row and check that a bed is left to hold, before anything of the announcement is
    written: 409 when every free bed is already held or the coordinator holds as many as they may.

    The lock comes first because inserting the announcement takes a key-share lock on the same row (its foreign
    key): two transactions each holding that and then asking ``FOR UPDATE`` deadlock on PostgreSQL (measured: 50
    attempts at once did, before this order)."""
    await session.execute(select(Hospital.organisation_id).where(Hospital.organisation_id == hospital_id)
                          .with_for_update())
    if await holds_of(session, actor) >= limits.holds_per_coordinator:
        raise HoldLimitReached(_("You already hold {count} beds, as many as one coordinator may: release one (mark "
                                 "its patient arrived, or cancel it) first."), count=limits.holds_per_coordinator)
    free = await free_beds_of(session, hospital_id, section_type_id)
    held = await live_holds(session, hospital_id, section_type_id)
    if held >= free:
        raise NoBedToHold(_("No bed left to hold: {free} free, {held} already held. Announce without holding a "
                            "bed, or choose another hospital."), free=free, held=held,
                          details={"field": "hold"})


async def place(session: AsyncSession, *, actor: Actor, announcement: Announcement, limits: DispatchLimits,
                now: datetime) -> BedHold:
    """Hold one bed for the announcement (after ``make_room``, in the same transaction), until the ETA plus
    ``limits.after_eta``."""
    hold = BedHold(announcement_id=announcement.id, hospital_id=announcement.hospital_id,
                   section_type_id=announcement.section_type_id, holder_user_id=actor.user_id, created_at=now,
                   expires_at=announcement.eta_at + limits.after_eta)
    session.add(hold)
    await session.flush()
    return hold


async def live_hold_of(session: AsyncSession, announcement_id: int) -> BedHold | None:
    return await session.scalar(select(BedHold).where(BedHold.announcement_id == announcement_id,
                                                      BedHold.released_at.is_(None)).with_for_update())


async def release(session: AsyncSession, *, announcement_id: int, how: str, now: datetime) -> BedHold | None:
    """End the announcement's live hold, if it has one (``how``: arrived, cancelled, expired)."""
    hold = await live_hold_of(session, announcement_id)
    if hold is not None:
        hold.released_at, hold.released_how = now, how
        await session.flush()
    return hold
