"""The first and last days of the calendar are refused with the field named (issue 18, defect 5).

Before, 0001-01-01 and 9999-12-31 overflowed when the time zone was applied: a 500 on the log, the chart,
the board as it was and the licence reports, and a CSV export that broke off after its header line.
"""

from __future__ import annotations

import httpx
import pytest

from app.kit.state import AppServices
from tests.beds.test_api_setup import bearer
from tests.factories import make_user
from tests.provisioning.licence_world import make_licence_world
from tests.provisioning.test_usage_api import OURS, USAGE, licence, make_feed, use
from tests.web import log_in

EDGES = ("0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01")
PAGES = [("/audit", "from"), ("/audit", "to"), ("/audit/chart", "from"), ("/audit/chart", "to"),
         ("/audit/board", "at")]


@pytest.mark.parametrize("day", EDGES)
@pytest.mark.parametrize(("path", "field"), PAGES)
async def test_history_pages_refuse_a_day_outside_the_range(client: httpx.AsyncClient, services: AppServices,
                                                            path: str, field: str, day: str) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get(path, params={field: f"{day} 00:00"})
    assert response.status_code == 422
    assert f"{field} must be a date from 2000-01-01 to 2100-12-31" in response.text


async def test_the_range_limits_themselves_are_accepted(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit", params={"from": "2000-01-01 00:00", "to": "2100-12-31 23:59"})
    assert response.status_code == 200
    assert (await client.get("/audit/board", params={"at": "2000-01-01"})).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_a_csv_export_with_a_bad_day_is_a_422_with_no_partial_file(client: httpx.AsyncClient,
                                                                        services: AppServices, day: str) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit/export.csv", params={"to": day}, headers={"accept": "application/json"})
    assert response.status_code == 422
    assert not response.headers["content-type"].startswith("text/csv")
    assert "seq,at_utc" not in response.text
    assert response.json()["error"]["details"] == {"field": "to"}


@pytest.mark.parametrize(("field", "day"), [("from", "0001-01-01"), ("to", "9999-12-31")])
async def test_licence_reports_refuse_a_day_outside_the_range(client: httpx.AsyncClient, services: AppServices,
                                                              field: str, day: str) -> None:
    await make_licence_world(services)
    await log_in(client, "officer")
    exported = await client.get("/licenses/reports.csv", params={field: day}, headers={"accept": "application/json"})
    assert exported.status_code == 422
    assert exported.json()["error"]["details"] == {"field": field}
    page = await client.get("/licenses/reports", params={field: day})
    assert page.status_code == 422
    assert f"{field} must be a date from 2000-01-01 to 2100-12-31" in page.text


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
async def test_a_licence_use_at_a_calendar_edge_is_refused(client: httpx.AsyncClient, services: AppServices,
                                                           when: str) -> None:
    # Year 1 used to be stored (200) as a licence's last use.
    feed = await make_feed(services)
    response = await client.post(USAGE, json={"uses": [use(OURS, when)]}, headers=bearer(feed.token))
    assert response.status_code == 422
    [error] = response.json()["error"]["details"]["errors"]
    assert error["field"] == "last_used_at"
    assert error["message"] == "last_used_at must be a date from 2000-01-01 to 2100-12-31."
    assert (await licence(services, feed.ours)).last_used_at is None
