"""Alert rules: who may keep which, what a rule must say, and the audited writes that add and delete them.

A coordinator keeps rules of their own (their alerts reach only their boards); an authority's administrator keeps
rules for the whole authority (every coordinator and administrator of it is told, and one acknowledgement serves
all). A new rule starts from the present: a condition that already holds when the rule is made is not an edge, so
it does not fire until it has stopped holding (app/beds/alerts/judging.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from app.beds.alerts import revision
from app.beds.alerts.evaluate import Trigger, facts_for
from app.beds.alerts.judging import judge
from app.beds.alerts.models import (
    MAX_HYSTERESIS,
    MAX_RULE_HOSPITALS,
    MAX_THRESHOLD,
    RULE_KINDS,
    AlertRule,
    RuleView,
)
from app.beds.models import Hospital, SectionType
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _


class NoSuchRule(NotFound):
    pass


@dataclass(frozen=True)
class RuleDraft:
    kind: str
    section_type_id: int | None = None
    hospital_ids: tuple[int, ...] = ()
    threshold: int | None = None
    hysteresis: int = 1
    email: bool = False


def _invalid(message: str, field: str, **params: object) -> ValidationFailed:
    return ValidationFailed(message, details={"field": field}, **params)


def scope_of(actor: Actor) -> str:
    """'authority' for an authority's administrator, 'user' for a coordinator; anyone else may keep none."""
    if not permissions.may(actor, permissions.ALERTS_MANAGE) or actor.organisation_id is None:
        raise PermissionDenied(_("Your role may not keep alert rules."))
    return "authority" if actor.has_role("admin") else "user"


async def _check(session: AsyncSession, draft: RuleDraft) -> None:
    if draft.kind not in RULE_KINDS:
        raise _invalid(_("The kind must be one of: below, admission, negative, overdue."), "kind")
    if draft.kind == "below" and draft.section_type_id is None:
        raise _invalid(_("Choose the section type whose free beds to watch."), "section_type_id")
    if draft.section_type_id is not None and await session.get(SectionType, draft.section_type_id) is None:
        raise _invalid(_("There is no such section type."), "section_type_id")
    if draft.kind == "below" and (draft.threshold is None or not 1 <= draft.threshold <= MAX_THRESHOLD):
        raise _invalid(_("The threshold must be a whole number from 1 to {max}."), "threshold", max=MAX_THRESHOLD)
    if not 0 <= draft.hysteresis <= MAX_HYSTERESIS:
        raise _invalid(_("The hysteresis must be a whole number from 0 to {max}."), "hysteresis", max=MAX_HYSTERESIS)
    if len(draft.hospital_ids) > MAX_RULE_HOSPITALS:
        raise _invalid(_("A rule may name at most {max} hospitals; name none for all."), "hospital_ids",
                       max=MAX_RULE_HOSPITALS)
    known = set(await session.scalars(select(Hospital.organisation_id).where(
        Hospital.organisation_id.in_(draft.hospital_ids), Hospital.retired_at.is_(None))))
    if unknown := sorted(set(draft.hospital_ids) - known):
        raise _invalid(_("There is no hospital {id} on the board."), "hospital_ids", id=unknown[0])


def rule_json(rule: AlertRule) -> dict[str, Any]:
    return {"id": rule.id, "scope": rule.scope, "kind": rule.kind, "section_type_id": rule.section_type_id,
            "hospital_ids": list(rule.hospital_ids), "threshold": rule.threshold, "hysteresis": rule.hysteresis,
            "email": rule.email, "armed": rule.armed, "created_at": rule.created_at.isoformat(),
            "created_by": rule.created_by}


async def create_rule(uow: UnitOfWork, *, actor: Actor, draft: RuleDraft) -> AlertRule:
    scope = scope_of(actor)
    session = uow.session
    await _check(session, draft)
    assert actor.organisation_id is not None
    rule = AlertRule(scope=scope, owner_user_id=actor.user_id, organisation_id=actor.organisation_id,
                     kind=draft.kind, section_type_id=draft.section_type_id,
                     hospital_ids=sorted(set(draft.hospital_ids)),
                     threshold=draft.threshold if draft.kind == "below" else None, hysteresis=draft.hysteresis,
                     email=draft.email, armed=True, tripped=[], last_seq=(await audit.head(session)).seq,
                     created_at=session_now(session), created_by=actor.username)
    # Start from the present: what holds now is not an edge (it is on the board already).
    trigger = Trigger(type_ids=frozenset({draft.section_type_id} if draft.section_type_id else ()), section_ids=None)
    view = RuleView.of(rule)
    present = judge(view, await facts_for(session, trigger, [view], session_now(session), named=False))
    rule.armed = present.armed if present.armed is not None else rule.armed
    rule.tripped = present.tripped or []
    session.add(rule)
    await session.flush()
    await revision.bump(session)
    await audit.record(session, actor=actor, action="alerts.rule_created", object_type="alert_rule",
                       object_id=rule.id, after=rule_json(rule))
    return rule


def _visible(actor: Actor) -> Any:
    return or_(AlertRule.owner_user_id == actor.user_id,
               (AlertRule.scope == "authority") & (AlertRule.organisation_id == actor.organisation_id))


async def rules_of(session: AsyncSession, *, actor: Actor) -> list[AlertRule]:
    """Their own rules and their authority's, newest first."""
    scope_of(actor)
    return list(await session.scalars(select(AlertRule).where(AlertRule.deleted_at.is_(None), _visible(actor))
                                      .order_by(AlertRule.id.desc())))


def may_delete(actor: Actor, rule: AlertRule) -> bool:
    if rule.scope == "authority":
        return actor.has_role("admin") and rule.organisation_id == actor.organisation_id
    return rule.owner_user_id == actor.user_id


async def delete_rule(uow: UnitOfWork, *, actor: Actor, rule_id: int) -> AlertRule:
    """Kept with its alerts (they name it), marked deleted. Another's rule that the actor cannot see is 'no such
    rule'; their authority's rule that only its administrators may delete is refused (403)."""
    scope_of(actor)
    session = uow.session
    rule = await session.scalar(select(AlertRule).where(AlertRule.id == rule_id, AlertRule.deleted_at.is_(None),
                                                        _visible(actor)).with_for_update())
    if rule is None:
        raise NoSuchRule(_("No such alert rule."))
    if not may_delete(actor, rule):
        raise PermissionDenied(_("Only the authority's administrators may delete the authority's rules."))
    rule.deleted_at = session_now(session)
    await revision.bump(session)
    await audit.record(session, actor=actor, action="alerts.rule_deleted", object_type="alert_rule",
                       object_id=rule.id, before=rule_json(rule))
    return rule
