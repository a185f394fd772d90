"""Hospitals, sections and their free-bed counts; API tokens of hospital systems; idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime

MIN_FREE_BEDS = -999
MAX_FREE_BEDS = 9999
MAX_TOTAL_BEDS = 9999
# A section type's required update interval, in hours: the seed's rule is 24 (a number older than that is
# flagged); an installation may ask more often (8 for intensive care) or, at most, weekly.
DEFAULT_UPDATE_INTERVAL_HOURS = 24
MIN_UPDATE_INTERVAL_HOURS = 1
MAX_UPDATE_INTERVAL_HOURS = 168
# Admission status (issue 21): open, limited (takes only some patients: the reason says which) or closed to
# ambulances. A status other than open always has an expiry: 4 hours unless the setter says otherwise, at most 24,
# so that a closure nobody remembers cannot outlive a shift. Back to open by itself at expiry.
ADMISSION_STATUSES = ("open", "limited", "closed")
DEFAULT_ADMISSION_HOURS = 4
MAX_ADMISSION_HOURS = 24
MAX_ADMISSION_REASON_LENGTH = 200
MAX_ADMISSION_NOTE_LENGTH = 500
_ADMISSION_CHECK = "admission_status IN ('open', 'limited', 'closed')"
# A hospital's location (issue 22, the map and "Nearest free bed"): WGS 84 degrees, both or neither.
_LOCATION_CHECK = ("(latitude IS NULL AND longitude IS NULL) OR "
                   "(latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)")


class AdmissionColumns:
    """A hospital's or a section's current admission status, on its own row: the board reads it with the section
    in one query, and a write locks the row it versions. Past statuses live in ``admission_periods``."""

    admission_status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    admission_reason_code: Mapped[str | None] = mapped_column(String(40))
    admission_reason: Mapped[str | None] = mapped_column(String(MAX_ADMISSION_REASON_LENGTH))
    admission_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    admission_set_by: Mapped[str | None] = mapped_column(String(120))
    admission_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    admission_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # When the setter was reminded that the status is about to expire (15 minutes before), so it is told once.
    admission_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HospitalType(Base):
    __tablename__ = "hospital_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb", the board's legend colour


class Hospital(AdmissionColumns, Base):
    """The bed-board facts of a hospital organisation (its name and code live in ``organisations``)."""

    __tablename__ = "hospitals"
    __table_args__ = (CheckConstraint(_ADMISSION_CHECK, name="admission_status_known"),
                      CheckConstraint(_LOCATION_CHECK, name="location_range"))

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    hospital_type_id: Mapped[int] = mapped_column(ForeignKey("hospital_types.id"), index=True)
    short_code: Mapped[str] = mapped_column(String(20), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optional (the nomenclature's file may give them): a hospital without them is left off the map and listed
    # last, unplaced, by "Nearest free bed".
    latitude: Mapped[float | None] = mapped_column(Float())
    longitude: Mapped[float | None] = mapped_column(Float())


class SectionType(Base):
    __tablename__ = "section_types"
    __table_args__ = (
        CheckConstraint(f"update_interval_hours BETWEEN {MIN_UPDATE_INTERVAL_HOURS} AND {MAX_UPDATE_INTERVAL_HOURS}",
                        name="update_interval_hours_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120))
    # Past this many hours without a change or a confirmation, a section of this type is overdue.
    update_interval_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_UPDATE_INTERVAL_HOURS,
                                                       server_default=str(DEFAULT_UPDATE_INTERVAL_HOURS))


class Section(AdmissionColumns, Base):
    __tablename__ = "sections"
    __table_args__ = (
        UniqueConstraint("hospital_id", "code"),
        CheckConstraint(_ADMISSION_CHECK, name="admission_status_known"),
        CheckConstraint(f"free_beds BETWEEN {MIN_FREE_BEDS} AND {MAX_FREE_BEDS}", name="free_beds_range"),
        CheckConstraint(f"total_beds BETWEEN 0 AND {MAX_TOTAL_BEDS}", name="total_beds_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.organisation_id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    section_type_id: Mapped[int] = mapped_column(ForeignKey("section_types.id"), index=True)
    # The section's key in the approved list (nomenclature), unique within its hospital.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    total_beds: Mapped[int] = mapped_column(Integer)
    free_beds: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AdmissionReason(Base):
    """The nomenclature's list of reasons for limiting or closing admission ("CT out of order", "ICU full").

    A reason with ``needs_text`` ("other") asks the setter to say more in words. A retired reason is no longer
    offered but still names the statuses that used it.
    """

    __tablename__ = "admission_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120))
    needs_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AdmissionPeriod(Base):
    """A stretch during which a hospital (``section_id`` None) or a section was limited or closed.

    Written with the status, in the same transaction: the closures report (hours closed per month, by reason) and
    the bands on the history and chart read these rows instead of re-deriving them from the audit log. The open
    period of a target has no ``ended_at``.
    """

    __tablename__ = "admission_periods"
    __table_args__ = (
        Index("ix_admission_periods_hospital_started", "hospital_id", "started_at"),
        CheckConstraint("status IN ('limited', 'closed')", name="status_not_open"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.organisation_id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(MAX_ADMISSION_REASON_LENGTH))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(120))
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(120))
    # "reopened" (set open by a person), "expired" (back to open at its expiry), "replaced" (another status set).
    ended_how: Mapped[str | None] = mapped_column(String(10))


class AdmissionNote(Base):
    """A coordinator's request to clarify a status, or anyone's answer to one: a note on an admission period.

    Seen by the hospital's people and its owning authority's, and by the writer's own organisation: another
    authority's coordinators see the status the board shows, not the conversation about it.
    """

    __tablename__ = "admission_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("admission_periods.id"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    author_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(String(MAX_ADMISSION_NOTE_LENGTH))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdempotencyKey(Base):
    """The first answer to a write sent with an Idempotency-Key; a repeat gets it back, writing nothing."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
