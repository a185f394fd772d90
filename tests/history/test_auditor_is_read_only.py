"""Auditors read all history and change nothing: every write route that is not about their own account refuses."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from accounts import csrf, permissions
from accounts.guard import PERMISSION_ATTRIBUTE
from app.kit.state import AppServices
from tests.accounts.test_route_policy import endpoints
from tests.factories import make_user
from tests.web import csrf_from, log_in

# What an auditor may POST: logging in and out, their own account, and re-checking the audit chain (a read).
AUDITOR_MAY = {permissions.PUBLIC, permissions.SIGNED_IN, permissions.ACCOUNT_MANAGE_OWN, permissions.AUDIT_READ}


async def test_every_write_route_refuses_an_auditor(app: Starlette, client: httpx.AsyncClient,
                                                    services: AppServices) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    token = await csrf_from(client, "/account")
    refused = 0
    for route in endpoints(list(app.routes)):
        if not isinstance(route, Route):
            continue
        action = getattr(route.endpoint, PERMISSION_ATTRIBUTE)
        for method in sorted((route.methods or set()) & csrf.UNSAFE_METHODS):
            if action in AUDITOR_MAY:
                assert action != permissions.AUDIT_READ or route.path == "/audit/verify", route.path
                continue
            path = route.path.replace("{", "").replace("}", "").replace(":int", "")
            path = "/".join("1" if part.endswith("id") else part for part in path.split("/"))
            response = await client.request(method, path, headers={csrf.HEADER: token}, data={"x": "1"})
            assert response.status_code == 403, (method, route.path, response.status_code)
            refused += 1
    assert refused > 0
