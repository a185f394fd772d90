"""The demo's numbers have their history: the live board, the board as it was and the 7-day chart agree on them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.beds.board_filter import BoardFilter
from app.beds.models import Hospital
from app.beds.section_queries import section_query, views_of
from app.demo import DemoLogin
from app.history.evolution import free_beds_series
from app.history.past_board import board_at
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices


async def test_the_past_board_and_the_chart_show_the_demo_numbers(services: AppServices, clock: ManualClock,
                                                                  demo_loaded: list[DemoLogin]) -> None:
    now, hour_ago = clock.now(), clock.now() - timedelta(hours=1)
    async with services.session_factory() as session:
        live = {view.id: view.as_json() for view in await views_of(session, section_query())}
        past_now = {item.view.id: item.view.as_json() for item in await board_at(session, now, BoardFilter())}
        past = {item.view.id: item.view for item in await board_at(session, hour_ago, BoardFilter())}
        logged: dict[int, int] = {}
        for event in await session.scalars(select(AuditEvent).where(
                AuditEvent.action == "beds.free_beds_set", AuditEvent.at <= hour_ago).order_by(AuditEvent.seq)):
            logged[int(str(event.object_id))] = int((event.after or {})["free_beds"])
        hospital_ids = list(await session.scalars(select(Hospital.organisation_id)))
        series = [await free_beds_series(session, [id_ for id_, view in live.items()
                                                    if view["hospital_id"] == hospital], now - timedelta(days=7), now)
                  for hospital in hospital_ids]
    # The board as it was now is the live board; an hour ago, every section had been reported, with the number
    # its last logged change set (no "never reported" beside a live board that shows an older change).
    assert past_now == live
    assert len(past) == len(live) == 349
    assert all(view.updated_at is not None for view in past.values())
    assert {id_: view.free_beds for id_, view in past.items()} == logged
    reported_earlier = [id_ for id_, section in live.items() if section["updated_at"] <= hour_ago.isoformat()]
    assert reported_earlier
    assert all(past[id_].free_beds == live[id_]["free_beds"] for id_ in reported_earlier)
    # The 7-day chart has data: each hospital's line moves, and is not one grey stretch from end to end.
    for line in series:
        assert len(line.points) > 3
        assert sum((gap.end - gap.start for gap in line.gaps), timedelta()) < timedelta(days=7)
