"""The server's logs never hold a password, a token or a personal number.

The issue asks to grep the logs of a full test run; this is the focused version of that run: the demo
loaded, a real uvicorn (configured as ``bedboard serve`` configures it) serving it, every demo login, a
failed login whose password is another user's, API calls with a bearer token (and a wrong one), a roles
page showing a personnummer, a licence page showing a RUN, and searches for both in the query string,
with the bedboard and uvicorn loggers captured at DEBUG. The captured records are rendered in both log
formats (text and JSON lines) and searched for every secret the demo holds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from accounts import sessions, tokens
from accounts.models import User
from accounts.service import AccountsContext
from app.beds.tokens import BEDS
from app.cli import UVICORN_LOGGING
from app.demo import DemoLogin
from app.kit.actors import Actor
from app.kit.logs import formatter
from app.kit.settings import Settings
from app.kit.state import AppServices
from app.main import create_app
from app.provisioning.licenses.models import License
from app.provisioning.roles.models import Employee
from tests import web
from tests.factories import make_user
from tests.postgres_cluster import free_port

CAPTURED = ("bedboard", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
CSRF = re.compile(r'name="csrf-token" content="([0-9a-f]+)"')
WRONG_TOKEN = "bb_" + "f00d" * 10


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def rendered(self) -> str:
        return "\n".join(formatter(kind).format(record) for record in self.records for kind in ("text", "json"))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    loggers = [logging.getLogger(name) for name in CAPTURED]
    before = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False  # each record once, whatever the root logger does
    yield handler
    for logger, (level, propagate) in zip(loggers, before, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


async def actor_of(services: AppServices, username: str) -> Actor:
    async with services.session_factory() as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return await sessions.actor_for(session, user, source="web", client_address="127.0.0.1")


async def secrets_of_the_demo(services: AppServices, logins: list[DemoLogin]) -> set[str]:
    async with services.session_factory() as session:
        numbers = {number for number in await session.scalars(select(Employee.personal_number)) if number}
        runs = set(await session.scalars(select(License.run)))
    assert numbers
    assert runs
    passwords = {login.password for login in logins if login.password}
    assert len(passwords) == len(logins)
    # Also the bare digits, as a careless log line might print them.
    return passwords | numbers | runs | {re.sub(r"\D", "", value) for value in numbers | runs}


async def log_in(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await http.get("/login")
    found = CSRF.search(page.text)
    assert found
    return await http.post("/login", data={"username": username, "password": password, "csrf_token": found.group(1)})


async def test_no_password_token_or_personal_number_reaches_the_log(
    database_url: str, tmp_path: Path, capture: Capture, demo_now_loaded: list[DemoLogin]
) -> None:
    port = free_port()
    settings = Settings(database_url=database_url, secret_key="k" * 40, var_dir=tmp_path,
                        password_profile="fast-insecure-for-tests", base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings)
    services: AppServices = app.state.services
    logins = demo_now_loaded
    secrets = await secrets_of_the_demo(services, logins)
    hospital_id = (await token_hospitals(services))[0]
    async with services.unit_of_work() as uow:
        token = (await tokens.create_token(uow, actor=await actor_of(services, "admin.samb"), scope=BEDS,
                                           name="hygiene", organisation_id=hospital_id)).raw
    secrets |= {token, WRONG_TOKEN}
    passwords = {login.username: login.password or "" for login in logins}

    config = uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio", lifespan="on",
                            proxy_headers=True, **UVICORN_LOGGING)
    for name in CAPTURED:  # after uvicorn set its own levels
        logging.getLogger(name).setLevel(logging.DEBUG)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped"
            await asyncio.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        for login in logins:
            async with httpx.AsyncClient(base_url=base) as browser:
                assert (await log_in(browser, login.username, passwords[login.username])).status_code == 303
                assert (await browser.get("/", follow_redirects=True)).status_code == 200  # the role's start page
        async with httpx.AsyncClient(base_url=base) as stranger:
            # another user's password, tried on the wrong account
            assert (await log_in(stranger, "admin.samb", passwords["admin.ms"])).status_code == 401
        async with httpx.AsyncClient(base_url=base) as program:
            assert (await program.get("/api/v1/sections", headers={"Authorization": f"Bearer {token}"})
                    ).status_code == 200
            assert (await program.get("/api/v1/sections", headers={"Authorization": f"Bearer {WRONG_TOKEN}"})
                    ).status_code == 401
        await shows_a_personnummer(base, passwords)
        await shows_a_run(base, passwords)
    finally:
        server.should_exit = True
        await serving
        services.get(AccountsContext).hasher.close()

    text = capture.rendered()
    assert "POST /login 303" in text  # one line per request: the capture did see the traffic
    assert '"route": "/api/v1/sections"' in text
    leaked = sorted(secret for secret in secrets if secret in text)
    assert not leaked, f"{len(leaked)} secret(s) in the log, e.g. {leaked[0]!r}"


async def token_hospitals(services: AppServices) -> list[int]:
    async with services.unit_of_work() as uow:
        reach = await tokens.scope_of(BEDS).reach(uow.session, await actor_of(services, "admin.samb"))
        return [hospital_id for hospital_id, _name in reach.choices]


async def shows_a_personnummer(base: str, passwords: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base) as manager:
        assert (await log_in(manager, "chef.kardavd", passwords["chef.kardavd"])).status_code == 303
        staff = await manager.get("/roles/staff", params={"q": "19811218-9876"})
        assert staff.status_code == 200
        employee = re.search(r'href="/roles/employees/(\d+)"', staff.text)
        assert employee, "the staff page lists Anna Berg"
        page = await manager.get(f"/roles/employees/{employee.group(1)}")
        assert "19811218-9876" in page.text  # the page shows it, the log must not


async def shows_a_run(base: str, passwords: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base) as officer:
        assert (await log_in(officer, "ref.laflorida", passwords["ref.laflorida"])).status_code == 303
        page = await officer.get("/licenses", params={"q": "12345678-5"})
        assert page.status_code == 200
        assert "12345678-5" in page.text


def test_json_lines_carry_the_request_fields_and_stay_one_line() -> None:
    record = logging.LogRecord("bedboard.requests", logging.INFO, __file__, 1, "GET %s 200", ("/x",), None)
    record.bedboard_fields = {"route": "/x", "status": 200, "duration_ms": 1.5}
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = formatter("json").format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "GET /x 200"
    assert parsed["route"] == "/x"
    assert parsed["status"] == 200
    assert "line two" in parsed["exception"]


async def test_a_request_line_names_its_route_request_id_and_user(services: AppServices, client: httpx.AsyncClient,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    user = await make_user(services, "coord", role="coordinator")
    assert (await web.log_in(client, "coord")).status_code == 303
    caplog.set_level(logging.INFO, logger="bedboard.requests")
    response = await client.get("/admin/users/12345")  # an id in the path, not in the line
    lines = [record for record in caplog.records if record.name == "bedboard.requests"]
    assert len(lines) == 1
    fields = getattr(lines[0], "bedboard_fields")  # noqa: B009 - set through ``extra``, unknown to mypy
    assert fields["route"] == "/admin/users/{user_id}"
    assert fields["request_id"] == response.headers["x-request-id"]
    assert fields["actor_id"] == str(user.id)
    assert "12345" not in lines[0].getMessage()
