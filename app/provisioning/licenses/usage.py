"""Use of licences: the health record reports it, and a licence unused for a month is deactivated.

Seed 000: "every licence without use within a month is deactivated automatically, to be assigned to new
staff". The referent is warned a week before, the deactivation is audited, and the seat goes back to
the pool (a pool counts active licences only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.i18n import _
from app.provisioning.licenses.deciding import deactivate
from app.provisioning.licenses.models import ACTIVE, License
from app.provisioning.licenses.notices import tell_referents

WARNING_AHEAD = timedelta(days=7)
DEACTIVATED_NOTICE = _(
    "Licence #{license} of {name} was deactivated: unused for a month. Ask the officer to reactivate it if needed.")
LICENSES_LINK = "/licenses"


def month_after(moment: datetime) -> datetime:
    """The same day and time one calendar month later (the 31st becomes the month's last day)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def idle_since(licence: License) -> datetime:
    """The last use, or the (re)activation if it has not been used since."""
    used = licence.last_used_at
    return licence.activated_at if used is None or used < licence.activated_at else used


@dataclass(frozen=True)
class SweepReport:
    warned: int
    deactivated: int


async def sweep_unused(uow: UnitOfWork, *, actor: Actor) -> SweepReport:
    """Warns a week ahead, then deactivates. Safe to run twice at once: each licence is locked and
    re-checked, so a second sweep finds nothing left to do."""
    session = uow.session
    now = session_now(session)
    statement = select(License).where(License.state == ACTIVE).order_by(License.id).with_for_update()
    warned = deactivated = 0
    for licence in (await session.execute(statement)).scalars():
        deadline = month_after(idle_since(licence))
        if deadline <= now:
            await deactivate(session, actor=actor, licence=licence, reason="unused")
            await tell_referents(session, licence.organisation_id,
                                 DEACTIVATED_NOTICE, LICENSES_LINK,
                                 license=licence.id, name=licence.full_name)
            deactivated += 1
        elif deadline - WARNING_AHEAD <= now and licence.warned_at is None:
            licence.warned_at = now
            await audit.record(session, actor=actor, action="licenses.deactivation_warned", object_type="license",
                               object_id=licence.id, after={"deactivation_at": deadline.isoformat()})
            await tell_referents(session, licence.organisation_id,
                                 _("Licence #{license} of {name} is unused and will be deactivated on {date}."),
                                 LICENSES_LINK, license=licence.id, name=licence.full_name,
                                 date=deadline)  # a moment: each referent reads it in their own zone
            warned += 1
    return SweepReport(warned, deactivated)


@dataclass(frozen=True)
class UsageReport:
    updated: int
    unknown_runs: tuple[str, ...]
    unchanged: int


async def record_usage(uow: UnitOfWork, *, actor: Actor, uses: Sequence[tuple[str, datetime]],
                       organisation_ids: frozenset[int] | None = None) -> UsageReport:
    """Applies a batch of (RUN, last use) from the health record; older reports never move a use back.

    ``organisation_ids`` limits the batch to one health service's licences (a token reports for its own).
    One audit event for the batch: a daily feed of thousands of uses would otherwise drown the log.
    """
    session = uow.session
    latest: dict[str, datetime] = {}
    for run, used_at in uses:
        latest[run] = max(used_at, latest.get(run, used_at))
    statement = select(License).where(License.run.in_(list(latest)), License.state == ACTIVE).with_for_update()
    if organisation_ids is not None:
        statement = statement.where(License.organisation_id.in_(organisation_ids))
    found = {licence.run: licence for licence in (await session.execute(statement)).scalars()}
    updated = unchanged = 0
    now = session_now(session)
    for run, used_at in latest.items():
        licence = found.get(run)
        if licence is None:
            continue
        used_at = min(used_at, now)  # a clock ahead of ours must not postpone the deactivation
        if licence.last_used_at is not None and licence.last_used_at >= used_at:
            unchanged += 1
            continue
        licence.last_used_at = used_at
        licence.warned_at = None  # used again: a new idle month starts, with a new warning
        updated += 1
    unknown = tuple(sorted(run for run in latest if run not in found))
    await audit.record(session, actor=actor, action="licenses.usage_recorded", object_type="license_usage",
                       after={"reported": len(latest), "updated": updated, "unchanged": unchanged,
                              "unknown_runs": list(unknown[:50])})
    return UsageReport(updated, unknown, unchanged)
