"""The IT-order tables (seeds 002, 004): catalogues with their stored versions, the people orders are for, and
each order's catalogue version, event and answers.

An order's checklist is not stored: it is generated again from the stored catalogue version and the answers,
which never change, so the tasks' states (in ``provisioning_tasks``) are the only thing that moves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime


class OrderCatalogue(Base):
    """A catalogue an organisation (a region, a municipality) keeps; its IT contacts, and those of the
    organisations under it, order from its current version."""

    __tablename__ = "order_catalogues"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer)


class OrderCatalogueVersion(Base):
    """One uploaded file, kept whole: an order names the version it was generated from."""

    __tablename__ = "order_catalogue_versions"
    __table_args__ = (UniqueConstraint("catalogue_key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_key: Mapped[str] = mapped_column(ForeignKey("order_catalogues.key"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OrderPerson(Base):
    """Someone a person order is for (a new audiologist, a leaver), kept by the organisation that orders."""

    __tablename__ = "order_people"
    __table_args__ = (UniqueConstraint("organisation_id", "hsa_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # The HSA person id once the directory record exists; optional because a new user has none yet.
    hsa_id: Mapped[str | None] = mapped_column(String(31))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItOrder(Base):
    """The details of a provisioning request of kind ``orders.it_order``."""

    __tablename__ = "it_orders"

    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), primary_key=True)
    catalogue_key: Mapped[str] = mapped_column(ForeignKey("order_catalogues.key"), index=True)
    catalogue_version: Mapped[int] = mapped_column(Integer)
    event_key: Mapped[str] = mapped_column(String(60))
    # A person order names the person; an organisation order names the organisation it is about (for a
    # subcontractor: the subcontractor, while the request's organisation is the main contractor that orders).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("order_people.id"), index=True)
    subject_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The day the change takes effect (first day at work, last day, the takeover): the tasks are due before it.
    planned_date: Mapped[date] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    # A handover (seed 004): the organisation taking over, which reads the order and works its own party's tasks.
    receiving_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)


class OrderGroupMember(Base):
    """A member of a fulfilling group (issue 23 item 4) that an organisation keeps: the group is the catalogue's
    (``groups`` in the YAML, by key), the organisation the one keeping that catalogue (a region, a municipality)."""

    __tablename__ = "order_group_members"
    __table_args__ = (UniqueConstraint("organisation_id", "group_key", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    group_key: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OrderTaskHolder(Base):
    """Who of a fulfilling group has taken an order's task; the row stays after the task is done (who did it)."""

    __tablename__ = "order_task_holders"

    task_id: Mapped[int] = mapped_column(ForeignKey("provisioning_tasks.id"), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ContractorChange(Base):
    """A care provider's main contractor changed from a date (seed 004: every move of responsibility is an
    organisation change): applied to the organisation tree on its effective day, kept as the record."""

    __tablename__ = "order_contractor_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    from_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OrderTaskWaiver(Base):
    """A removal task of a person order proposed as not applicable, and the administrator's decision on it.

    Issue 23 item 1: "not applicable" on the RSVPN cancellation with the reason "x" let a leaver keep VPN. Such a
    task now stays open until an IT-order administrator of the catalogue's organisation (a second person) confirms
    the reason; refused or withdrawn proposals are kept, so the history says who proposed what and who decided.
    """

    __tablename__ = "order_task_waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("provisioning_tasks.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # pending, confirmed, refused, or withdrawn (the task was done after all)
    state: Mapped[str] = mapped_column(String(20), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
