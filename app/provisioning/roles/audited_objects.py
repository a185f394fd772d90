"""Which audited employees and role catalogues belong to which organisations (units, care areas), for the
history's trees (``app.kit.plugins.AuditObjects``; read by app/history/scope.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from app.kit.plugins import AuditObjects
from app.provisioning.roles.models import Employee, RoleCatalogue


def _employees(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(Employee.id, String)).where(Employee.unit_id.in_(organisation_ids))


def _catalogues(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(RoleCatalogue.id, String)).where(RoleCatalogue.care_area_id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"employee": _employees, "role_catalogue": _catalogues}
