"""Units with their HSA-id, employees, employee assignments, competence roles held, role catalogues with
their versions, and the details of catalogue change requests (seed 001)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime


class RoleUnit(Base):
    """A care unit (vårdenhet): an organisation of kind "unit" with its HSA-id and its manager."""

    __tablename__ = "role_units"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    hsa_id: Mapped[str] = mapped_column(String(31), unique=True)
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Normalised as YYYYMMDD-NNNN; either this or the HSA person id identifies the person.
    personal_number: Mapped[str | None] = mapped_column(String(13), unique=True)
    hsa_person_id: Mapped[str | None] = mapped_column(String(31), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Set when the nearest manager is not the unit's manager.
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The employee's own bedboard account, if any: it lets them see their login tickets.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EmployeeAssignment(Base):
    """A medarbetaruppdrag: the employee may work in these units of one care area, in these systems."""

    __tablename__ = "employee_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    care_area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    systems: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "requested" until IT support has created it, then "active"; "ended" when withdrawn.
    state: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("provisioning_requests.id"))
    # Once ended in bedboard: the request asking IT support to end it in HSA too (done when they have).
    end_request_id: Mapped[int | None] = mapped_column(ForeignKey("provisioning_requests.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssignmentUnit(Base):
    __tablename__ = "employee_assignment_units"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("employee_assignments.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)


class RoleCatalogue(Base):
    """A care area's role catalogue. The shared primary-care catalogue is approved by the head of
    operations of another care area (digital care): ``approver_care_area_id``."""

    __tablename__ = "role_catalogues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    care_area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    approver_care_area_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    current_version: Mapped[int] = mapped_column(Integer, default=0)


class CatalogueVersion(Base):
    """One whole state of a catalogue: every change makes a new one, so any two can be compared."""

    __tablename__ = "role_catalogue_versions"
    __table_args__ = (UniqueConstraint("catalogue_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("role_catalogues.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    # [{"specialty": ..., "profession": ..., "capability": ..., "units": [hsa ids]}], sorted by role key.
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class HeldRole(Base):
    """A competence role an employee holds; removal keeps the row (who removed it, when)."""

    __tablename__ = "competence_roles_held"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("role_catalogues.id"))
    role_key: Mapped[str] = mapped_column(String(400))
    assigned_by: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(120))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CatalogueChange(Base):
    """What a catalogue change request proposes, and the version it became once applied."""

    __tablename__ = "role_catalogue_changes"

    request_id: Mapped[int] = mapped_column(ForeignKey("provisioning_requests.id"), primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("role_catalogues.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # [{"op": "add_role"|"remove_role"|"relink_role"|"add_unit", ...}] (see roles/changing.py).
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    applied_version: Mapped[int | None] = mapped_column(Integer)
