"""Which audited order catalogues and people belong to which organisations, for the history's trees
(``app.kit.plugins.AuditObjects``; read by app/history/scope.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, select

from app.kit.plugins import AuditObjects
from app.provisioning.orders.models import OrderCatalogue, OrderPerson


def _catalogues(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(OrderCatalogue.key).where(OrderCatalogue.organisation_id.in_(organisation_ids))


def _people(organisation_ids: Sequence[int]) -> Select[Any]:
    return select(cast(OrderPerson.id, String)).where(OrderPerson.organisation_id.in_(organisation_ids))


AUDITED_OBJECTS: Mapping[str, AuditObjects] = {"order_catalogue": _catalogues, "order_person": _people}
