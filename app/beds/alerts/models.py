"""Alert rules (per user, or for a whole authority) and the alerts they fired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.db import Base, UTCDateTime

RULE_KINDS = ("below", "admission", "negative", "overdue")
SCOPES = ("user", "authority")
MAX_THRESHOLD = 9999
MAX_HYSTERESIS = 100
DEFAULT_HYSTERESIS = 1
# An alert names its rule's hospitals, and travels as one pg_notify payload (at most 8,000 bytes): 50 names fit.
MAX_RULE_HOSPITALS = 50


class AlertRule(Base):
    """One condition to watch. ``scope`` says whose it is: a coordinator's own (``owner_user_id``) or the whole
    authority's (``organisation_id``, set by one of its administrators); both carry the authority.

    Edge state, so that a rule fires when its condition starts to hold and not while it goes on holding:
    ``armed`` for ``below`` (cleared when it fires, set again when the count is back at threshold + hysteresis),
    ``tripped`` for the per-section kinds (the sections now negative or overdue that were already told),
    ``last_seq`` for ``admission`` (the audit sequence of the last move it has judged).
    """

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('below', 'admission', 'negative', 'overdue')", name="kind_known"),
        CheckConstraint("scope IN ('user', 'authority')", name="scope_known"),
        CheckConstraint("scope = 'authority' OR owner_user_id IS NOT NULL", name="user_rule_has_owner"),
        Index("ix_alert_rules_live_kind", "kind", "section_type_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    section_type_id: Mapped[int | None] = mapped_column(ForeignKey("section_types.id"))
    # Hospital (organisation) ids; empty means every hospital on the board.
    hospital_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    threshold: Mapped[int | None] = mapped_column(Integer)
    hysteresis: Mapped[int] = mapped_column(Integer, default=DEFAULT_HYSTERESIS, server_default="1")
    email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    armed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    tripped: Mapped[list[int]] = mapped_column(JSON, default=list)
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Alert(Base):
    """A rule's condition started to hold. Open until someone of its audience acknowledges it; ``fired_seq`` and
    ``acknowledged_seq`` are the audit sequence numbers of both moments, the positions a resuming board asks from."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "organisation_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(12))
    # Only what the board already shows (names, counts, the public reason): never a note.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_seq: Mapped[int] = mapped_column(Integer, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_seq: Mapped[int | None] = mapped_column(Integer, index=True)


class AlertRulesRevision(Base):
    """One row, counting every change to the rules (added, deleted, an edge moved): a process keeps the rules it
    read and reads them again only when this number moved, so a change that alerts nobody reads one row here
    instead of a thousand rules (bench/alerts.py)."""

    __tablename__ = "alert_rules_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@dataclass(frozen=True)
class RuleView:
    """A rule as the judging reads it: a plain value, kept between changes (``AlertEvaluator``)."""

    id: int
    kind: str
    section_type_id: int | None
    hospital_ids: tuple[int, ...]
    threshold: int | None
    hysteresis: int
    armed: bool
    tripped: tuple[int, ...]
    last_seq: int

    @classmethod
    def of(cls, rule: AlertRule) -> RuleView:
        return cls(id=rule.id, kind=rule.kind, section_type_id=rule.section_type_id,
                   hospital_ids=tuple(rule.hospital_ids), threshold=rule.threshold, hysteresis=rule.hysteresis,
                   armed=rule.armed, tripped=tuple(rule.tripped), last_seq=rule.last_seq)
