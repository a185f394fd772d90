"""The officer's report on hand-built requests, with a controllable clock: figures, date range, CSV, access."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import select

from app.kit.clock import ManualClock
from app.kit.errors import ValidationFailed
from app.kit.spreadsheets import spreadsheet_safe
from app.kit.state import AppServices
from app.provisioning.licenses import deciding, report_queries, requesting
from app.provisioning.licenses.models import License
from app.provisioning.licenses.report_routes import report_csv
from tests.provisioning.licence_world import actor_of, make_licence_world
from tests.web import log_in

FIRST = (1, "alba PLAZA santelices", "12.345.678-5", "Femenino")
SECOND = (1, "juan de la FUENTE rojas", "10000013-k", "Masculino")
THIRD = (1, "ana PÉREZ soto", "11111111-1", "Femenino")
# Santiago is UTC-3 in September 2026; 10:00 local is 13:00 UTC. Chile's 18 and 19 September are holidays.
MONDAY = datetime(2026, 9, 14, 13, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 9, 15, 13, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 9, 17, 13, 0, tzinfo=UTC)
NEXT_WEDNESDAY = datetime(2026, 9, 23, 13, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 30, 15, 0, tzinfo=UTC)


async def build_history(services: AppServices, clock: ManualClock) -> None:
    """Commune A: created in 1 business day (Mon -> Tue) and in 3 (Thu -> Wed, across the holidays and the
    weekend). Commune B: a request still waiting past its due time. One licence deactivated as unused."""
    world = await make_licence_world(services)
    referent_a, referent_b = await actor_of(services, "ref_a"), await actor_of(services, "ref_b")
    officer = await actor_of(services, "officer")
    for submitted, accepted, entry in ((MONDAY, TUESDAY, FIRST), (THURSDAY, NEXT_WEDNESDAY, SECOND)):
        clock._now = submitted
        async with services.unit_of_work() as uow:
            request = await requesting.submit_new(uow, actor=referent_a, organisation_id=world.commune_a,
                                                  entries=[entry])
        clock._now = accepted
        async with services.unit_of_work() as uow:
            await deciding.accept(uow, actor=officer, request_id=request.id)
    clock._now = THURSDAY
    async with services.unit_of_work() as uow:
        await requesting.submit_new(uow, actor=referent_b, organisation_id=world.commune_b, entries=[THIRD])
    clock._now = NOW
    async with services.unit_of_work() as uow:
        licence = await uow.session.scalar(select(License).where(License.run == "12345678-5"))
        assert licence is not None
        await deciding.deactivate(uow.session, actor=officer, licence=licence, reason="unused")


EVERYTHING = report_queries.Period()


async def report_for(services: AppServices, period: report_queries.Period = EVERYTHING) -> report_queries.Report:
    async with services.unit_of_work() as uow:
        return await report_queries.build_report(uow.session, actor=await actor_of(services, "officer"), period=period,
                                                 now=NOW)


async def test_the_figures(services: AppServices, clock: ManualClock) -> None:
    await build_history(services, clock)
    report = await report_for(services)
    assert [(row.commune, row.counts["in_progress"], row.counts["submitted"], row.total)
            for row in report.by_commune] == [("commune FLORIDA", 2, 0, 2), ("commune PINTANA", 0, 1, 1)]
    assert report.totals.total == 3
    creation = report.creation
    assert (creation.count, creation.median_days, creation.within_target) == (2, 2.0, 1)
    assert creation.p90_days == pytest.approx(2.8)
    assert creation.share_within_target == 0.5
    assert report.overdue_now == 1
    assert report.deactivations == (("2026-09", "unused", 1),)


async def test_the_date_range(services: AppServices, clock: ManualClock) -> None:
    await build_history(services, clock)
    # From Wednesday 16 (local): the Monday request and its Tuesday licence are out.
    report = await report_for(services, report_queries.Period(date(2026, 9, 16), date(2026, 9, 29)))
    assert report.totals.total == 2
    assert (report.creation.count, report.creation.median_days) == (1, 3.0)
    assert report.deactivations == ()  # it happened on the 30th
    assert report.overdue_now == 1  # always now


@pytest.mark.parametrize(("first", "last", "message"), [
    ("2026-13-01", "", "{value} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-30."),
    ("2026-09-30", "2026-09-01", "The start date ({first}) is after the end date ({last})."),
])
def test_a_bad_range_is_refused_clearly(first: str, last: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report_queries.parse_period(first, last)
    assert refused.value.message == message


async def test_the_pages_and_the_csv(client: httpx.AsyncClient, services: AppServices, clock: ManualClock) -> None:
    await build_history(services, clock)
    await log_in(client, "officer")
    page = await client.get("/licenses/reports")
    assert page.status_code == 200
    assert 'data-testid="report-overdue">1 request is past its due time.' in page.text
    bad = await client.get("/licenses/reports", params={"from": "30-09-2026"})
    assert bad.status_code == 422
    assert "30-09-2026 is not a date" in bad.text
    exported = await client.get("/licenses/reports.csv", headers={"Accept-Language": "es"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith("\ufeff".encode())
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert "commune FLORIDA;0;0;0;0;2;0;0;0;2" in lines
    assert "Mediana;2,0" in lines
    assert "Percentil 90;2,8" in lines
    assert "Dentro de 2 días hábiles;1;50 %" in lines
    assert "Atrasadas ahora;1" in lines
    assert "2026-09;Sin uso durante un mes;1" in lines


def test_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    assert [spreadsheet_safe(text) for text in ("=1+1", "+56", "-2", "@SUM(A1)", "Pirque")] == [
        "'=1+1", "'+56", "'-2", "'@SUM(A1)", "Pirque"]
    row = report_queries.CommuneRow('=HYPERLINK("http://x")', {state: 0 for state in report_queries.STATES})
    report = report_queries.Report(report_queries.Period(), (row,), row, report_queries.creation_times([]), 0, ())
    assert "'=HYPERLINK" in report_csv(report, "en")


async def test_a_referent_gets_403(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_licence_world(services)
    await log_in(client, "ref_a")
    assert (await client.get("/licenses/reports")).status_code == 403
    assert (await client.get("/licenses/reports.csv")).status_code == 403
