"""Licences of the electronic health record, the collaborators a request asks them for, and the pool."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime

ACTIVE = "active"
DEACTIVATED = "deactivated"


class License(Base):
    """One person's licence in one commune or establishment. A RUN holds at most one active licence."""

    __tablename__ = "licenses"
    __table_args__ = (
        Index("uq_licenses_active_run", "run", unique=True,
              sqlite_where=text("state = 'active'"), postgresql_where=text("state = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    run: Mapped[str] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("provisioning_requests.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Reported by the health record's usage feed; a licence never used counts from its (re)activation.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the referent was warned of the coming deactivation; cleared by use or reactivation.
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "unused" (the automatic sweep: the seat is reclaimed), "left" (the professional left), "officer".
    deactivation_reason: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Collaborator(Base):
    """One row of a licence request: the person a licence is asked for, as the referent typed them."""

    __tablename__ = "license_request_collaborators"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(200))
    run: Mapped[str] = mapped_column(String(12), index=True)
    gender: Mapped[str] = mapped_column(String(10))
    license_id: Mapped[int | None] = mapped_column(ForeignKey("licenses.id"))


class LicenseSubject(Base):
    """What a request about an existing licence (reactivation, deactivation, help-desk ticket) is about."""

    __tablename__ = "license_request_subjects"

    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)


class LicensePool(Base):
    """How many licences a health service has bought; active licences under it take seats."""

    __tablename__ = "license_pools"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
