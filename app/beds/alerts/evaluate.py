"""The rules judged in a transaction's aftermath, on the server, in the process that wrote.

After each commit the unit of work hands its events here (``after_commit``): the sections that changed and the
admission moves say which rules could have changed their mind (``below`` rules of the changed sections' types,
the per-section rules, the admission rules). They are judged first on a plain read (no lock: most changes move
no rule across its edge, and then this is two queries). Only the rules whose edge moved are judged again in a
transaction of their own with their rows locked (``FOR UPDATE``; on SQLite the transaction's write lock) and the
facts read again inside it, so two processes or writers that see the same edge fire it once: the second finds
the rule already moved. Overdue sections have no write to react to: a periodic job (``alerts.overdue``) judges
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import Organisation
from app.beds.alerts import counting
from app.beds.alerts.counting import TypeTotals
from app.beds.alerts.firing import fire
from app.beds.alerts.judging import Facts, Verdict, judge
from app.beds.alerts.models import AlertRule
from app.beds.events import AdmissionChanged, SectionChanged
from app.beds.models import SectionType
from app.kit.clock import Clock
from app.kit.db import UnitOfWork


@dataclass(frozen=True)
class Trigger:
    """What happened: the types and sections that changed (``section_ids`` None: every section, for the sweep),
    the admission moves, and which kinds of rule to judge."""

    type_ids: frozenset[int] = frozenset()
    section_ids: frozenset[int] | None = frozenset()
    moves: Sequence[AdmissionChanged] = ()
    kinds: frozenset[str] = field(default_factory=lambda: frozenset({"below", "admission", "negative", "overdue"}))

    @classmethod
    def of(cls, events: Iterable[object]) -> Trigger | None:
        changed = [event.section for event in events if isinstance(event, SectionChanged)]
        moves = [event for event in events if isinstance(event, AdmissionChanged)]
        if not changed and not moves:
            return None
        return cls(type_ids=frozenset(int(section["section_type_id"]) for section in changed
                                      if section.get("section_type_id") is not None),
                   section_ids=frozenset({int(section["id"]) for section in changed}
                                         | {move.section_id for move in moves if move.section_id is not None}),
                   moves=moves)


def _candidates(trigger: Trigger) -> ColumnElement[bool]:
    kinds = trigger.kinds
    per_section = [kind for kind in ("negative", "overdue") if kind in kinds]
    conditions: list[ColumnElement[bool]] = []
    if "below" in kinds and trigger.type_ids:
        conditions.append((AlertRule.kind == "below") & AlertRule.section_type_id.in_(trigger.type_ids))
    if per_section and (trigger.section_ids is None or trigger.section_ids):
        conditions.append(AlertRule.kind.in_(per_section))
    if "admission" in kinds and trigger.moves:
        conditions.append(AlertRule.kind == "admission")
    return or_(false(), *conditions)


async def facts_for(session: AsyncSession, trigger: Trigger, rules: Sequence[AlertRule], now: datetime, *,
                    named: bool) -> Facts:
    """The facts the rules need, in few queries: each type's totals once, whatever the number of rules."""
    type_ids = {rule.section_type_id for rule in rules if rule.kind == "below" and rule.section_type_id}
    counts = await counting.sections(session, now, section_type_ids=type_ids) if type_ids else []
    totals = {type_id: TypeTotals.of([c for c in counts if c.section_type_id == type_id], now) for type_id in type_ids}
    wanted = trigger.section_ids
    per_section = await counting.sections(session, now, section_ids=wanted) if wanted is None or wanted else []
    facts = Facts(now=now, totals=totals, sections={section.id: section for section in per_section},
                  moves=trigger.moves)
    if not named:
        return facts
    hospital_ids = {h for rule in rules for h in rule.hospital_ids} | {move.hospital_id for move in trigger.moves}
    names = {row[0]: row[1] for row in await session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(hospital_ids)))}
    types = {row[0]: (row[1], row[2]) for row in await session.execute(
        select(SectionType.id, SectionType.name_en, SectionType.name_ro).where(SectionType.id.in_(type_ids)))}
    return Facts(now=now, totals=totals, sections=facts.sections, moves=trigger.moves, hospital_names=names,
                 type_names=types)


async def apply(uow: UnitOfWork, rule: AlertRule, verdict: Verdict) -> int:
    for details in verdict.fire:
        await fire(uow, rule=rule, details=details)
    if verdict.armed is not None:
        rule.armed = verdict.armed
    if verdict.tripped is not None:
        rule.tripped = verdict.tripped
    if verdict.last_seq is not None:
        rule.last_seq = verdict.last_seq
    return len(verdict.fire)


class AlertEvaluator:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], unit_of_work: Callable[[], UnitOfWork],
                 clock: Clock) -> None:
        self._session_factory = session_factory
        self._unit_of_work = unit_of_work
        self._clock = clock

    async def after_commit(self, events: Sequence[object]) -> None:
        trigger = Trigger.of(events)
        if trigger is not None:
            await self.evaluate(trigger)

    async def evaluate(self, trigger: Trigger, unit_of_work: Callable[[], UnitOfWork] | None = None) -> int:
        """How many alerts fired."""
        live = AlertRule.deleted_at.is_(None)
        now = self._clock.now()
        async with self._session_factory() as session, session.begin():
            rules = list(await session.scalars(select(AlertRule).where(live, _candidates(trigger))))
            if not rules:
                return 0
            facts = await facts_for(session, trigger, rules, now, named=False)
            due = sorted(rule.id for rule in rules if judge(rule, facts).changes)
        if not due:
            return 0
        fired = 0
        async with (unit_of_work or self._unit_of_work)() as uow:
            locked = list(await uow.session.scalars(
                select(AlertRule).where(AlertRule.id.in_(due), live).order_by(AlertRule.id).with_for_update()))
            facts = await facts_for(uow.session, trigger, locked, self._clock.now(), named=True)
            for rule in locked:
                fired += await apply(uow, rule, judge(rule, facts))
        return fired
