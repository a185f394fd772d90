"""Schemathesis over every operation of the OpenAPI document (issue 18): no input it generates is a 5xx.

A real uvicorn serves the demo data; every operation of ``/api/v1/openapi.json`` (beds, licences, roles and
orders) is called with Schemathesis' generated cases, 15 a operation and derandomised (the same cases every run),
as each kind of caller the API has: a logged-in session with its CSRF header (an operator, an IT contact who
places orders, an employee with login tickets), a hospital's bed token and a licence-usage token. The one check
is Schemathesis' ``not_a_server_error``; the figures are printed per database.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import APIOperation
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from sqlalchemy import select

from accounts import tokens
from accounts.models import Organisation
from accounts.service import AccountsContext
from app.beds.tokens import BEDS
from app.demo import DemoLogin
from app.kit.settings import Settings
from app.main import create_app
from app.provisioning.licenses.usage_tokens import LICENSES_USAGE
from tests.beds.test_api_setup import actor_of
from tests.live_server import TEST_SECRET, LiveServer, start_server

CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
SESSION_USERS = ("op.floreasca", "it.lund", "anna.berg")
EXAMPLES = 15


async def _seed(database_url: str, var_dir: Path) -> dict[str, str]:
    """One raw token of each scope, on the demo."""
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET, var_dir=var_dir,
                              password_profile="fast-insecure-for-tests"))
    services = app.state.services
    try:
        async with services.session_factory() as session:
            hospital = await session.scalar(select(Organisation.id).where(Organisation.code == "H-FLOR"))
        async with services.unit_of_work() as uow:
            bed = await tokens.create_token(uow, actor=await actor_of(services, "admin.samb"), scope=BEDS,
                                            name="HIS Floreasca", organisation_id=int(hospital or 0))
        async with services.unit_of_work() as uow:
            usage = await tokens.create_token(uow, actor=await actor_of(services, "officer.ssmso"),
                                              scope=LICENSES_USAGE, name="Rayen usage", organisation_id=None)
        return {"bed token": bed.raw, "licence-usage token": usage.raw}
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


@pytest.fixture
def served_demo(database_url: str, tmp_path: Path,
                demo_now_loaded: list[DemoLogin]) -> Iterator[tuple[LiveServer, dict[str, str], dict[str, str]]]:
    passwords = {login.username: login.password or "" for login in demo_now_loaded}
    with ThreadPoolExecutor(max_workers=1) as worker:
        raw_tokens = worker.submit(asyncio.run, _seed(database_url, tmp_path)).result()
    server = start_server(database_url, tmp_path)
    try:
        yield server, passwords, raw_tokens
    finally:
        server.stop()


def session_headers(server: LiveServer, username: str, password: str) -> tuple[requests.Session, dict[str, str]]:
    browser = requests.Session()
    page = browser.get(f"{server.url}/login", timeout=10)
    token = CSRF_META.search(page.text)
    assert token
    answer = browser.post(f"{server.url}/login", timeout=30, allow_redirects=False,
                          data={"username": username, "password": password, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text[:300]
    found = CSRF_META.search(browser.get(f"{server.url}/account", timeout=10).text)
    assert found
    return browser, {"X-CSRF-Token": found.group(1), "Origin": server.url}


def fuzz(operation: APIOperation[Any, Any, Any, Any], base_url: str, browser: requests.Session, headers: dict[str, str],
         statuses: Counter[int]) -> str | None:
    """Runs one operation's cases as one caller; the first failure's text, or None."""

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        # The document allows either scheme: generated credentials would stand in for the caller's own.
        if case.headers:
            case.headers.pop("Authorization", None)
        if case.cookies:
            case.cookies.clear()
        response = case.call(base_url=base_url, session=browser, headers=headers, timeout=30)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    try:
        run()
    except Exception as failure:  # noqa: BLE001 - every operation is tried; all failures are listed
        return f"{operation.label}: {str(failure)[:600]}"
    return None


def test_no_generated_case_gets_a_server_error(served_demo: tuple[LiveServer, dict[str, str], dict[str, str]],
                                              database_url: str) -> None:
    server, passwords, raw_tokens = served_demo
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 10  # every operation of the document can be generated for
    callers: dict[str, tuple[requests.Session, dict[str, str]]] = {
        f"session of {username}": session_headers(server, username, passwords[username])
        for username in SESSION_USERS}
    callers.update({scope: (requests.Session(), {"Authorization": f"Bearer {raw}"})
                    for scope, raw in raw_tokens.items()})
    by_caller: dict[str, Counter[int]] = {caller: Counter() for caller in callers}
    failures = [f"{caller} {failure}" for caller, (browser, headers) in callers.items() for operation in operations
                if (failure := fuzz(operation, server.url, browser, headers, by_caller[caller])) is not None]
    statuses = sum(by_caller.values(), Counter[int]())
    sent = sum(statuses.values())
    print(f"\n{database_url.split(':', 1)[0]}: {len(operations)} operations x {len(callers)} callers, "  # noqa: T201
          f"{sent} requests, {sum(c for s, c in statuses.items() if 400 <= s < 500)} refused (4xx), "
          f"{sum(c for s, c in statuses.items() if s >= 500)} 5xx; statuses {dict(sorted(statuses.items()))}")
    print({caller: dict(sorted(counts.items())) for caller, counts in by_caller.items()})  # noqa: T201
    assert not failures, "\n\n".join(failures)
    assert sent >= len(operations) * len(callers)
