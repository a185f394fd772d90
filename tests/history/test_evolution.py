"""The chart's series for a known history, and the board as it was against the live board of the time."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.beds import service
from app.beds.board_filter import BoardFilter
from app.beds.models import Section
from app.beds.section_queries import section_query, views_of
from app.history.chart_svg import draw
from app.history.evolution import Gap, Point, free_beds_series
from app.history.past_board import board_at
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.factories import make_user
from tests.history.bulk import Change, insert_changes
from tests.web import log_in

T0 = datetime(2026, 3, 10, tzinfo=UTC)


def operator(hospital_id: int) -> Actor:
    return Actor(username="op.one", source="web", user_id=900, organisation_id=hospital_id,
                 organisation_code="NORD", organisation_kind="hospital", roles=frozenset({"operator"}))


async def test_the_series_of_a_section_and_of_its_hospital(services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD")
    first = await make_section(services, hospital, "Chirurgie", free_beds=0)
    second = await make_section(services, hospital, "ATI", free_beds=0)
    await insert_changes(services, [
        Change(T0, first, hospital, 4), Change(T0 + timedelta(hours=1), second, hospital, 2),
        Change(T0 + timedelta(hours=2), first, hospital, -3), Change(T0 + timedelta(hours=40), first, hospital, 1),
    ])
    since, until = T0 + timedelta(minutes=30), T0 + timedelta(hours=48)
    async with services.session_factory() as session:
        alone = await free_beds_series(session, [first], since, until)
        summed = await free_beds_series(session, [first, second], since, until)
    assert alone.points == [Point(since, 4), Point(T0 + timedelta(hours=2), -3),
                            Point(T0 + timedelta(hours=40), 1), Point(until, 1)]
    # The first section went 38 hours without a report after its change at 02:00: stale from 26:00 to 40:00.
    assert alone.gaps == [Gap(T0 + timedelta(hours=26), T0 + timedelta(hours=40))]
    assert summed.points == [Point(since, 4), Point(T0 + timedelta(hours=1), 6), Point(T0 + timedelta(hours=2), -1),
                             Point(T0 + timedelta(hours=40), 3), Point(until, 3)]
    # The second section: unreported until 01:00, then stale from 25:00 on (the first's stretch is inside).
    assert summed.gaps == [Gap(since, T0 + timedelta(hours=1)), Gap(T0 + timedelta(hours=25), until)]
    chart = draw(alone, since, until)
    assert chart.low == -3
    assert chart.negatives
    assert chart.negatives[0][1] > chart.zero_y


async def test_the_chart_page_draws_svg_without_inline_styles(client: httpx.AsyncClient,
                                                              services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD")
    section = await make_section(services, hospital, "Chirurgie", free_beds=0)
    await insert_changes(services, [Change(T0, section, hospital, -2)])
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit/chart", params={"hospital": hospital, "section": section,
                                                        "from": "2026-03-09 00:00", "to": "2026-03-11 00:00"})
    assert response.status_code == 200
    assert "<polyline" in response.text
    assert "<circle" in response.text
    assert "style=" not in response.text
    bad = await client.get("/audit/chart", params={"hospital": hospital, "from": "soon"})
    assert bad.status_code == 422


async def _live_board(services: AppServices) -> dict[int, dict[str, Any]]:
    async with services.session_factory() as session:
        views = await views_of(session, section_query().where(Section.retired_at.is_(None)))
    return {view.id: view.as_json() for view in views}


async def test_the_board_as_it_was_equals_the_live_board_of_the_time(services: AppServices,
                                                                     clock: ManualClock) -> None:
    hospitals = [await make_hospital(services, code) for code in ("NORD", "SUD")]
    sections = [(await make_section(services, hospital, f"Secția {index}", free_beds=3), hospital)
                for hospital in hospitals for index in range(5)]
    versions = {section_id: 1 for section_id, _ in sections}
    rng = random.Random(7)
    recorded: dict[datetime, dict[int, dict[str, Any]]] = {}
    for change in range(500):
        clock.advance(minutes=rng.randint(1, 180))
        section_id, hospital = rng.choice(sections)
        async with services.unit_of_work() as uow:
            if change % 7 == 0:
                await service.confirm_unchanged(uow, actor=operator(hospital),
                                                versions={section_id: versions[section_id]})
            else:
                await service.set_free_beds(uow, actor=operator(hospital), section_id=section_id,
                                            free_beds=rng.randint(-5, 30), expected_version=versions[section_id])
                versions[section_id] += 1
        if change % 50 == 0 or change == 499:
            recorded[clock.now()] = await _live_board(services)
    async with services.session_factory() as session:
        for moment, live in recorded.items():
            past = {item.view.id: item.view.as_json() for item in await board_at(session, moment, BoardFilter())}
            assert past == live, moment
        moment = next(iter(recorded))
        only_south = await board_at(session, moment, BoardFilter(hospitals=frozenset({hospitals[1]})))
        assert {item.view.hospital_id for item in only_south} == {hospitals[1]}
        assert len(only_south) == 5


async def test_the_board_page_shows_a_past_moment(client: httpx.AsyncClient, services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD")
    section = await make_section(services, hospital, "Chirurgie", free_beds=0)
    await insert_changes(services, [Change(T0, section, hospital, 7, actor="op.seven"),
                                    Change(T0 + timedelta(days=3), section, hospital, 9)])
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    # 2026-03-11 12:00 in Bucharest is 10:00 UTC: the 7 set at midnight UTC the day before, 34 hours old.
    response = await client.get("/audit/board", params={"at": "2026-03-11 12:00"})
    assert response.status_code == 200
    row = re.search(rf'<tr data-section="{section}" class="stale">(.*?)</tr>', response.text, re.S)
    assert row
    assert ">7<" in row.group(1)
    assert "op.seven" in row.group(1)
    assert "1 day, 10 hours" in row.group(1)
    assert (await client.get("/audit/board", params={"at": "noon"})).status_code == 422
