"""Each section type's required update interval: listed and set by an authority administrator, audited.

The interval is part of the nomenclature (a column of ``section_types``, 24 hours by default, the seed's rule);
an installation asks intensive care more often, e.g. every 8 hours. ``staleness.is_stale`` reads it for every
screen. A change is announced to open boards as a new state of each section of the type, so a wall screen
marks the sections overdue (or no longer overdue) without a reload.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.beds.events import SectionChanged
from app.beds.models import MAX_UPDATE_INTERVAL_HOURS, MIN_UPDATE_INTERVAL_HOURS, Section, SectionType
from app.beds.nomenclature.service import may_import
from app.beds.section_queries import section_query, views_of
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _

OUT_OF_RANGE = _("The update interval is a whole number of hours from {min} to {max}.")
ACTION = "beds.section_type_interval_set"


@dataclass(frozen=True)
class TypeInterval:
    id: int
    code: str
    name_en: str
    name_ro: str
    hours: int


def _check(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionDenied(_("Only an authority administrator may change the nomenclature."))


def parse_hours(text: str) -> int:
    """The typed number of hours, 1 to 168 (a week: a section unreported for longer is simply stale)."""
    stripped = text.strip()
    hours = int(stripped) if stripped.isdigit() and len(stripped) <= 4 else None
    if hours is None or not MIN_UPDATE_INTERVAL_HOURS <= hours <= MAX_UPDATE_INTERVAL_HOURS:
        raise ValidationFailed(OUT_OF_RANGE, details={"field": "hours"},
                               min=MIN_UPDATE_INTERVAL_HOURS, max=MAX_UPDATE_INTERVAL_HOURS)
    return hours


async def type_intervals(uow: UnitOfWork, *, actor: Actor) -> list[TypeInterval]:
    _check(actor)
    rows = await uow.session.scalars(select(SectionType).order_by(SectionType.name_en))
    return [TypeInterval(row.id, row.code, row.name_en, row.name_ro, row.update_interval_hours) for row in rows]


async def set_interval(uow: UnitOfWork, *, actor: Actor, section_type_id: int, hours: int) -> bool:
    """Sets one type's interval; returns whether anything changed (the same value again writes nothing)."""
    _check(actor)
    if not MIN_UPDATE_INTERVAL_HOURS <= hours <= MAX_UPDATE_INTERVAL_HOURS:
        raise ValidationFailed(OUT_OF_RANGE, details={"field": "hours"},
                               min=MIN_UPDATE_INTERVAL_HOURS, max=MAX_UPDATE_INTERVAL_HOURS)
    row = await uow.session.get(SectionType, section_type_id, with_for_update=True)
    if row is None:
        raise NotFound(_("There is no such section type."))
    if row.update_interval_hours == hours:
        return False
    before = row.update_interval_hours
    row.update_interval_hours = hours
    event = await audit.record(uow.session, actor=actor, action=ACTION, object_type="section_type",
                               object_id=row.id, before={"code": row.code, "update_interval_hours": before},
                               after={"code": row.code, "update_interval_hours": hours})
    query = section_query().where(Section.section_type_id == row.id, Section.retired_at.is_(None))
    for view in await views_of(uow.session, query.execution_options(populate_existing=True)):
        uow.emit(SectionChanged(seq=event.seq, kind="nomenclature", section=view.as_json()))
    return True
