"""The History page over 100,000 generated changes: filters, keyset pages, CSV export, chain status."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.history.filters import HistoryFilter
from app.history.queries import history_page
from app.kit.state import AppServices
from tests.beds.factories import make_hospital, make_section
from tests.demo_template import exclusive
from tests.factories import make_user
from tests.history.bulk import Change, insert_changes, spaced
from tests.postgres_cluster import PostgresCluster
from tests.web import log_in

START = datetime(2026, 3, 1, tzinfo=UTC)
COUNT = 100_000


async def _world(services: AppServices, count: int = COUNT) -> dict[str, int]:
    north = await make_hospital(services, "NORD")
    south = await make_hospital(services, "SUD")
    ids = {"north": north, "south": south,
           "n_surgery": await make_section(services, north, "Chirurgie", section_type="surgery"),
           "n_icu": await make_section(services, north, "ATI", section_type="icu"),
           "s_surgery": await make_section(services, south, "Chirurgie", section_type="surgery"),
           "s_icu": await make_section(services, south, "ATI", section_type="icu")}
    sections = [(ids["n_surgery"], north), (ids["n_icu"], north), (ids["s_surgery"], south), (ids["s_icu"], south)]
    changes = [Change(at=at, section_id=sections[index % 4][0], hospital_id=sections[index % 4][1],
                      free_beds=(index % 23) - 3, actor="op.one" if index % 5 else "op.two",
                      source="api" if index % 2 else "web")
               for index, at in enumerate(spaced(START, count))]
    started = time.perf_counter()
    await insert_changes(services, changes)
    print(f"inserted {count} events in {time.perf_counter() - started:.2f}s")  # noqa: T201
    return ids


# Building the 100,000 changes took 18-23 s on the loaded 2-core CI machine, and two tests read the same world on
# each backend, each worker building its own (the xdist group below has no effect with pytest 9.2 and xdist 3.8, see
# tests/chromium.py): up to four builds a run. Now the first test of the run to need a backend's world builds it,
# under a lock in the workers' common temporary directory, and leaves it there (the SQLite file; a pg_dump, which
# the other worker restores once into a template of its own cluster); every other test gets a copy.
BIG_WORLD = pytest.mark.xdist_group("history-100000")
# This worker's PostgreSQL template holding the world, once made.
LOCAL_WORLD: list[str] = []


@pytest.fixture
async def big_world(services: AppServices, demo_share: Path, request: pytest.FixtureRequest) -> dict[str, int]:
    """The test's database holding ``_world(services)``: built by the run's first test to ask, a copy afterwards."""
    url = make_url(services.settings.database_url)
    backend, database = url.get_backend_name(), str(url.database)
    saved, kept = demo_share / f"history-world-{backend}.json", demo_share / f"history-world-{backend}.data"
    cluster: PostgresCluster | None = request.getfixturevalue("postgres_cluster") if backend != "sqlite" else None
    with exclusive(demo_share / f"history-world-{backend}.lock"):  # the other worker waits rather than builds
        if not saved.exists():
            ids: dict[str, int] = await _world(services)
            await services.engine.dispose()  # SQLite: the last connection's close writes the WAL back into the file
            if cluster is None:
                shutil.copyfile(database, kept)
            else:
                LOCAL_WORLD.append(f"history_world_{os.getpid()}")
                cluster.execute(f"CREATE DATABASE {LOCAL_WORLD[0]} TEMPLATE {database} STRATEGY FILE_COPY")
                _pg_tool(cluster, "pg_dump", "--format=custom", "-f", str(kept), cluster.dsn(database))
            saved.write_text(json.dumps(ids))
            return ids
    ids = json.loads(saved.read_text())
    await services.engine.dispose()  # a copy needs the database closed; the engine reconnects on next use
    if cluster is None:
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(kept, database)
        return ids
    if not LOCAL_WORLD:
        LOCAL_WORLD.append(f"history_world_{os.getpid()}")
        cluster.execute(f"CREATE DATABASE {LOCAL_WORLD[0]} TEMPLATE template0")
        _pg_tool(cluster, "pg_restore", "--exit-on-error", "--no-owner", "-d", cluster.dsn(LOCAL_WORLD[0]), str(kept))
    cluster.execute(f"DROP DATABASE {database} WITH (FORCE)")
    cluster.execute(f"CREATE DATABASE {database} TEMPLATE {LOCAL_WORLD[0]} STRATEGY FILE_COPY")
    return ids


def _pg_tool(cluster: PostgresCluster, tool: str, *arguments: str) -> None:
    subprocess.run([str(cluster.bin_dir / tool), *arguments], check=True, capture_output=True, timeout=300)


@BIG_WORLD
async def test_filters_and_keyset_pages_over_100000_changes(services: AppServices,
                                                            big_world: dict[str, int]) -> None:
    ids = big_world
    zone = services.settings.zone
    async with services.session_factory() as session:
        started = time.perf_counter()
        first = await history_page(session, HistoryFilter(hospital_id=ids["north"]))
        print(f"first page {time.perf_counter() - started:.3f}s")  # noqa: T201
        assert len(first.rows) == 100
        assert {row.hospital for row in first.rows} == {"Spitalul NORD"}
        assert [row.seq for row in first.rows] == sorted((row.seq for row in first.rows), reverse=True)
        started = time.perf_counter()
        deep = await history_page(session, HistoryFilter(hospital_id=ids["north"]), before=first.rows[0].seq - 90_000)
        print(f"deep page {time.perf_counter() - started:.3f}s")  # noqa: T201
        assert len(deep.rows) == 100
        assert deep.rows[0].seq < first.rows[0].seq - 90_000

        section_filter = HistoryFilter(section_id=ids["s_icu"], user="op.two")
        seen: list[int] = []
        before: int | None = None
        while True:
            page = await history_page(session, section_filter, before=before, size=1000)
            seen.extend(row.seq for row in page.rows)
            assert all(row.section == "ATI" and row.actor == "op.two" for row in page.rows)
            if page.next_before is None:
                break
            before = page.next_before
        # index % 4 == 3 and index % 5 == 0: one change in 20.
        assert len(seen) == COUNT // 20
        assert len(set(seen)) == len(seen)
        assert seen == sorted(seen, reverse=True)

        by_type = await history_page(session, HistoryFilter(section_type_id=None, hospital_id=ids["south"]), size=10)
        assert {row.hospital for row in by_type.rows} == {"Spitalul SUD"}
        window = HistoryFilter.parse({"from": "2026-03-01 02:00", "to": "2026-03-01 02:09"}, zone)
        ranged = await history_page(session, window)
        # Bucharest is UTC+2 in March: local 02:00-02:09 is 00:00-00:09 UTC, the first ten changes.
        assert len(ranged.rows) == 10
        assert ranged.rows[-1].at == START
        assert ranged.rows[0].old_value is not None
        assert ranged.rows[0].new_value == 9 - 3


async def test_the_page_links_pages_and_shows_changes(client: httpx.AsyncClient, services: AppServices) -> None:
    ids = await _world(services, 1000)
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit", params={"hospital": ids["south"], "section_type": ""})
    assert response.status_code == 200
    assert response.text.count("<tr data-seq=") == 100
    next_link = re.search(r'<a href="([^"]+)" rel="next">', response.text)
    assert next_link
    older = await client.get(next_link.group(1).replace("&amp;", "&"))
    assert older.status_code == 200
    assert older.text.count("<tr data-seq=") == 100
    first_seqs = set(re.findall(r'data-seq="(\d+)"', response.text))
    assert first_seqs.isdisjoint(re.findall(r'data-seq="(\d+)"', older.text))


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "yesterday"}, "must be a date and time"),
    ({"hospital": "x"}, "must be a whole number"),
    ({"kind": "secrets"}, "must be one of"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "must not be after"),
])
async def test_bad_filters_get_a_clear_422(client: httpx.AsyncClient, services: AppServices,
                                           params: dict[str, str], message: str) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit", params=params)
    assert response.status_code == 422
    assert message in response.text


@BIG_WORLD
async def test_csv_export_streams_every_filtered_row(client: httpx.AsyncClient, services: AppServices,
                                                     big_world: dict[str, int]) -> None:
    ids = big_world
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    started = time.perf_counter()
    response = await client.get("/audit/export.csv", params={"hospital": ids["north"]})
    print(f"CSV of {COUNT // 2} rows in {time.perf_counter() - started:.2f}s")  # noqa: T201
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == COUNT // 2
    newest = rows[0]
    assert newest["at_utc"] == (START + timedelta(minutes=COUNT - 3)).isoformat().replace("+00:00", "Z")
    assert newest["at_local"].endswith("+02:00") or newest["at_local"].endswith("+03:00")
    assert newest["hospital"] == "Spitalul NORD"
    assert newest["section"] == "ATI"
    assert newest["action"] == "beds.free_beds_set"
    assert newest["source"] == "api"
    assert int(newest["new_free_beds"]) == ((COUNT - 3) % 23) - 3
    assert int(newest["old_free_beds"]) == ((COUNT - 7) % 23) - 3
    assert [int(row["seq"]) for row in rows] == sorted((int(row["seq"]) for row in rows), reverse=True)


async def test_csv_export_keeps_typed_text_from_running_as_a_formula(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    hospital = await make_hospital(services, "NORD")
    section = await make_section(services, hospital, "=HYPERLINK(\"http://x\")", section_type="icu")
    await insert_changes(services, [Change(at=START, section_id=section, hospital_id=hospital, free_beds=-1,
                                           actor="@op.one")])
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit/export.csv", params={"hospital": hospital})
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["section"] == "'=HYPERLINK(\"http://x\")"
    assert row["actor"] == "'@op.one"
    assert row["new_free_beds"] == "-1"  # a number, not text: left as it is
    assert row["hospital"] == "Spitalul NORD"
    assert '"free_beds":-1' in row["after"]  # the canonical JSON, which no formula check touches


async def test_account_events_share_the_page(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    response = await client.get("/audit", params={"kind": "admin", "user": "eva.audit"})
    assert "accounts.login" in response.text
    assert "accounts.user_created" not in response.text
    beds_only = await client.get("/audit")
    assert "accounts.login" not in beds_only.text


async def test_the_chain_check_is_shown_after_it_runs(client: httpx.AsyncClient, services: AppServices) -> None:
    await _world(services, 1000)
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    assert "not checked yet" in (await client.get("/audit")).text
    page = await client.get("/audit")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    response = await client.post("/audit/verify", data={"csrf_token": token.group(1)}, follow_redirects=True)
    assert re.search(r"Audit chain intact: 10\d\d events", response.text)


async def test_coordinators_and_operators_may_not_read_history(client: httpx.AsyncClient,
                                                               services: AppServices) -> None:
    await make_user(services, "ion.coord", role="coordinator")
    await log_in(client, "ion.coord")
    assert (await client.get("/audit")).status_code == 403
    assert (await client.get("/audit/export.csv")).status_code == 403
