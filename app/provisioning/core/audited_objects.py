"""Which audited requests and tasks belong to which organisations, for the history's trees
(``app.kit.plugins.AuditObjects``; read by app/history/scope.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from app.kit.plugins import AuditObjects
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask


def _requests(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(ProvisioningRequest.id, String)).where(ProvisioningRequest.organisation_id.in_(organisation_ids))


def _tasks(organisation_ids: Sequence[int]) -> Select[Any]:
    return (select(cast(ProvisioningTask.id, String))
            .join(ProvisioningRequest, ProvisioningRequest.id == ProvisioningTask.request_id)
            .where(ProvisioningRequest.organisation_id.in_(organisation_ids)))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"provisioning_request": _requests, "provisioning_task": _tasks}
