"""HTTP helpers for tests: a client over the ASGI app, CSRF tokens read from pages like a browser does."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from tests.factories import TEST_PASSWORD

BrowserFactory = Callable[..., httpx.AsyncClient]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def csrf_from(client: httpx.AsyncClient, path: str = "/login") -> str:
    page = await client.get(path)
    found = CSRF_META.search(page.text)
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, username: str, password: str = TEST_PASSWORD) -> httpx.Response:
    token = await csrf_from(client, "/login")
    return await client.post("/login", data={"username": username, "password": password, "csrf_token": token})


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, str],
                    token_page: str = "/account") -> httpx.Response:
    token = await csrf_from(client, token_page)
    return await client.post(path, data={**data, "csrf_token": token})
