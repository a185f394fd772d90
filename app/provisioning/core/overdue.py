"""Late requests: each handler is told once when a request passes its due time, and gets a daily digest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from accounts.models import User
from app.jobs.models import JobRun
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.i18n import _, _n
from app.notifications.notify import notify, organisation_ids_under, users_with_role
from app.provisioning.core import workflow
from app.provisioning.core.deadlines import is_overdue, lineage
from app.provisioning.core.kinds import kind_of
from app.provisioning.core.models import ProvisioningRequest

DIGEST_JOB = "provisioning.overdue_digest"
DIGEST_LINK = "/notifications"


@dataclass(frozen=True)
class OverdueReport:
    newly_overdue: int
    digests: int


async def overdue_requests(uow: UnitOfWork) -> list[ProvisioningRequest]:
    session = uow.session
    now = session_now(session)
    candidates = select(ProvisioningRequest).where(
        ProvisioningRequest.due_at < now, ProvisioningRequest.answered_at.is_(None),
        ProvisioningRequest.state.in_(workflow.OPEN_STATES)).order_by(ProvisioningRequest.due_at)
    return [request for request in (await session.execute(candidates)).scalars() if is_overdue(request, now)]


async def sweep_overdue(uow: UnitOfWork, *, actor: Actor, zone: ZoneInfo) -> OverdueReport:
    session = uow.session
    now = session_now(session)
    late = await overdue_requests(uow)
    per_handler: dict[int, list[int]] = defaultdict(list)
    newly = 0
    for request in late:
        handlers = await _handlers(uow, request)
        if request.overdue_notified_at is None:
            request.overdue_notified_at = now
            await audit.record(session, actor=actor, action="provisioning.request.overdue",
                               object_type="provisioning_request", object_id=request.id,
                               after={"due_at": _iso(request.due_at)})
            # The due instant itself: each reader sees it in their own language and organisation's zone.
            await notify(session, recipients=handlers, message=_("Request #{number} is overdue (it was due {due})."),
                         params={"number": request.id, "due": request.due_at},
                         link=kind_of(request.kind).detail_path.format(number=request.id))
            newly += 1
        for handler in handlers:
            per_handler[handler.id].append(request.id)
    digests = await _daily_digest(uow, per_handler, now, zone, handlers_by_id=await _users(uow, per_handler))
    return OverdueReport(newly, digests)


async def _daily_digest(uow: UnitOfWork, per_handler: dict[int, list[int]], now: datetime, zone: ZoneInfo,
                        *, handlers_by_id: dict[int, User]) -> int:
    """Once per local day: each handler gets one notice listing every request still late."""
    session = uow.session
    today = now.astimezone(zone).date().isoformat()
    bookmark = await session.get(JobRun, DIGEST_JOB, with_for_update=True)
    if bookmark is None:
        bookmark = JobRun(name=DIGEST_JOB)
        session.add(bookmark)
    if bookmark.marker == today:
        return 0
    bookmark.marker = today
    sent = 0
    for user_id, request_ids in per_handler.items():
        user = handlers_by_id.get(user_id)
        numbers = ", ".join(f"#{number}" for number in sorted(request_ids))
        await notify(session, recipients=[user] if user is not None else [],
                     message=_n("Daily digest: {count} request is overdue: {numbers}.",
                                "Daily digest: {count} requests are overdue: {numbers}.", len(request_ids)),
                     params={"numbers": numbers}, link=DIGEST_LINK)
        sent += 1
    return sent


async def _handlers(uow: UnitOfWork, request: ProvisioningRequest) -> list[User]:
    """The handling role's users anywhere in the request's organisation tree (its root's descendants), or in its
    own organisation only when the kind says so."""
    kind = kind_of(request.kind)
    if not kind.handlers_anywhere_in_tree:
        return await users_with_role(uow.session, kind.handler_role, [request.organisation_id])
    chain = await lineage(uow.session, request.organisation_id)
    root = chain[-1].id if chain else request.organisation_id
    return await users_with_role(uow.session, kind.handler_role, await organisation_ids_under(uow.session, root))


async def _users(uow: UnitOfWork, per_handler: dict[int, list[int]]) -> dict[int, User]:
    rows = (await uow.session.execute(select(User).where(User.id.in_(list(per_handler))))).scalars()
    return {user.id: user for user in rows}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()

