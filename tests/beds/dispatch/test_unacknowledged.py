"""An announcement nobody at the hospital acknowledges within the configured time alerts the coordinator who made
it, once, with the clock moved (not slept); an acknowledged one never does. The alert is audited and sent to that
coordinator's boards as an ``announcement_unacknowledged`` notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from app.beds.alerts.events import AlertNotice
from app.beds.dispatch import expiry
from app.beds.dispatch.limits import DispatchLimits
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, audit_count
from tests.beds.dispatch.helpers import announce, patient, step, type_id
from tests.beds.test_api_setup import actor_of
from tests.web import BrowserFactory


async def test_an_unacknowledged_announcement_alerts_its_coordinator_after_the_set_time(
        services: AppServices, new_client: BrowserFactory, clock: ManualClock) -> None:
    world, people = await alert_world(services, new_client)
    surgery = await type_id(services, "surgery")
    waiting = (await announce(people, "coord", patient(world.hospital_a, surgery))).json()
    seen = (await announce(people, "coord2", patient(world.hospital_a, surgery))).json()
    assert (await step(people, "op.a", seen["id"], "acknowledge")).status_code == 200
    limits = DispatchLimits(ack_within=timedelta(minutes=3))
    clock.advance(minutes=2, seconds=59)
    async with services.unit_of_work() as uow:
        assert await expiry.alert_unacknowledged(uow, limits=limits) == 0
    clock.advance(seconds=1)
    notices: list[AlertNotice] = []

    async def keep(events: Sequence[object]) -> None:
        notices.extend(event for event in events if isinstance(event, AlertNotice))

    services.after_commit.append(keep)  # what the live channel is handed after the commit
    async with services.unit_of_work() as uow:
        assert await expiry.alert_unacknowledged(uow, limits=limits) == 1
    assert len(notices) == 1
    assert notices[0].frame["type"] == "announcement_unacknowledged"
    assert notices[0].frame["announcement"]["id"] == waiting["id"]
    assert notices[0].audience == {f"user:{(await actor_of(services, 'coord')).user_id}"}
    clock.advance(minutes=5)
    async with services.unit_of_work() as uow:
        assert await expiry.alert_unacknowledged(uow, limits=limits) == 0  # once
    assert await audit_count(services, "dispatch.unacknowledged") == 1
    await people.close()

