"""Refusals flood the audit chain no more: repeats of one actor, action and reason within a minute are one event
with a count, and the count is what the auditor reads."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.refusal_ledger import REFUSED, REPEATED
from app.kit.state import AppServices
from tests.factories import make_user
from tests.web import BrowserFactory, log_in

SCANS = 500


async def _events(services: AppServices) -> list[AuditEvent]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action.in_((REFUSED, REPEATED)))
                                          .order_by(AuditEvent.seq)))


def _refusals_counted(events: list[AuditEvent]) -> int:
    """What an auditor adds up: one per first refusal, plus the count of each repeated-refusals event."""
    return sum(1 if event.action == REFUSED else int((event.after or {})["count"]) for event in events)


async def _scan(client: httpx.AsyncClient, paths: list[str]) -> None:
    for start in range(0, len(paths), 50):
        answers = await asyncio.gather(*(client.get(path) for path in paths[start:start + 50]))
        assert {answer.status_code for answer in answers} == {403}


async def test_five_hundred_refusals_in_a_minute_are_two_events_with_the_count(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "coord")
    assert (await log_in(client, "coord")).status_code == 303
    await _scan(client, [f"/admin/users/{number}" for number in range(1, SCANS + 1)])
    within_the_minute = await _events(services)
    assert [event.action for event in within_the_minute] == [REFUSED]
    # The scan is sent 50 at a time, so which path reached the ledger first is the scheduler's choice.
    assert within_the_minute[0].object_id in {f"/admin/users/{number}" for number in range(1, SCANS + 1)}
    clock.advance(minutes=1)
    await _scan(client, ["/admin/users/1"])
    events = await _events(services)
    assert [event.action for event in events] == [REFUSED, REPEATED, REFUSED]
    repeated = events[1]
    assert (repeated.actor, repeated.object_id) == ("coord", "/admin/users/{user_id}")
    assert repeated.after is not None
    assert (repeated.after["count"], repeated.after["method"], repeated.after["needs"]) == (SCANS - 1, "GET",
                                                                                             "users.manage")
    assert len(repeated.after["paths"]) == 10  # a sample of what was tried
    assert all(path.startswith("/admin/users/") for path in repeated.after["paths"])
    assert _refusals_counted(events) == SCANS + 1


async def test_a_closed_minute_is_written_without_a_further_refusal(
    client: httpx.AsyncClient, services: AppServices, clock: ManualClock
) -> None:
    await make_user(services, "coord")
    await log_in(client, "coord")
    await _scan(client, ["/admin/users"] * 30)
    assert await services.refusals.flush(services.unit_of_work, clock.now()) == 0  # the minute is still open
    clock.advance(seconds=61)
    assert await services.refusals.flush(services.unit_of_work, clock.now()) == 1
    assert _refusals_counted(await _events(services)) == 30


async def test_other_actions_and_other_actors_are_separate_events(
    client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory, clock: ManualClock
) -> None:
    await make_user(services, "coord")
    await make_user(services, "coord.two")
    await log_in(client, "coord")
    await _scan(client, ["/admin/users"] * 3 + ["/admin/api-tokens"] * 3)
    async with new_client() as other:
        await log_in(other, "coord.two")
        await _scan(other, ["/admin/users"] * 3)
    # Sent at once, the two paths of one user reach the ledger in either order.
    firsts = sorted((event.actor, event.object_id) for event in await _events(services))
    assert firsts == [("coord", "/admin/api-tokens"), ("coord", "/admin/users"), ("coord.two", "/admin/users")]
    clock.advance(minutes=1)
    await services.refusals.flush(services.unit_of_work, clock.now())
    events = await _events(services)
    assert sorted((event.actor, event.after["count"]) for event in events if event.action == REPEATED
                  and event.after is not None) == [("coord", 2), ("coord", 2), ("coord.two", 2)]
    assert _refusals_counted(events) == 9
