"""Tables shared by every provisioning module: requests, their tasks, calendars and closure days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime


class ProvisioningRequest(Base):
    """One request of any module (a licence batch, a help-desk ticket, a role change, an IT order).

    The state machine lives in ``workflow.py``; a module keeps its own details in its own tables that point
    here.
    """

    __tablename__ = "provisioning_requests"
    __table_args__ = (Index("ix_provisioning_requests_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(30))
    # The last rejection (or cancellation) reason, shown to the requester until they resubmit.
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Receipt: set at each submission (a resubmission is a new receipt, with a new due time).
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while the request waits for its requester: the business time between this and the answer is
    # added to ``due_at`` (the clock pauses).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the deadline was met: the handler's first decision (accept, reject) or the end of the work.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once by the deadline sweep, so that the handlers are told once that it is late.
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProvisioningTask(Base):
    """One step of a request in one target system, done by a role, after its prerequisites."""

    __tablename__ = "provisioning_tasks"
    __table_args__ = (UniqueConstraint("request_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    target_system: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    assignee_role: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(30))
    external_reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(120))


class TaskDependency(Base):
    __tablename__ = "provisioning_task_dependencies"

    task_id: Mapped[int] = mapped_column(ForeignKey("provisioning_tasks.id"), primary_key=True)
    prerequisite_id: Mapped[int] = mapped_column(ForeignKey("provisioning_tasks.id"), primary_key=True)


class OrganisationCalendar(Base):
    """Where an organisation works: its country (and region) for public holidays.

    Organisations without a row use their nearest ancestor's, so a health service's calendar covers its
    communes and establishments. The days are counted in the organisation's time zone, which is the
    organisation's own (``organisations.timezone``, inherited down the tree: accounts/zones.py), not the calendar's.
    """

    __tablename__ = "provisioning_calendars"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(10))


class ClosureDay(Base):
    """A local day off (a municipal holiday, an office move) on top of the country's holidays."""

    __tablename__ = "provisioning_closure_days"
    __table_args__ = (UniqueConstraint("organisation_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
