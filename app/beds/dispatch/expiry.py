"""The announcements' clock, run every minute by the job loop: an announcement nobody at the hospital acknowledged
within ``ack_within`` alerts its coordinator (once), and one nobody closed by its ETA plus ``after_eta`` expires,
releasing its bed hold; a hold whose own expiry came first (the setting was shortened) is released alone.

Each is audited by ``<system>`` (``dispatch.unacknowledged``, ``dispatch.expired``, ``dispatch.hold_expired``) and
told live like a person's step. Tests move the clock instead of sleeping (tests/beds/dispatch/).
"""

from __future__ import annotations

from sqlalchemy import select

from app.beds.alerts.events import AlertNotice
from app.beds.dispatch import announcements
from app.beds.dispatch.audience import announcement_audience, coordinator_audience
from app.beds.dispatch.limits import DispatchLimits
from app.beds.dispatch.models import OPEN_STATES, Announcement, BedHold
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now


async def alert_unacknowledged(uow: UnitOfWork, *, limits: DispatchLimits) -> int:
    session = uow.session
    now = session_now(session)
    due = list(await session.scalars(
        select(Announcement).where(Announcement.state == "announced", Announcement.unacknowledged_alert_at.is_(None),
                                   Announcement.created_at <= now - limits.ack_within)
        .order_by(Announcement.id).with_for_update()))
    for row in due:
        row.unacknowledged_alert_at = now
        event = await audit.record(session, actor=Actor.system(), action="dispatch.unacknowledged",
                                   object_type="announcement", object_id=row.id,
                                   after={"minutes": int(limits.ack_within.total_seconds() // 60)})
        await session.flush()
        frame = {"type": "announcement_unacknowledged", "seq": event.seq,
                 "announcement": await announcements.as_json(session, row)}
        uow.emit(AlertNotice(seq=event.seq, audience=coordinator_audience(row.created_by_user_id,
                                                                          row.organisation_id), frame=frame))
    return len(due)


async def expire_due(uow: UnitOfWork, *, limits: DispatchLimits) -> tuple[int, int]:
    """How many announcements expired, and how many holds ended before their announcement."""
    session = uow.session
    now = session_now(session)
    due = list(await session.scalars(
        select(Announcement).where(Announcement.state.in_(OPEN_STATES), Announcement.eta_at <= now - limits.after_eta)
        .order_by(Announcement.id).with_for_update()))
    system = Actor.system()
    for row in due:
        await announcements.end(uow, actor=system, row=row, state="expired", action="dispatch.expired")
    early = list(await session.scalars(select(BedHold).where(BedHold.released_at.is_(None), BedHold.expires_at <= now)
                                       .order_by(BedHold.id).with_for_update()))
    for hold in early:
        hold.released_at, hold.released_how = now, "expired"
        event = await audit.record(session, actor=system, action="dispatch.hold_expired", object_type="announcement",
                                   object_id=hold.announcement_id, after={"expires_at": hold.expires_at.isoformat()})
        row = await session.get_one(Announcement, hold.announcement_id)
        await session.flush()
        uow.emit(AlertNotice(seq=event.seq, audience=announcement_audience(row.hospital_id, row.organisation_id),
                             frame={"type": "announcement", "seq": event.seq,
                                    "announcement": await announcements.as_json(session, row)}))
    return len(due), len(early)
