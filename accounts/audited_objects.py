"""Which audited users and organisations belong to which organisations, for the history's trees
(``app.kit.plugins.AuditObjects``; read by app/history/scope.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from accounts.models import Organisation, User
from app.kit.plugins import AuditObjects


def _users(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(User.id, String)).where(User.organisation_id.in_(organisation_ids))


def _organisations(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(Organisation.id, String)).where(Organisation.id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"user": _users, "organisation": _organisations}
