"""Whether a rule's condition starts or stops holding, with the facts of one moment: no reads, no writes.

Edge-triggered with hysteresis. A ``below N`` rule (hysteresis h) fires when the counted free beds go under N and
is re-armed only when they are back at N + h or more: with N = 2 and h = 1, the last-but-one ICU bed going (2 -> 1)
fires once; 1 -> 0 -> 1 -> 2 -> 1 fires nothing more (2 is still under 3); 1 -> 3 re-arms, and 3 -> 1 fires again.
So a count flapping between two neighbouring values fires at most once. The per-section kinds fire once per
section when it becomes negative (or overdue) and forget it when it is back, so its next time fires again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.beds.alerts.counting import SectionCount, TypeTotals, in_scope
from app.beds.alerts.models import RuleView
from app.beds.events import AdmissionChanged


@dataclass(frozen=True)
class Facts:
    """What the rules are judged against at one moment."""

    now: datetime
    totals: dict[int, TypeTotals] = field(default_factory=dict)  # by section type
    sections: dict[int, SectionCount] = field(default_factory=dict)  # the sections that changed (or all, overdue)
    moves: Sequence[AdmissionChanged] = ()
    hospital_names: dict[int, str] = field(default_factory=dict)
    type_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # (en, ro)


@dataclass
class Verdict:
    """What to do to one rule: alerts to fire (their details), and its new edge state."""

    fire: list[dict[str, Any]] = field(default_factory=list)
    armed: bool | None = None
    tripped: list[int] | None = None
    last_seq: int | None = None

    @property
    def changes(self) -> bool:
        return bool(self.fire) or self.armed is not None or self.tripped is not None or self.last_seq is not None


def _section_details(section: SectionCount) -> dict[str, Any]:
    return {"section_id": section.id, "section_name": section.name, "hospital_id": section.hospital_id,
            "hospital_name": section.hospital_name, "free_beds": section.free_beds}


def _below(rule: RuleView, facts: Facts) -> Verdict:
    totals = facts.totals.get(rule.section_type_id or 0)
    if totals is None or rule.threshold is None:
        return Verdict()
    total = totals.total(rule.hospital_ids)
    if rule.armed and total < rule.threshold:
        names = facts.type_names.get(rule.section_type_id or 0, ("", ""))
        return Verdict(fire=[{"section_type_id": rule.section_type_id, "section_type_name_en": names[0],
                              "section_type_name_ro": names[1], "free_beds": total, "threshold": rule.threshold,
                              "hospital_ids": list(rule.hospital_ids),
                              "hospital_names": [facts.hospital_names.get(h, str(h)) for h in rule.hospital_ids]}],
                       armed=False)
    if not rule.armed and total >= rule.threshold + rule.hysteresis:
        return Verdict(armed=True)
    return Verdict()


def _per_section(rule: RuleView, facts: Facts) -> Verdict:
    """Each of ``facts.sections`` in the rule's scope: negative (or overdue) now, and not yet told."""
    tripped = set(rule.tripped)
    verdict = Verdict()
    for section in facts.sections.values():
        if not in_scope(rule.hospital_ids, section.hospital_id):
            continue
        if rule.section_type_id is not None and section.section_type_id != rule.section_type_id:
            continue
        condition = section.free_beds < 0 if rule.kind == "negative" else section.overdue(facts.now)
        if condition and section.id not in tripped:
            tripped.add(section.id)
            verdict.fire.append(_section_details(section))
        elif not condition and section.id in tripped:
            tripped.discard(section.id)
    if tripped != set(rule.tripped):
        verdict.tripped = sorted(tripped)
    return verdict


def _admission(rule: RuleView, facts: Facts) -> Verdict:
    verdict = Verdict()
    for move in facts.moves:
        if move.seq <= rule.last_seq or not in_scope(rule.hospital_ids, move.hospital_id):
            continue
        verdict.last_seq = max(verdict.last_seq or 0, move.seq)
        if "closed" not in (move.before, move.after) or move.before == move.after:
            continue  # open <-> limited is neither a closure nor a reopening
        section = facts.sections.get(move.section_id or 0)
        verdict.fire.append({"hospital_id": move.hospital_id,
                             "hospital_name": facts.hospital_names.get(move.hospital_id, str(move.hospital_id)),
                             "section_id": move.section_id, "section_name": section.name if section else None,
                             "before": move.before, "after": move.after, "reason_code": move.reason_code,
                             "reason": move.reason, "expired": move.expired})
    return verdict


def judge(rule: RuleView, facts: Facts) -> Verdict:
    if rule.kind == "below":
        return _below(rule, facts)
    if rule.kind == "admission":
        return _admission(rule, facts)
    return _per_section(rule, facts)
