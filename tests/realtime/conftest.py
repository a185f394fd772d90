"""A real uvicorn serving a small seeded board, and clients that log in and open the board socket."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from accounts.service import AccountsContext
from app.beds.models import SectionType
from app.kit.settings import Settings
from app.main import create_app
from tests.beds.factories import make_hospital, make_section
from tests.factories import TEST_PASSWORD, make_organisation, make_user
from tests.live_server import TEST_SECRET, LiveServer, start_server


@dataclass
class BoardWorld:
    url: str
    surgery_a: int
    icu_a: int
    surgery_b: int
    surgery_type: int
    hospital_a: int
    hospital_b: int
    servers: list[LiveServer] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws/beds"


async def _seed(database_url: str, var_dir: Path) -> dict[str, int]:
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        await make_organisation(services, "SAMB")
        hospital_a = await make_hospital(services, "H-A", "Spitalul A")
        hospital_b = await make_hospital(services, "H-B", "Spitalul B", hospital_type="clinical")
        ids = {
            "hospital_a": hospital_a,
            "hospital_b": hospital_b,
            "surgery_a": await make_section(services, hospital_a, "Secţia Chirurgie", total_beds=20, free_beds=10,
                                            code="S1"),
            "icu_a": await make_section(services, hospital_a, "ATI", section_type="icu", total_beds=10, free_beds=2,
                                        code="S2"),
            "surgery_b": await make_section(services, hospital_b, "Chirurgie B", total_beds=30, free_beds=3, code="S3"),
        }
        await make_user(services, "coord", role="coordinator")
        await make_user(services, "op.a", role="operator", organisation="H-A")
        async with services.session_factory() as session:
            ids["surgery_type"] = int(await session.scalar(select(SectionType.id).where(SectionType.code == "surgery"))
                                      or 0)
        return ids
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


@pytest.fixture
def board_world(database_url: str, tmp_path: Path) -> Iterator[BoardWorld]:
    with ThreadPoolExecutor(max_workers=1) as worker:
        ids = worker.submit(asyncio.run, _seed(database_url, tmp_path)).result()
    server = start_server(database_url, tmp_path, BEDBOARD_HEARTBEAT_SECONDS="0.3")
    world = BoardWorld(url=server.url, servers=[server], **ids)
    yield world
    for running in world.servers:
        running.stop()


class Browser:
    """An HTTP client with its own cookies, logged in like a person would."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url)
        self.base_url = base_url
        self.csrf = ""

    async def log_in(self, username: str) -> None:
        page = await self.http.get("/login")
        token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
        assert token
        response = await self.http.post("/login", data={"username": username, "password": TEST_PASSWORD,
                                                        "csrf_token": token.group(1)})
        assert response.status_code == 303, response.text
        account = await self.http.get("/account")
        found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', account.text)
        assert found
        self.csrf = found.group(1)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    async def open_board(self, ws_url: str, origin: str | None = None) -> ClientConnection:
        return await connect(ws_url, origin=origin or self.base_url,  # type: ignore[arg-type]
                             additional_headers={"Cookie": self.cookie_header()}, compression=None)

    async def set_free_beds(self, section_id: int, free_beds: int, version: int) -> httpx.Response:
        return await self.http.put(f"/api/v1/sections/{section_id}/free-beds",
                                   json={"free_beds": free_beds, "expected_version": version},
                                   headers={"X-CSRF-Token": self.csrf})

    async def close(self) -> None:
        await self.http.aclose()


async def next_message(socket: ClientConnection, *, skip: tuple[str, ...] = ("heartbeat", "resumed"),
                       timeout: float = 10.0) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout  # heartbeats must not extend the wait
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), remaining))
        if message["type"] not in skip:
            return message


async def subscribe(socket: ClientConnection, filters: dict[str, Any] | None = None, since: int | None = None,
                    epoch: str | None = None) -> None:
    await socket.send(json.dumps({"type": "subscribe", "filters": filters or {}, "since": since, "epoch": epoch}))
