"""``/metrics``: who may read it, and that its figures move when the things they count happen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from accounts.service import AccountsContext
from app.jobs.scheduler import run_forever
from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.metrics import LOGIN_FAILED, Metrics
from app.kit.plugins import Job, JobBody
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from realtime.hub import QUEUE_SIZE, Subscription
from tests.factories import make_user
from tests.realtime.conftest import BoardWorld, Browser, next_message, subscribe
from tests.realtime.conftest import board_world as board_world  # the live server fixture, reused
from tests.web import BrowserFactory, log_in

TOKEN = "scrape-" + "t" * 30
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(exposition: str) -> Samples:
    """Every sample of the exposition by name and labels (the parser also checks the format)."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(exposition) for sample in family.samples}


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


def loopback(app: Starlette, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://testserver")


async def test_without_a_token_only_loopback_may_read_it(app: Starlette, client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 404  # client fixture: 10.1.2.3
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 404
    for address in ("127.0.0.1", "::1"):
        async with loopback(app, address) as local:
            assert "bedboard_http_requests_total" in (await local.get("/metrics")).text
            # A proxy on this machine relays outside callers from loopback: forwarded means refused.
            relayed = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            assert relayed.status_code == 404


@pytest.fixture
async def token_app(settings: Settings, clock: ManualClock) -> AsyncIterator[Starlette]:
    application = create_app(settings.with_changes(metrics_token=TOKEN), clock=clock)
    yield application
    services: AppServices = application.state.services
    services.get(AccountsContext).hasher.close()
    await services.engine.dispose()


async def test_with_a_token_the_token_is_required_from_anywhere(token_app: Starlette) -> None:
    async with loopback(token_app, "10.7.7.7") as remote, loopback(token_app) as local:
        assert (await remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200
        assert (await remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})).status_code == 403
        assert (await remote.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})).status_code == 404
        assert (await remote.get("/metrics")).status_code == 404
        assert (await local.get("/metrics")).status_code == 404


async def test_requests_are_counted_by_route_template_not_by_path(app: Starlette, services: AppServices) -> None:
    await make_user(services, "coord", role="coordinator")
    async with loopback(app) as local:
        assert (await log_in(local, "coord")).status_code == 303
        for section_id in (101, 102, 103):  # unknown sections: three paths, one route
            assert (await local.get(f"/api/v1/sections/{section_id}")).status_code == 404
        assert (await local.get("/no/such/page")).status_code == 404
        for made_up in ("BREW", "PROPFIND"):
            await local.request(made_up, "/no/such/page")
        found = await scrape(local)
    route = "/api/v1/sections/{section_id}"
    assert value(found, "bedboard_http_requests_total", method="GET", route=route, status="404") == 3
    assert value(found, "bedboard_http_request_seconds_count", method="GET", route=route) == 3
    assert value(found, "bedboard_http_requests_total", method="POST", route="/login", status="303") == 1
    assert value(found, "bedboard_http_requests_total", method="GET", route="(no route)", status="404") == 1
    assert value(found, "bedboard_http_requests_total", method="OTHER", route="(no route)", status="404") == 2
    assert not [key for key in found if any("101" in label for _name, label in key[1])]
    assert value(found, "bedboard_db_pool_size") >= 1
    assert value(found, "bedboard_db_pool_checked_out") == 0  # nothing holds a connection between requests


async def test_login_failures_and_locks_are_counted(app: Starlette, services: AppServices,
                                                    new_client: BrowserFactory) -> None:
    await make_user(services, "ana")
    limit = services.settings.login_failures_per_username
    async with new_client("10.4.4.4") as browser:
        for _attempt in range(limit):
            assert (await log_in(browser, "ana", "wrong password")).status_code in {401, 429}
    async with loopback(app) as local:
        found = await scrape(local)
    assert value(found, "bedboard_login_failures_total") == limit
    assert value(found, "bedboard_login_locks_total", kind="username") == 1


async def test_each_app_counts_only_its_own_logins(app: Starlette, services: AppServices,
                                                   settings: Settings, clock: ManualClock) -> None:
    other = create_app(settings, clock=clock)  # same database, its own registry and sessions
    try:
        await make_user(services, "ana")
        async with loopback(app) as browser:
            await log_in(browser, "ana", "wrong password")
        async with loopback(other) as local:
            assert value(await scrape(local), "bedboard_login_failures_total") == 0
        async with loopback(app) as local:
            assert value(await scrape(local), "bedboard_login_failures_total") == 1
    finally:
        other.state.services.get(AccountsContext).hasher.close()
        await other.state.services.engine.dispose()


async def test_login_failures_are_counted_as_committed_not_as_flushed(app: Starlette, services: AppServices) -> None:
    """A savepoint rolled back takes its own audit event out of the count and leaves the others in it; a
    transaction rolled back counts nothing."""
    actor = Actor.system()
    metrics: Metrics = app.state.metrics

    def counted() -> float:
        return value(samples(metrics.exposition().decode()), "bedboard_login_failures_total")

    async def refused_after_auditing(uow: UnitOfWork) -> None:
        await audit.record(uow.session, actor=actor, action=LOGIN_FAILED)
        raise RuntimeError("refused after its audit event")

    async def in_a_savepoint(uow: UnitOfWork) -> None:
        async with uow.savepoint():
            await refused_after_auditing(uow)

    async def alone() -> None:
        async with services.unit_of_work() as uow:
            await refused_after_auditing(uow)

    async with services.unit_of_work() as uow:
        await audit.record(uow.session, actor=actor, action=LOGIN_FAILED)
        with pytest.raises(RuntimeError):
            await in_a_savepoint(uow)
    assert counted() == 1
    with pytest.raises(RuntimeError):
        await alone()
    assert counted() == 1


async def test_job_runs_are_counted_by_result(app: Starlette, services: AppServices) -> None:
    metrics: Metrics = app.state.metrics
    ran = asyncio.Event()

    async def works() -> str:
        return "sent 0, failed 0"

    async def breaks() -> str:
        ran.set()
        raise RuntimeError("the mail server is down")

    every = timedelta(minutes=1)
    jobs: list[tuple[Job, JobBody]] = [(Job("test.works", every, ""), works), (Job("test.breaks", every, ""), breaks)]
    loop = asyncio.create_task(run_forever(services.session_factory, services.clock, jobs, tick_seconds=3600,
                                           observe=metrics.observe_job))
    await asyncio.wait_for(ran.wait(), 10)
    for _turn in range(50):  # the failed run is released (one more transaction), then observed
        found = samples(metrics.exposition().decode())
        if value(found, "bedboard_job_runs_total", job="test.breaks", result="failed"):
            break
        await asyncio.sleep(0.02)
    loop.cancel()
    await asyncio.gather(loop, return_exceptions=True)
    assert value(found, "bedboard_job_runs_total", job="test.works", result="ok") == 1
    assert value(found, "bedboard_job_runs_total", job="test.breaks", result="failed") == 1
    assert value(found, "bedboard_job_run_seconds_count", job="test.works") == 1


async def test_queue_overflows_and_resyncs_are_counted(app: Starlette, services: AppServices) -> None:
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    async def snapshot(_subscription: Subscription) -> str:
        return '{"type":"snapshot"}'

    subscription = Subscription(send=send, snapshot_frame=snapshot, stats=services.hub.stats)
    services.hub.add(subscription)
    for number in range(QUEUE_SIZE + 1):  # nothing pumped: the socket never keeps up
        subscription.enqueue((f'{{"n":{number}}}', None))
    services.hub.resync_all()
    async with loopback(app) as local:
        found = await scrape(local)
    assert value(found, "bedboard_board_sockets") == 1
    assert value(found, "bedboard_board_queue_overflows_total") == 1
    assert value(found, "bedboard_board_resyncs_total") == 2  # the overflow's and the feed gap's


async def test_a_live_board_shows_in_the_socket_gauge_and_the_delay_histogram(board_world: BoardWorld) -> None:
    """A real uvicorn, a real board socket, a real write: the scrape (from loopback) sees them."""
    coordinator, operator = Browser(board_world.url), Browser(board_world.url)
    await coordinator.log_in("coord")
    await operator.log_in("op.a")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await subscribe(socket)
        assert (await next_message(socket))["type"] == "snapshot"
        assert (await operator.set_free_beds(board_world.surgery_a, 4, 1)).status_code == 200
        assert (await next_message(socket))["type"] == "change"
        found = await scrape(coordinator.http)
    assert value(found, "bedboard_board_sockets") == 1
    assert value(found, "bedboard_commit_to_socket_seconds_count") == 1
    assert value(found, "bedboard_commit_to_socket_seconds_bucket", le="+Inf") == 1
    assert value(found, "bedboard_http_requests_total", method="PUT", route="/api/v1/sections/{section_id}/free-beds",
                 status="200") == 1
    await coordinator.close()
    await operator.close()
