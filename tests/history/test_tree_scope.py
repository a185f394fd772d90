"""Auditors per organisation tree (issue 23 item 5): the Romanian ministry's auditor no longer reads or exports a
Chilean licence's RUN and name (neither the officer's events nor the ones the command line or the demo wrote), the
Chilean health service's auditor reads exactly its own tree, and the bed board's history stays whole for the
ministry's."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from app.kit import audit
from app.kit.actors import Actor
from app.kit.state import AppServices
from app.provisioning.licenses import deciding, requesting
from app.provisioning.licenses.models import License
from tests.factories import make_user
from tests.provisioning.licence_world import SERVICE, actor_of, make_licence_world
from tests.web import BrowserFactory, log_in

GOOD = (1, "alba PLAZA santelices", "12.345.678-5", "Femenino")
RUN, NAME = "12345678-5", "Alba Plaza Santelices"
CLI_RUN, CLI_NAME = "9876543-3", "Pedro Cli Demo"


async def _world(services: AppServices) -> None:
    world = await make_licence_world(services)
    await make_user(services, "audit.ms", role="auditor", organisation="MS")
    await make_user(services, "coord.samb", role="coordinator", organisation="SAMB")
    await make_user(services, "audit.ssmso", role="auditor", organisation=SERVICE)
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.commune_a, entries=[GOOD])
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=await actor_of(services, "officer"), request_id=request.id)
    async with services.unit_of_work() as uow:
        # As the demo and the command line write a licence: no actor organisation, the object says whose it is.
        now = uow.session.info["clock"].now()
        licence = License(organisation_id=world.commune_b, run=CLI_RUN, full_name=CLI_NAME, gender="Masculino",
                          state="active", created_at=now, activated_at=now, version=1)
        uow.session.add(licence)
        await uow.session.flush()
        await audit.record(uow.session, actor=Actor.system("cli"), action="licenses.created", object_type="license",
                           object_id=licence.id, after={"run": CLI_RUN, "full_name": CLI_NAME})
        await audit.record(uow.session, actor=Actor.system("cli"), action="beds.nomenclature_imported",
                           object_type=None, after={"hospitals": 3})


async def _page_and_export(browser: httpx.AsyncClient, username: str) -> tuple[str, str]:
    await log_in(browser, username)
    page = await browser.get("/audit", params={"kind": "all"})
    export = await browser.get("/audit/export.csv", params={"kind": "all"})
    assert (page.status_code, export.status_code) == (200, 200)
    return page.text, export.text


async def test_the_ministrys_auditor_reads_no_chilean_run_or_name(client: httpx.AsyncClient,
                                                                   new_client: BrowserFactory,
                                                                   services: AppServices) -> None:
    await _world(services)
    async with new_client() as coordinator:
        await log_in(coordinator, "coord.samb")  # a bed-board event: the coordinator's login
    page, export = await _page_and_export(client, "audit.ms")
    for text in (page, export):
        assert not any(secret in text for secret in (RUN, NAME, CLI_RUN, CLI_NAME, "ref_a", "officer"))
    actors = {row["actor"] for row in csv.DictReader(io.StringIO(export))}
    assert {"coord.samb", "audit.ms", "<cli>"} <= actors  # the bed board's own, and the installation's unclaimed
    assert {row["action"] for row in csv.DictReader(io.StringIO(export)) if row["actor"] == "<cli>"} >= {
        "beds.nomenclature_imported"}


async def test_the_health_services_auditor_reads_its_own_tree_only(client: httpx.AsyncClient,
                                                                    new_client: BrowserFactory,
                                                                    services: AppServices) -> None:
    await _world(services)
    async with new_client() as coordinator:
        await log_in(coordinator, "coord.samb")
    page, export = await _page_and_export(client, "audit.ssmso")
    assert [secret for secret in (RUN, NAME, CLI_RUN, CLI_NAME) if secret not in export] == []
    assert "licence created" in page
    for text in (page, export):
        assert "coord.samb" not in text
    rows = list(csv.DictReader(io.StringIO(export)))
    assert "beds.nomenclature_imported" not in {row["action"] for row in rows}
    assert {row["actor"] for row in rows} >= {"ref_a", "officer", "<cli>", "audit.ssmso"}
    async with services.session_factory() as session:
        runs = set((await session.scalars(select(License.run))).all())
    assert runs == {RUN, CLI_RUN}


async def test_the_bed_boards_chart_and_past_board_are_not_the_health_services(client: httpx.AsyncClient,
                                                                               new_client: BrowserFactory,
                                                                               services: AppServices) -> None:
    await _world(services)
    await log_in(client, "audit.ssmso")
    assert 'href="/audit/chart"' not in (await client.get("/audit")).text
    assert (await client.get("/audit/chart")).status_code == 403
    assert (await client.get("/audit/board")).status_code == 403
    async with new_client() as ministry:
        await log_in(ministry, "audit.ms")
        assert 'href="/audit/chart"' in (await ministry.get("/audit")).text
        assert (await ministry.get("/audit/chart")).status_code == 200
        assert (await ministry.get("/audit/board")).status_code == 200
