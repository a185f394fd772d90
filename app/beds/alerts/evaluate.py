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

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.beds.alerts import counting, revision
from app.beds.alerts.firing import fire
from app.beds.alerts.judging import Facts, Verdict, judge
from app.beds.alerts.models import AlertRule, RuleView
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


async def facts_for(session: AsyncSession, trigger: Trigger, rules: Sequence[RuleView], now: datetime, *,
                    named: bool) -> Facts:
    """The facts the rules need, in few queries: each type's totals once, whatever the number of rules."""
    type_ids = {rule.section_type_id for rule in rules if rule.kind == "below" and rule.section_type_id}
    totals = await counting.totals(session, now, type_ids) if type_ids else {}
    wanted = trigger.section_ids
    per_section = [] if wanted is not None and not wanted else await counting.sections(session, now,
                                                                                       section_ids=wanted)
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
    if verdict.changes:
        await revision.bump(uow.session)
    return len(verdict.fire)


def _concerned(rule: RuleView, trigger: Trigger) -> bool:
    if rule.kind not in trigger.kinds:
        return False
    if rule.kind == "below":
        return rule.section_type_id in trigger.type_ids
    if rule.kind == "admission":
        return bool(trigger.moves)
    return trigger.section_ids is None or bool(trigger.section_ids)


class AlertEvaluator:
    """Keeps the live rules between changes (read again only when ``alert_rules_revision`` moved: a rule added,
    deleted or an edge crossed, here or in another process), so that a change that alerts nobody costs one row
    of revision, its type's totals and the judging in memory (bench/alerts.py has the figures)."""

    def __init__(self, session_factory: Callable[[], AsyncSession], unit_of_work: Callable[[], UnitOfWork],
                 clock: Clock) -> None:
        """``session_factory``: the sessions of the plain read. The app's gives ``db.statement_session``: after every
        committed write, that read costs one round trip to PostgreSQL instead of three (BEGIN, ROLLBACK)."""
        self._session_factory = session_factory
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._revision: int | None = None
        self._rules: list[RuleView] = []

    async def after_commit(self, events: Sequence[object]) -> None:
        """Awaited by the unit of work after its commit (after the board's own listener: the boards have the change
        first). Inline, not in a task of its own: a change that alerts nobody costs a few milliseconds here
        (bench/alerts.py), and no evaluation outlives the app or its tests. A failure is the unit of work's to log:
        the write stands, and the next change of the same sections judges the rules again."""
        trigger = Trigger.of(events)
        if trigger is not None:
            await self.evaluate(trigger)

    async def _live_rules(self, session: AsyncSession) -> list[RuleView]:
        seen = await revision.current(session)
        if seen != self._revision:
            found = await session.scalars(select(AlertRule).where(AlertRule.deleted_at.is_(None)))
            self._rules, self._revision = [RuleView.of(rule) for rule in found], seen
        return self._rules

    async def evaluate(self, trigger: Trigger) -> int:
        """How many alerts fired."""
        now = self._clock.now()
        # A read: it ends with a rollback, not a commit (the writes that triggered it committed as one group, and a
        # read that commits would look like a second transaction of theirs: test_group_commit counts commits).
        async with self._session_factory() as session:
            rules = [rule for rule in await self._live_rules(session) if _concerned(rule, trigger)]
            if not rules:
                return 0
            facts = await facts_for(session, trigger, rules, now, named=False)
            due = sorted(rule.id for rule in rules if judge(rule, facts).changes)
        if not due:
            return 0
        fired = 0
        async with self._unit_of_work() as uow:
            locked = list(await uow.session.scalars(
                select(AlertRule).where(AlertRule.id.in_(due), AlertRule.deleted_at.is_(None))
                .order_by(AlertRule.id).with_for_update()))
            views = [RuleView.of(rule) for rule in locked]
            facts = await facts_for(uow.session, trigger, views, self._clock.now(), named=True)
            for rule, view in zip(locked, views, strict=True):
                fired += await apply(uow, rule, judge(view, facts))
        return fired
