"""Closures in the history (issue 21): the closures report and its CSV, the chart's bands, the log's status rows.

Statuses are set through ``app.beds.admission.set_admission`` with the clock moved (never slept) and expired by the
job as the servers run it, on both backends; the pages are read as an auditor's browser reads them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.beds import admission_jobs
from app.beds.admission import AdmissionRequest, Target, set_admission
from app.beds.interface import AdmissionStretch
from app.history.closures import Month, closures_report
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_api_setup import World, actor_of, make_world
from tests.web import log_in

BUCHAREST = ZoneInfo("Europe/Bucharest")
# 22:00 in Bucharest on March's last day (summer time since the 29th: UTC+3).
LAST_EVENING = datetime(2026, 3, 31, 22, 0, tzinfo=BUCHAREST)


def move_to(clock: ManualClock, moment: datetime) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())


async def set_status(services: AppServices, username: str, target: Target, status: str, reason_code: str | None,
                     version: int, reason: str | None = None) -> None:
    async with services.unit_of_work() as uow:
        await set_admission(uow, actor=await actor_of(services, username), target=target, request=AdmissionRequest(
            status=status, reason_code=reason_code, reason=reason, expected_version=version))


async def run_expiry_job(services: AppServices) -> None:
    assert admission_jobs.JOB.run is not None
    await admission_jobs.JOB.run(services.job_context())


@dataclass(frozen=True)
class Story:
    world: World
    april_now: datetime


async def closures_story(services: AppServices, clock: ManualClock) -> Story:
    """Hospital B closed 3 h on March 10 (reopened by its operator); hospital A closed from 22:00 on March 31 to its
    expiry at 02:00 (4 h, the default); A's ICU limited for "other" from 05:00 on April 1, still in force 90 min on."""
    world = await make_world(services)
    move_to(clock, datetime(2026, 3, 10, 10, 0, tzinfo=BUCHAREST))
    await set_status(services, "op.b", Target(world.hospital_b), "closed", "ct_down", 1)
    clock.advance(hours=3)
    await set_status(services, "op.b", Target(world.hospital_b), "open", None, 2)
    move_to(clock, LAST_EVENING)
    await set_status(services, "op.a", Target(world.hospital_a), "closed", "icu_full", 1)
    clock.advance(hours=4)
    await run_expiry_job(services)
    move_to(clock, datetime(2026, 4, 1, 5, 0, tzinfo=BUCHAREST))
    await set_status(services, "op.a", Target(world.hospital_a, world.a_icu), "limited", "other", 1,
                     reason="=1+1 generator test")
    clock.advance(minutes=90)
    return Story(world, clock.now())


def hours_cells(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(hospital id, section id or "") -> (hours closed, hours limited) as the table shows them."""
    rows = re.findall(r'<tr data-hospital="(\d+)" data-section="(\d*)">(.*?)</tr>', page, re.S)
    found = {}
    for hospital, section, cells in rows:
        closed = re.search(r'data-hours="closed">([^<]*)<', cells)
        limited = re.search(r'data-hours="limited">([^<]*)<', cells)
        assert closed
        assert limited
        found[(hospital, section)] = (closed.group(1), limited.group(1))
    return found


async def test_the_report_splits_a_closure_at_the_months_midnight_and_counts_an_open_one_up_to_now(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    story = await closures_story(services, clock)
    world = story.world
    await make_auditor_login(client)
    march = await client.get("/audit/closures?month=2026-03")
    assert march.status_code == 200, march.text
    assert hours_cells(march.text) == {(str(world.hospital_a), ""): ("2", "0"),
                                       (str(world.hospital_b), ""): ("3", "0")}
    assert "CT out of order: 3 h, closed to ambulances" in march.text
    april = await client.get("/audit/closures?month=2026-04")
    assert hours_cells(april.text) == {(str(world.hospital_a), ""): ("2", "0"),
                                       (str(world.hospital_a), str(world.a_icu)): ("0", "1.5")}
    assert "Other (say which) (=1+1 generator test): 1.5 h, limited" in april.text
    # The current month by default (the clock's April), and a month with nothing says so.
    assert hours_cells((await client.get("/audit/closures")).text) == hours_cells(april.text)
    assert "No hospital or section was limited or closed in this month." in (
        await client.get("/audit/closures?month=2026-05")).text
    refused = await client.get("/audit/closures?month=2026-13")
    assert refused.status_code == 422
    assert "month" in refused.text


async def test_the_csv_has_one_line_per_hospital_section_status_and_reason(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    story = await closures_story(services, clock)
    await make_auditor_login(client)
    response = await client.get("/audit/closures.csv?month=2026-04")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="bedboard-closures-2026-04.csv"' in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines == [
        ["month", "hospital", "section", "status", "reason_code", "reason", "reason_text", "periods", "hours"],
        ["2026-04", "Spitalul A", "", "closed", "icu_full", "ICU full", "", "1", "2.00"],
        # The typed reason starts like a formula: a spreadsheet reads it as text.
        ["2026-04", "Spitalul A", "ATI A", "limited", "other", "Other (say which)", "'=1+1 generator test", "1",
         "1.50"],
    ]
    assert story.april_now == clock.now()
    romanian = await client.get("/audit/closures.csv?month=2026-03", headers={"Accept-Language": "ro"})
    header, *rows = list(csv.reader(io.StringIO(romanian.text)))
    assert header[1] == "spital"
    assert ["2026-03", "Spitalul A", "", "closed", "icu_full", "ATI plin", "", "1",
                                      "2.00"] in rows


async def make_auditor_login(client: httpx.AsyncClient, username: str = "auditor") -> None:
    response = await log_in(client, username)
    assert response.status_code in (302, 303), response.text


async def test_the_chart_draws_a_hatched_band_with_its_reason_over_each_closure(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    story = await closures_story(services, clock)
    world = story.world
    await make_auditor_login(client)
    response = await client.get("/audit/chart", params={
        "hospital": world.hospital_a, "section": world.a_icu, "from": "2026-03-31 12:00", "to": "2026-04-01 12:00"})
    assert response.status_code == 200, response.text
    bands = re.findall(r'<rect class="admission-band" data-status="(\w+)" data-reason="(\w+)"[^>]*fill="url\(#band-'
                       r'\w+\)"[^>]*><title>([^<]*)</title>', response.text)
    assert [(status, reason) for status, reason, _title in bands] == [("closed", "icu_full"), ("limited", "other")]
    assert bands[0][2].startswith("closed to ambulances: ICU full. Spitalul A (the whole hospital). From Mar 31")
    assert "still in force" in bands[1][2]
    assert "ATI A" in bands[1][2]
    assert '<pattern id="band-closed"' in response.text
    # Hospital B's own chart has its March closure only, not A's.
    other = await client.get("/audit/chart", params={"hospital": world.hospital_b, "from": "2026-03-01 00:00",
                                                     "to": "2026-04-02 00:00"})
    assert re.findall(r'class="admission-band" data-status="(\w+)" data-reason="(\w+)"', other.text) == [
        ("closed", "ct_down")]


async def test_the_log_reads_a_status_change_as_status_reason_and_expiry(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    story = await closures_story(services, clock)
    await make_auditor_login(client)
    page = (await client.get("/audit", params={"kind": "beds", "hospital": story.world.hospital_a})).text
    rows = {action: row for row, action in
            re.findall(r'(<tr data-seq="\d+">.*?data-action="([\w.]+)".*?</tr>)', page, re.S)}
    set_row = rows["beds.hospital_admission_set"]
    assert "hospital admission status set" in set_row
    assert "Spitalul A" in set_row
    assert re.search(r'data-status="open">open</td>\s*<td[^>]*data-status="closed">closed to ambulances</td>', set_row)
    assert "ICU full (until Apr 1, 2026, 02:00)" in set_row
    expired = rows["beds.hospital_admission_expired"]
    assert re.search(r'data-status="closed">closed to ambulances</td>\s*<td[^>]*data-status="open">open</td>', expired)
    assert "Other (say which): =1+1 generator test" in rows["beds.section_admission_set"]
    export = await client.get("/audit/export.csv", params={"kind": "beds", "hospital": story.world.hospital_a})
    header, *lines = list(csv.reader(io.StringIO(export.text)))
    about_hospital = [line for line in lines if line[header.index("action")] == "beds.hospital_admission_set"]
    assert [line[header.index("hospital")] for line in about_hospital] == ["Spitalul A"]
    romanian = (await client.get("/audit", params={"kind": "beds", "hospital": story.world.hospital_a},
                                 headers={"Accept-Language": "ro"})).text
    assert "ATI plin" in romanian
    assert "închis pentru ambulanțe" in romanian


@pytest.mark.parametrize("username", ["coord", "op.a"])
async def test_roles_without_the_history_are_refused_the_report(
        client: httpx.AsyncClient, services: AppServices, username: str) -> None:
    await make_world(services)
    await log_in(client, username)
    for path in ("/audit/closures", "/audit/closures.csv?month=2026-03"):
        response = await client.get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert 'data-testid="closures"' not in response.text
        assert "reason_code" not in response.text


async def test_the_administrator_reads_it_and_finds_it_from_the_history(
        client: httpx.AsyncClient, services: AppServices) -> None:
    await make_world(services)
    await log_in(client, "admin")
    history = await client.get("/audit")
    assert 'href="/audit/closures"' in history.text
    assert (await client.get("/audit/closures")).status_code == 200


def stretch(started_at: datetime, ended_at: datetime | None, status: str = "closed") -> AdmissionStretch:
    return AdmissionStretch(1, "Spitalul A", None, None, status, "icu_full", "ICU full", "ATI plin", None,
                            started_at, "op.a", started_at + timedelta(hours=24), ended_at, None)


def test_a_month_is_the_zones_month_with_its_summer_time_hour() -> None:
    march = Month.parse("2026-03", BUCHAREST)
    assert (march.start, march.end) == (datetime(2026, 2, 28, 22, tzinfo=UTC), datetime(2026, 3, 31, 21, tzinfo=UTC))
    assert (str(march.preceding), str(march.following), str(Month.parse("2026-12", BUCHAREST).following)) == (
        "2026-02", "2026-04", "2027-01")
    # Closed from February to May: all of March, which in Bucharest has 743 hours (the clocks went forward).
    [whole] = closures_report([stretch(datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))], march,
                              datetime(2026, 6, 1, tzinfo=UTC))
    assert whole.hours("closed") == 743
    # Still in force: counted up to now, not to its expiry nor the month's end.
    [current] = closures_report([stretch(datetime(2026, 3, 30, 21, tzinfo=UTC), None, "limited")], march,
                                datetime(2026, 3, 31, 0, 30, tzinfo=UTC))
    assert (current.hours("limited"), current.hours("closed")) == (3.5, 0)


async def test_the_board_as_it_was_shows_the_status_an_ambulance_met_then(
        client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    story = await closures_story(services, clock)
    world = story.world
    await make_auditor_login(client)

    async def statuses(at: str) -> dict[int, str]:
        page = (await client.get("/audit/board", params={"at": at, "hospital": world.hospital_a})).text
        rows = re.findall(r'<tr data-section="(\d+)".*?data-status="(\w+)">(.*?)</td>', page, re.S)
        return {int(section): f"{status}: {text}" for section, status, text in rows}

    # At 01:00 the whole hospital was closed: both of its sections show it, with the reason.
    night = await statuses("2026-04-01 01:00")
    assert night == {world.a_surgery: "closed: <strong>closed to ambulances</strong>: ICU full, the whole hospital",
                     world.a_icu: "closed: <strong>closed to ambulances</strong>: ICU full, the whole hospital"}
    # At 06:00 the hospital had reopened by expiry; only its ICU was limited.
    morning = await statuses("2026-04-01 06:00")
    assert morning[world.a_surgery] == "open: open"
    assert morning[world.a_icu] == "limited: <strong>limited</strong>: Other (say which) (=1+1 generator test)"
