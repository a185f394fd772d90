"""Hospitals, sections and their free-bed counts; API tokens of hospital systems; idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
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


class HospitalType(Base):
    __tablename__ = "hospital_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb", the board's legend colour


class Hospital(Base):
    """The bed-board facts of a hospital organisation (its name and code live in ``organisations``)."""

    __tablename__ = "hospitals"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    hospital_type_id: Mapped[int] = mapped_column(ForeignKey("hospital_types.id"), index=True)
    short_code: Mapped[str] = mapped_column(String(20), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (
        UniqueConstraint("hospital_id", "code"),
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
