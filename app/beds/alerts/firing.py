"""The two writes an alert goes through: it fires (a rule's condition started to hold) and someone acknowledges it.

Each is audited (``alerts.fired``, ``alerts.acknowledged``) and announced to the boards of its audience with the
audit sequence number, so that a board resuming with ``since`` is sent what it missed (app/beds/alerts/notices.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import User
from app.beds.alerts.audience import alert_audience, viewer_audience
from app.beds.alerts.events import AlertNotice
from app.beds.alerts.models import Alert, AlertRule
from app.beds.alerts.wording import describe
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import DomainError, PermissionDenied
from app.kit.i18n import _
from app.notifications import outbox
from app.notifications.notify import users_with_role


class NoSuchAlert(DomainError):
    code = "not_found"
    status = 404


def alert_json(alert: Alert) -> dict[str, Any]:
    return {"id": alert.id, "rule_id": alert.rule_id, "kind": alert.kind,
            "scope": "user" if alert.owner_user_id is not None else "authority", "details": alert.details,
            "fired_at": alert.fired_at.isoformat(), "seq": alert.fired_seq,
            "acknowledged_at": None if alert.acknowledged_at is None else alert.acknowledged_at.isoformat(),
            "acknowledged_by": alert.acknowledged_by}


async def fire(uow: UnitOfWork, *, rule: AlertRule, details: dict[str, Any]) -> Alert:
    session = uow.session
    now = session_now(session)
    alert = Alert(rule_id=rule.id, owner_user_id=rule.owner_user_id if rule.scope == "user" else None,
                  organisation_id=rule.organisation_id, kind=rule.kind, details=details, fired_at=now, fired_seq=0)
    session.add(alert)
    await session.flush()
    event = await audit.record(session, actor=Actor.system(), action="alerts.fired", object_type="alert",
                               object_id=alert.id, after={"rule_id": rule.id, "kind": rule.kind, "details": details})
    alert.fired_seq = event.seq
    await session.flush()
    uow.emit(AlertNotice(seq=event.seq, audience=alert_audience(alert.owner_user_id, alert.organisation_id),
                         frame={"type": "alert", "seq": event.seq, "alert": alert_json(alert)}))
    if rule.email:
        await _mail(session, rule, alert)
    return alert


async def _recipients(session: AsyncSession, rule: AlertRule) -> list[User]:
    if rule.scope == "user":
        owner = await session.get(User, rule.owner_user_id)
        return [owner] if owner is not None and owner.is_active else []
    return [user for user in await users_with_role(session, "coordinator", [rule.organisation_id]) if user.is_active]


async def _mail(session: AsyncSession, rule: AlertRule, alert: Alert) -> None:
    """Through the outbox, in each reader's language: sent only if the alert's transaction commits."""
    for user in await _recipients(session, rule):
        if not user.email:
            continue
        language = user.language or "en"
        text = describe(alert.kind, alert.details, language)
        await outbox.enqueue(session, recipient=user.email, recipient_user_id=user.id,
                             subject=f"bedboard: {text}", body=text + "\n")


async def acknowledge(uow: UnitOfWork, *, actor: Actor, alert_id: int) -> Alert:
    """Anyone of the alert's audience acknowledges it, once; a second acknowledgement changes nothing. Another
    authority's alert is "no such alert": its existence is not theirs to learn."""
    if not permissions.may(actor, permissions.ALERTS_MANAGE):
        raise PermissionDenied(_("Your role may not acknowledge alerts."))
    session = uow.session
    alert = await session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update())
    if alert is None or alert_audience(alert.owner_user_id, alert.organisation_id).isdisjoint(viewer_audience(actor)):
        raise NoSuchAlert(_("No such alert."))
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at = session_now(session)
    alert.acknowledged_by = actor.display_name or actor.username
    event = await audit.record(session, actor=actor, action="alerts.acknowledged", object_type="alert",
                               object_id=alert.id, before={"acknowledged_at": None},
                               after={"acknowledged_at": alert.acknowledged_at.isoformat(),
                                      "acknowledged_by": alert.acknowledged_by})
    alert.acknowledged_seq = event.seq
    await session.flush()
    uow.emit(AlertNotice(seq=event.seq, audience=alert_audience(alert.owner_user_id, alert.organisation_id),
                         frame={"type": "alert_acknowledged", "seq": event.seq, "alert_id": alert.id,
                                "acknowledged_at": alert.acknowledged_at.isoformat(),
                                "acknowledged_by": alert.acknowledged_by}))
    return alert
