"""Late requests: marked overdue, the handlers told once, and a digest once a day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from accounts.models import User
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core.deadlines import is_overdue
from app.provisioning.core.overdue import sweep_overdue
from app.provisioning.licenses import requesting
from tests.provisioning.licence_world import actor_of, make_licence_world

SANTIAGO = ZoneInfo("America/Santiago")
FRIDAY = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)  # 09:00 in Santiago; due Tuesday 09:00


async def _sweep(services: AppServices) -> tuple[int, int]:
    async with services.unit_of_work() as uow:
        report = await sweep_overdue(uow, actor=Actor.system(), zone=SANTIAGO)
    return report.newly_overdue, report.digests


async def _officer_notices(services: AppServices) -> list[tuple[str, dict[str, object]]]:
    async with services.session_factory() as session:
        rows = await session.execute(select(Notification.message, Notification.params)
                                     .join(User, User.id == Notification.user_id)
                                     .where(User.username == "officer").order_by(Notification.id))
        return [(message, dict(params)) for message, params in rows.all()]


async def test_overdue_once_and_a_daily_digest(services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = FRIDAY
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.commune_a,
                                              entries=[(1, "Alba Plaza Santelices", "12345678-5", "F")])
    assert request.due_at == datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    clock._now = datetime(2026, 11, 10, 11, 59, tzinfo=UTC)
    assert not is_overdue(request, clock.now())
    assert await _sweep(services) == (0, 0)  # the day's digest has nobody to tell: nothing is late yet
    clock.advance(minutes=2)
    assert is_overdue(request, clock.now())
    assert await _sweep(services) == (1, 0)  # told now; today's digest was already sent
    assert await _sweep(services) == (0, 0)
    clock.advance(days=1)
    assert await _sweep(services) == (0, 1)
    notices = await _officer_notices(services)
    assert [message for message, _params in notices] == [
        "Licence request #{number} was submitted and waits for you.",
        "Request #{number} is overdue (it was due {due}).",
        "Daily digest: {count} request is overdue: {numbers}.",
    ]
    # The due instant itself, shown to each reader in their zone; the digest keeps its plural and number.
    assert notices[1][1] == {"number": request.id, "due": "2026-11-10T12:00:00+00:00", "_moments": "due"}
    assert notices[2][1] == {"numbers": f"#{request.id}", "_plural": "Daily digest: {count} requests are overdue: "
                             "{numbers}.", "_n": 1}
