"""Which audited licences belong to which organisations (their communes and establishments), for the history's
trees (``app.kit.plugins.AuditObjects``; read by app/history/scope.py): a licence's RUN and name are read only
in its health service's tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from app.kit.plugins import AuditObjects
from app.provisioning.licenses.models import License


def _licences(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(License.id, String)).where(License.organisation_id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"license": _licences}
