"""Announcements of incoming patients, the nomenclature's list of their categories, and bed holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime

URGENCIES = ("immediate", "urgent", "normal")
AGE_BANDS = ("0-1", "1-17", "18-64", "65+")
FLAGS = ("ventilated", "cpr", "infectious", "pregnant", "bariatric")
# announced -> acknowledged -> arrived; announced or acknowledged -> cancelled (by the coordinator) or expired
# (nobody said it arrived by the hold's end, or by ETA + the hold time when it holds nothing).
STATES = ("announced", "acknowledged", "arrived", "cancelled", "expired")
OPEN_STATES = ("announced", "acknowledged")
MIN_ETA_MINUTES = 1
MAX_ETA_MINUTES = 600
MAX_NOTE_LENGTH = 280
MAX_REASON_LENGTH = 200
HOLD_ENDINGS = ("arrived", "cancelled", "expired")


class AnnouncementCategory(Base):
    """A patient category a coordinator picks (trauma, stroke, STEMI ...): kept in the nomenclature, seeded by
    migration 0020; a retired one is no longer offered but still names the announcements that used it."""

    __tablename__ = "announcement_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Announcement(Base):
    """A patient on the way to a hospital's section type. No name and no personal number, ever: the note is
    scanned for them before it is stored (app/beds/dispatch/personal_data.py).

    ``organisation_id`` is the announcing coordinator's authority (whose coordinators see and cancel it);
    ``announced_seq`` and ``acknowledged_seq`` are the audit sequence numbers of both moments."""

    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint("state IN ('announced', 'acknowledged', 'arrived', 'cancelled', 'expired')",
                        name="state_known"),
        CheckConstraint("urgency IN ('immediate', 'urgent', 'normal')", name="urgency_known"),
        CheckConstraint(f"eta_minutes BETWEEN {MIN_ETA_MINUTES} AND {MAX_ETA_MINUTES}", name="eta_range"),
        Index("ix_announcements_hospital_state", "hospital_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.organisation_id"))
    section_type_id: Mapped[int] = mapped_column(ForeignKey("section_types.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category_code: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(10))
    age_band: Mapped[str] = mapped_column(String(8))
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    eta_minutes: Mapped[int] = mapped_column(Integer)
    eta_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(MAX_NOTE_LENGTH))
    state: Mapped[str] = mapped_column(String(12), default="announced")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    announced_seq: Mapped[int] = mapped_column(Integer, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_seq: Mapped[int | None] = mapped_column(Integer)
    # When the coordinator was told that nobody at the hospital acknowledged it in time (once).
    unacknowledged_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(120))
    cancel_reason: Mapped[str | None] = mapped_column(String(MAX_REASON_LENGTH))


class BedHold(Base):
    """One bed of a section type at a hospital kept for an announced patient until ``expires_at``. It never
    changes the operator's count: the board shows "12 free · 1 held", and Find a bed counts it as taken.
    A hold ends (``released_at``, ``released_how``) on arrival, cancellation or expiry; past ones stay for the
    history (who held what, how long)."""

    __tablename__ = "bed_holds"
    __table_args__ = (
        CheckConstraint("released_how IS NULL OR released_how IN ('arrived', 'cancelled', 'expired')",
                        name="released_how_known"),
        Index("ix_bed_holds_live", "hospital_id", "section_type_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.organisation_id"))
    section_type_id: Mapped[int] = mapped_column(ForeignKey("section_types.id"))
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_how: Mapped[str | None] = mapped_column(String(10))
