"""One route case of the object-scope tests (test_object_scope.py, test_roles_region_scope.py): a user of one
organisation sends a request naming another's object; it must be refused with nothing changed, and the same
request must pass for the owning organisation's holder of that role, so that a case refused for another reason
(a wrong field, a wrong state) cannot pass as scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from app.kit.state import AppServices
from tests.provisioning.snapshot import changed_tables, domain_rows, refusals_by
from tests.web import csrf_from, log_in


@dataclass(frozen=True)
class Case:
    username: str
    method: str
    path: str  # formatted with the other organisation's ids
    status: int
    form: tuple[tuple[str, str], ...] = ()
    json: dict[str, Any] | None = None


async def send(client: httpx.AsyncClient, case: Case, values: dict[str, Any]) -> httpx.Response:
    path = case.path.format(**values)
    if case.method == "GET":
        return await client.get(path)
    token = await csrf_from(client, "/account")
    if case.json is not None:
        body = {name: value.format(**values) if isinstance(value, str) else value for name, value in case.json.items()}
        return await client.post(path, json=body, headers={"X-CSRF-Token": token})
    return await client.post(path, data={**{name: value.format(**values) for name, value in case.form},
                                         "csrf_token": token})


async def refused_and_unchanged(client: httpx.AsyncClient, services: AppServices, case: Case,
                                values: dict[str, Any]) -> httpx.Response:
    """Logs in as the case's user and sends it: the case's status, every domain row as it was, a 403 audited."""
    assert (await log_in(client, case.username)).status_code == 303
    before = await domain_rows(services)
    answer = await send(client, case, values)
    assert answer.status_code == case.status, answer.text[:500]
    assert changed_tables(before, await domain_rows(services)) == []
    if case.status == 403:
        assert await refusals_by(services, case.username) >= 1
    return answer


async def allowed_to_its_owner(client: httpx.AsyncClient, case: Case, values: dict[str, Any],
                               owner: str) -> httpx.Response:
    """The control: ``owner`` (of the object's organisation, holding the same role) is let through."""
    await client.post("/logout", data={"csrf_token": await csrf_from(client, "/account")})
    assert (await log_in(client, owner)).status_code == 303
    answer = await send(client, case, values)
    assert answer.status_code not in (403, 404), answer.text[:500]
    return answer
