"""What a benchmark runs against: a seeded database, a durable PostgreSQL, and uvicorn serving bedboard."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from accounts.models import ApiToken, Organisation
from accounts.service import AccountsContext
from accounts.tokens import token_digest
from app.beds.models import Hospital, HospitalType, Section, SectionType
from app.kit.settings import Settings
from app.main import create_app
from app.migrations import upgrade_to_head
from tests.factories import TEST_PASSWORD, make_organisation, make_user
from tests.live_server import stop_process, wait_until_healthy
from tests.postgres_cluster import free_port

SECRET = "bench-secret-" + "b" * 40
BENCH_TOKEN = "bb_bench-token-" + "t" * 32
COORDINATORS = 20  # one per login of the login storm, plus the board clients' own


@dataclass(frozen=True)
class Seeded:
    database_url: str
    hospital_id: int
    section_ids: list[int]
    surgery_type: int


async def _seed(database_url: str, var_dir: Path, sections: int) -> Seeded:
    app = create_app(Settings(database_url=database_url, secret_key=SECRET, var_dir=var_dir))
    services = app.state.services
    try:
        await make_organisation(services, "SAMB")
        async with services.unit_of_work() as uow:
            session = uow.session
            type_ids = {row.code: row.id for row in await session.scalars(select(SectionType))}
            emergency = await session.scalar(select(HospitalType.id).where(HospitalType.code == "emergency"))
            organisation = Organisation(code="H-BENCH", name="Spitalul Benchmark", kind="hospital")
            session.add(organisation)
            await session.flush()
            session.add(Hospital(organisation_id=organisation.id, hospital_type_id=emergency or 0,
                                 short_code="H-BENCH"))
            await session.flush()
            now = datetime.now(UTC)
            rows = [
                {"hospital_id": organisation.id, "section_type_id": type_ids["surgery" if n % 2 else "icu"],
                 "code": f"S{n:05d}", "name": f"Secția {'Chirurgie' if n % 2 else 'ATI'} {n}", "total_beds": 40,
                 "free_beds": n % 20, "version": 1, "updated_at": now, "updated_by": "bench"}
                for n in range(sections)]
            if rows:
                await session.execute(insert(Section), rows)
            session.add(ApiToken(name="bench", hospital_id=organisation.id, token_hash=token_digest(BENCH_TOKEN),
                                 prefix=BENCH_TOKEN[:10], created_by="bench", created_at=now))
            section_ids = list(await session.scalars(select(Section.id).order_by(Section.id)))
            hospital_id = organisation.id
        for number in range(COORDINATORS + 1):
            await make_user(services, f"coord{number}", role="coordinator")
        return Seeded(database_url, hospital_id, section_ids, type_ids["surgery"])
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


def seed(database_url: str, var_dir: Path, sections: int) -> Seeded:
    upgrade_to_head(database_url)
    return asyncio.run(_seed(database_url, var_dir, sections))


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws/beds"

    def stop(self) -> None:
        stop_process(self.process)


def start_bedboard(database_url: str, var_dir: Path, *, ws: str = "websockets-sansio", workers: int = 1,
                   timeout: float = 60.0) -> Server:
    """uvicorn as ``bedboard serve`` runs it, but with a chosen websocket implementation."""
    port = free_port()
    log = var_dir / f"uvicorn-{port}.log"
    command = [sys.executable, "-m", "uvicorn", "app.main:app_from_environment", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--ws", ws, "--ws-max-size", "65536",
               "--no-access-log", "--log-level", "warning", "--backlog", "4096", "--workers", str(workers)]
    environment = {**os.environ, "BEDBOARD_DATABASE_URL": database_url, "BEDBOARD_VAR_DIR": str(var_dir),
                   "BEDBOARD_SECRET_KEY": SECRET, "BEDBOARD_BASE_URL": f"http://127.0.0.1:{port}"}
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    if wait_until_healthy(server.url, process, log, timeout):
        time.sleep(0.5 if workers > 1 else 0.0)  # every worker up, not only the first
        return server
    server.stop()
    raise RuntimeError(f"uvicorn did not answer within {timeout} s:\n{log.read_text()}")


CSRF = re.compile(r'name="csrf-token" content="([0-9a-f]+)"')


async def log_in(client: httpx.AsyncClient, username: str, *, check: bool = True) -> int:
    """Log in as a person does: the form's CSRF token, then the form; answers the form's status."""
    page = await client.get("/login")
    found = CSRF.search(page.text)
    if found is None:
        raise RuntimeError("the login page has no CSRF token")
    response = await client.post("/login", data={"username": username, "password": TEST_PASSWORD,
                                                 "csrf_token": found.group(1)})
    if check and response.status_code != 303:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return response.status_code


async def _cookie(url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await log_in(client, username)
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def session_cookie(url: str, username: str = f"coord{COORDINATORS}") -> str:
    return asyncio.run(_cookie(url, username))
