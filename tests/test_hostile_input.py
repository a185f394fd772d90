"""Hostile input sweep (issue 18): every route of the app, generated from its route table, gets hostile input.

Each POST/PUT/PATCH/DELETE route gets forms (and JSON under /api/) whose every field holds a NUL, a lone surrogate,
10,000 characters, a calendar-edge date or a negative/huge/fractional/non-numeric number; multipart uploads of
deeply nested JSON and YAML and of a CSV with a NUL; deeply nested JSON; and bodies of the wrong content type.
Each GET route gets the same values in its query parameters (all at once, and the known query
names with a date, a moment, a number and a word, halved until each name a route refuses has gone alone), and every
route gets hostile path parameters. A
demo user whose role may call the route sends them, with a valid CSRF token, on the demo data.

Field names are not listed by hand: they are read from the pages the sweep visits (every ``name=`` of an input,
select or textarea) and from the OpenAPI document's properties, so a new route or field is covered as it comes.
The expectation is always a 4xx with a message, or a 2xx/3xx where the input is legitimately accepted; never a
5xx. The figures (requests sent, refused, accepted, 5xx) are printed per database.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from accounts.guard import PERMISSION_ATTRIBUTE
from accounts.permissions import PUBLIC, ROLE_ACTIONS, SIGNED_IN
from app.demo import DemoLogin
from app.kit.state import AppServices

CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
SURROGATE = "\ud800"  # sent as the escape "\ud800" in JSON and as the bytes ED A0 80 (invalid UTF-8) in forms
HOSTILE_VALUES: dict[str, str] = {
    "nul": "a\x00b",
    "surrogate": SURROGATE,
    "10000 characters": "x" * 10_000,
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "first moment": "0001-01-01 00:00",
    "last moment": "9999-12-31T23:59:59+14:00",
    "negative": "-1",
    "huge": "9" * 30,
    "fraction": "1.5",
    "exponent": "1e308",
    "word": "abc",
}
JSON_VALUES: dict[str, object] = {**HOSTILE_VALUES, "negative number": -1, "huge number": 10**30, "float": 1.5,
                                  "true": True, "null": None, "list": [], "object": {}}
DEEP_JSON = "[" * 5000 + "]" * 5000
HOSTILE_PATH_VALUES = ("%00", "-1", "99999999999999999999", "abc", "1.5", "%ED%A0%80")
# Query names the pages do not show as form fields but routes read (filters, paging, time ranges).
KNOWN_QUERY_NAMES = ("q", "from", "to", "at", "hospital", "section", "section_type", "hospital_type", "kind", "user",
                     "before", "state", "page", "since", "stale_only", "event", "person", "organisation")
# The values each known query name also gets alone (a date, a moment, a number and a word each).
ALONE_VALUES = ("first day", "first moment", "last moment", "huge", "word")
PATH_DEFAULTS = {"key": "skane_audiology", "kind": "csv", "task_key": "x", "token": "x" * 40}
UPLOADS = {
    "deep JSON file": ("deep.json", ('{"hospitals": ' + DEEP_JSON + ', "roles": ' + DEEP_JSON + "}").encode()),
    "deep YAML file": ("deep.yaml", ("events: " + "[" * 3000 + "]" * 3000 + "\n").encode()),
    "CSV file with a NUL": ("list.csv", b"a,b,c\nx\x00,y,z\n"),
}
SKIPPED_PATHS = frozenset({"/logout"})  # it ends the sweeping user's session, which is all it does
# The routes are shared between this many tests per database, so that both test workers take part (one sweep was
# the last test running, alone, for about four minutes of a twenty-minute suite).
SHARDS = 3


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    silent_refusals: list[str] = field(default_factory=list)

    def record(self, what: str, response: httpx.Response) -> None:
        self.sent += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.status_code} {what}")
        elif response.status_code >= 400 and not response.text.strip():
            self.silent_refusals.append(f"{response.status_code} {what}")

    @property
    def refused(self) -> int:
        return sum(count for status, count in self.statuses.items() if 400 <= status < 500)


@dataclass
class Visitor:
    """A demo user's browser: its own client address (so throttling of one does not lock out another)."""

    app: Starlette
    username: str | None
    password: str | None
    address: str
    client: httpx.AsyncClient = field(init=False)
    csrf: str = ""

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, client=(self.address, 5000)),
                                        base_url="http://testserver")

    async def log_in(self) -> None:
        self.client.cookies.clear()  # the login page sends a logged-in browser away
        page = await self.client.get("/login")
        token = CSRF_META.search(page.text)
        assert token, page.text[:200]
        if self.username is not None:
            await self.client.post("/login", data={"username": self.username, "password": self.password or "",
                                                   "csrf_token": token.group(1)})
        page = await self.client.get("/account" if self.username else "/login")
        found = CSRF_META.search(page.text)
        self.csrf = found.group(1) if found else token.group(1)


def demo_user_for(action: str, logins: dict[str, tuple[str, str]]) -> str | None:
    """The first demo user whose role allows ``action`` (anyone logged in for "signed_in"; nobody for public)."""
    if action == PUBLIC:
        return None
    for username, (role, _password) in logins.items():
        if action == SIGNED_IN or action in ROLE_ACTIONS.get(role, frozenset()):
            return username
    raise AssertionError(f"no demo user may {action}: the demo should have one per role")


def api_field_names(document: object) -> set[str]:
    names: set[str] = set()
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if isinstance(value.get("properties"), dict):
                names.update(value["properties"])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return names


def path_of(route: Route, override: str | None = None) -> str:
    path = route.path
    for name in route.param_convertors:
        value = override if override is not None else PATH_DEFAULTS.get(name, "1")
        path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", value, path)
    return path


def form_body(names: set[str], value: str, csrf: str) -> bytes:
    """An urlencoded form with every field set to ``value``; a lone surrogate goes as the bytes UTF-8 forbids."""
    pairs = [(name, value) for name in sorted(names)]
    if value == SURROGATE:
        encoded = urlencode([(name, "MARK") for name, _value in pairs]).replace("MARK", "%ED%A0%80")
    else:
        encoded = urlencode(pairs)
    return (encoded + "&" if encoded else "").encode() + urlencode({"csrf_token": csrf}).encode()


def json_body(names: set[str], value: object) -> bytes:
    # ensure_ascii: a NUL goes as the escape \u0000 and a lone surrogate as \ud800, as a hostile client sends them
    return json.dumps({name: value for name in sorted(names)}, ensure_ascii=True).encode()


def body_variants(route: Route, form_names: set[str], json_names: set[str],
                  csrf: str) -> Iterator[tuple[str, dict[str, object]]]:
    """(what, request arguments) for one unsafe route."""
    is_api = route.path.startswith("/api/")
    header = {"x-csrf-token": csrf}
    for what, value in HOSTILE_VALUES.items():
        yield f"form {what}", {"content": form_body(form_names, value, csrf),
                               "headers": {**header, "content-type": "application/x-www-form-urlencoded"}}
    for what, (file_name, content) in UPLOADS.items():
        yield f"multipart {what}", {"data": {"csrf_token": csrf, **{name: "a\x00b" for name in form_names
                                                                    if name != "csrf_token"}},
                                    "files": {"file": (file_name, content)}, "headers": header}
        yield f"multipart {what} only", {"data": {"csrf_token": csrf}, "files": {"file": (file_name, content)},
                                         "headers": header}
    json_header = {**header, "content-type": "application/json"}
    for kind, json_value in (JSON_VALUES.items() if is_api else list(JSON_VALUES.items())[:3]):
        yield f"JSON {kind}", {"content": json_body(json_names, json_value), "headers": json_header}
    yield "JSON nested 5000 deep", {"content": DEEP_JSON.encode(), "headers": json_header}
    yield "JSON object nested 100 deep", {"content": ('{"a":' * 100 + "1" + "}" * 100).encode(),
                                          "headers": json_header}
    yield "text/plain", {"content": b"free_beds=3", "headers": {**header, "content-type": "text/plain"}}
    yield "no content type", {"content": b"\x00\xff", "headers": header}


def query_variants(names: set[str]) -> Iterator[tuple[str, str]]:
    for what, value in HOSTILE_VALUES.items():
        shown = "%ED%A0%80" if value == SURROGATE else quote(value, safe="")
        chosen = KNOWN_QUERY_NAMES[:5] if len(value) > 100 else sorted(names)  # httpx allows 64 KiB URLs
        yield f"query {what}", "&".join(f"{quote(name, safe='')}={shown}" for name in chosen)


def query_string(names: Sequence[str], what: str) -> str:
    value = HOSTILE_VALUES[what]
    shown = "%ED%A0%80" if value == SURROGATE else quote(value, safe="")
    return "&".join(f"{quote(name, safe='')}={shown}" for name in names)


def sent_to_log_in(response: httpx.Response) -> bool:
    return response.status_code in (401, 303) and "/login" in response.headers.get("location", "/login")


Send = Callable[[Visitor, str, Route, str, str, dict[str, object]], Awaitable[httpx.Response]]


async def halve_refused_queries(visitor: Visitor, route: Route, what: str, names: Sequence[str], send: Send,
                                plain_status: int) -> None:
    """Send ``names`` together with the value ``what``; when that makes the route refuse, send each half again.

    With every field set at once, the first field a route checks refuses the request, and a later field's 500 went
    unnoticed (with /audit's day range check removed, the sweep passed). Halving what is refused sends every name a
    route refuses alone in the end, as sending each name alone did, while a route that reads none of them costs one
    request instead of one per name (the sweep sent about 10,000 requests per database, 7,000 of them names alone).
    A refusal with the status the route gives without any query (``plain_status``: the demo has no object 1 of
    that kind, or the sweeping user may not see it) is the route's own and not the names', so it is not halved.
    NUL and surrogates need not go alone: the guard checks every field.
    """
    response = await send(visitor, "GET", route, f"query {', '.join(names)} with {what}",
                          f"{path_of(route)}?{query_string(names, what)}", {})
    if 400 <= response.status_code < 500 and response.status_code != plain_status and len(names) > 1:
        middle = len(names) // 2
        await halve_refused_queries(visitor, route, what, names[:middle], send, plain_status)
        await halve_refused_queries(visitor, route, what, names[middle:], send, plain_status)


async def sweep(app: Starlette, services: AppServices, logins: dict[str, tuple[str, str]], shard: int) -> Tally:
    """Every page read for its field names, then the hostile requests to every ``SHARDS``-th route from ``shard``."""
    tally = Tally()
    visitors: dict[str | None, Visitor] = {}

    async def visitor_for(username: str | None) -> Visitor:
        if username not in visitors:
            password = logins[username][1] if username else None
            visitors[username] = Visitor(app, username, password, f"10.7.{len(visitors)}.1")
            await visitors[username].log_in()
        return visitors[username]

    async def send(visitor: Visitor, method: str, route: Route, what: str, path: str,
                   arguments: dict[str, object]) -> httpx.Response:
        response = await visitor.client.request(method, path, **arguments)  # type: ignore[arg-type]
        if visitor.username and sent_to_log_in(response):
            # An earlier request ended the session (logging out, a deactivated user): log in again and send this
            # one again, so that it reaches its route instead of counting as accepted at the login page.
            await visitor.log_in()
            response = await visitor.client.request(method, path, **arguments)  # type: ignore[arg-type]
        tally.record(f"{method} {route.path} as {visitor.username or 'anonymous'}: {what}", response)
        if sent_to_log_in(response):
            await visitor.log_in()  # this request itself ended the session (POST /logout)
        return response

    routes = [route for route in app.routes if isinstance(route, Route) and route.path not in SKIPPED_PATHS]
    form_names, json_names = set(), api_field_names((await (await visitor_for(None)).client.get(
        "/api/v1/openapi.json")).json())
    # First every page, read for its field names: then every field name is known before anything is posted.
    plain_statuses: dict[str, int] = {}
    for route in routes:
        if "GET" in (route.methods or ()):
            visitor = await visitor_for(demo_user_for(getattr(route.endpoint, PERMISSION_ATTRIBUTE, PUBLIC), logins))
            page = await visitor.client.get(path_of(route))
            tally.record(f"GET {route.path} (plain)", page)
            plain_statuses[route.path] = page.status_code
            form_names.update(FIELD_NAME.findall(page.text))
    form_names.discard("csrf_token")
    for route in routes[shard::SHARDS]:
        action = getattr(route.endpoint, PERMISSION_ATTRIBUTE, PUBLIC)
        visitor = await visitor_for(demo_user_for(action, logins))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            requests: list[tuple[str, str, dict[str, object]]] = []
            if method == "GET":
                requests += [(what, f"{path_of(route)}?{query}", {})
                             for what, query in query_variants(form_names | set(KNOWN_QUERY_NAMES))]
            else:
                requests += [(what, path_of(route), arguments)
                             for what, arguments in body_variants(route, form_names, json_names, visitor.csrf)]
            if route.param_convertors:
                requests += [(f"path {value}", path_of(route, value),
                              {} if method == "GET" else {"data": {"csrf_token": visitor.csrf}})
                             for value in HOSTILE_PATH_VALUES]
            for what, path, arguments in requests:
                await send(visitor, method, route, what, path, arguments)
            if method == "GET":
                for what in ALONE_VALUES:
                    await halve_refused_queries(visitor, route, what, KNOWN_QUERY_NAMES, send,
                                                plain_statuses[route.path])
    for visitor in visitors.values():
        await visitor.client.aclose()
    return tally


@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda shard: f"routes {shard + 1} of {SHARDS}")
async def test_no_hostile_input_gets_a_server_error(app: Starlette, services: AppServices, demo_loaded: list[DemoLogin],
                                                    database_url: str, caplog: pytest.LogCaptureFixture,
                                                    shard: int) -> None:
    logins = {login.username: (login.role, login.password or "") for login in demo_loaded}
    with caplog.at_level(logging.ERROR, logger="bedboard.errors"):
        tally = await sweep(app, services, logins, shard)
    backend = database_url.split(":", 1)[0]
    print(f"\n{backend}, routes {shard + 1} of {SHARDS}: {tally.sent} requests sent, "  # noqa: T201
          f"{tally.refused} refused (4xx), {sum(c for s, c in tally.statuses.items() if s < 400)} accepted (2xx/3xx), "
          f"{len(tally.server_errors)} 5xx; statuses {dict(sorted(tally.statuses.items()))}")
    formatter = logging.Formatter()
    traces = "\n".join(record.getMessage() + "\n" + formatter.formatException(record.exc_info)[-700:]
                       for record in caplog.records[:5] if record.exc_info)
    assert not tally.server_errors, "\n".join(tally.server_errors[:60]) + "\n" + traces
    assert not tally.silent_refusals, "\n".join(tally.silent_refusals[:30])
    assert tally.sent > 1000  # every route was reached (a route table that came back empty would pass silently)
