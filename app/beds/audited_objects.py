"""Which audited sections belong to which organisations (their hospitals), for the history's trees
(``app.kit.plugins.AuditObjects``; read by app/history/scope.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from app.beds.models import Section
from app.kit.plugins import AuditObjects


def _sections(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(Section.id, String)).where(Section.hospital_id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"section": _sections}
