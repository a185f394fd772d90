"""Every route x every role x an object of its own organisation and one of another, from the router.

The routes come from the app's route table and the objects from the demo data, so a new route is covered
without editing this test; a route with a path parameter that ``ROUTE_OBJECTS`` does not declare fails it.
Three kinds of cell, each an outcome a user would notice:

- **the role's cell**: a role whose permissions do not include the route's is refused (403; an anonymous
  visitor is sent to log in, or 401 under ``/api/``), checked for every route, method and role;
- **the insider's cell**: a demo user of a role the route is for reaches it (a page or object of their own
  organisation answers below 400), checked for every GET;
- **the outsider's cell**: a user of the same role in an organisation of its own, with nothing in it, asks
  for each demo object the route names and gets 403 or 404, and nothing changes (the audit log, which every
  write goes through, grows by refusals only), checked for every method.

It runs on SQLite: who may do what is decided in Python the same way on both databases (the services' queries
are exercised on PostgreSQL by their own tests and by the hostile-input sweep).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from starlette.applications import Starlette
from starlette.routing import Route

from accounts import csrf
from accounts.guard import PERMISSION_ATTRIBUTE
from accounts.models import User
from accounts.permissions import BOARD_VIEW, PUBLIC, ROLE_ACTIONS, ROLE_ORGANISATION_KINDS, SIGNED_IN
from app.beds.alerts.firing import fire
from app.beds.alerts.models import AlertRule
from app.demo import DemoLogin, read_credentials
from app.kit.audit import AuditEvent
from app.kit.db import session_now
from app.kit.state import AppServices
from app.notifications.outbox import MAX_ATTEMPTS, enqueue
from app.provisioning.licenses.usage_api import TOKEN_ONLY_ATTRIBUTE
from tests.accounts.test_route_policy import endpoints
from tests.factories import TEST_PASSWORD, make_organisation, make_user
from tests.web import csrf_from, log_in

EVERYONE = "everyone"
ORGANISATION = "organisation"
# Audit actions a refused request may write (refusals are recorded, aggregated or not).
REFUSAL_ACTIONS = frozenset({"accounts.authorization_refused", "accounts.authorization_refused_repeated"})
OUTSIDER_ROWS = 3  # objects tried per outsider and route: the first of each kind is enough to find a hole


@dataclass(frozen=True)
class Objects:
    """How a route's path parameters are filled from the demo data, and who may reach those objects.

    ``finder`` is SQL whose columns are named like the route's parameters; ``reach`` is ``ORGANISATION``
    (only users of the object's own organisation, or the one above it, may reach it) or ``EVERYONE`` (any user
    holding ``open_to``, or any the route's permission admits, with ``why`` saying why that is right).
    ``body`` is what an outsider sends: a plausible request, so that it is refused for whose object it names
    and not for an empty form; ``query`` is added to the path.
    """

    finder: str
    reach: str = ORGANISATION
    why: str = ""
    open_to: str | None = None
    body: dict[str, object] | None = None
    query: str = ""
    # Where a route's writes reach fewer than its reads (everyone reads a hospital's admission status, only its own
    # people set it): the reach of its other methods.
    writes_reach: str | None = None

    def reach_of(self, method: str) -> str:
        return self.writes_reach if method != "GET" and self.writes_reach is not None else self.reach


# Hospital operators first: every authority's administrators see them, only the owning one manages them.
USERS = Objects("SELECT u.id AS user_id FROM users u JOIN organisations o ON o.id = u.organisation_id "
                "ORDER BY o.kind = 'hospital' DESC, u.id")
LICENCE_REQUESTS = Objects("SELECT id AS request_id FROM provisioning_requests WHERE kind LIKE 'licenses.%' "
                           "ORDER BY id")
ROLE_REQUESTS = Objects("SELECT id AS request_id FROM provisioning_requests WHERE kind = 'roles.assignment' "
                        "ORDER BY id")
ROLE_CHANGES = Objects("SELECT request_id FROM role_catalogue_changes ORDER BY request_id")
EMPLOYEES = Objects("SELECT id AS employee_id FROM employees ORDER BY id")
ROLE_CATALOGUES = Objects("SELECT id AS catalogue_id FROM role_catalogues ORDER BY id")
ROLE_UNITS = "SELECT organisation_id AS unit_id FROM role_units ORDER BY organisation_id"
ORDER_PEOPLE = Objects("SELECT id AS person_id FROM order_people ORDER BY id")
ORDERS = Objects("SELECT request_id AS order_id FROM it_orders ORDER BY request_id")
ORDER_GROUPS = Objects("SELECT DISTINCT group_key FROM order_group_members ORDER BY group_key")
HELD_TASKS = "SELECT group_key, task_id, 'release' AS step FROM order_task_holders ORDER BY task_id"
ORDER_CATALOGUES = Objects("SELECT catalogue_key AS key, version FROM order_catalogue_versions ORDER BY id")

ROUTE_OBJECTS: dict[str, Objects] = {
    "/admin/users/{user_id}": USERS,
    "/admin/users/{user_id}/deactivate": USERS,
    "/admin/users/{user_id}/reactivate": USERS,
    "/admin/users/{user_id}/delete": USERS,
    "/admin/users/{user_id}/reset-password": USERS,
    "/admin/users/{user_id}/email": USERS,
    # A dead letter to a Chilean referent: only its tree's administrators see it and send it again.
    "/admin/outbox/dead-letters/{message_id}/send-again": Objects(
        "SELECT id AS message_id FROM mail_outbox WHERE dead_at IS NOT NULL ORDER BY id"),
    # Only the ministry's administrators take an operator over; an outsider authority's admin is refused.
    "/admin/users/{user_id}/take-ownership": USERS,
    "/operator/sections/{section_id:int}": Objects("SELECT id AS section_id FROM sections ORDER BY id",
                                                   body={"free_beds": "1", "expected_version": "1"}),
    "/admin/nomenclature/example.{kind}": Objects(
        "SELECT 'csv' AS kind UNION SELECT 'json'", EVERYONE, "an example file, the same for every administrator"),
    "/admin/nomenclature/{import_id:int}": Objects(
        "SELECT id AS import_id FROM nomenclature_imports", EVERYONE,
        "the nomenclature is the country's, kept by every administrator (docs/nomenclature.md)"),
    "/admin/nomenclature/{import_id:int}/apply": Objects(
        "SELECT id AS import_id FROM nomenclature_imports", EVERYONE, "as above"),
    "/admin/nomenclature/{import_id:int}/cancel": Objects(
        "SELECT id AS import_id FROM nomenclature_imports", EVERYONE, "as above"),
    "/admin/nomenclature/intervals/{type_id:int}": Objects(
        "SELECT id AS type_id FROM section_types ORDER BY id", EVERYONE,
        "a section type's update interval is part of the nomenclature, the country's", body={"hours": "24"}),
    "/admin/api-tokens/{token_id}/revoke": Objects("SELECT id AS token_id FROM api_tokens WHERE hospital_id "
                                                   "IS NOT NULL ORDER BY id"),
    "/admin/api-tokens/{token_id}/take-ownership": Objects("SELECT id AS token_id FROM api_tokens WHERE "
                                                           "hospital_id IS NOT NULL ORDER BY id"),
    "/api/v1/sections/{section_id}": Objects(
        "SELECT id AS section_id FROM sections ORDER BY id LIMIT 3", EVERYONE,
        "free beds are published to everyone who may view the board", open_to=BOARD_VIEW),
    # An admission status is on the board for everyone who may view it; only the hospital's operators and its
    # authority's administrators set it.
    "/api/v1/hospitals/{hospital_id}/admission": Objects(
        "SELECT organisation_id AS hospital_id FROM hospitals ORDER BY organisation_id LIMIT 3", EVERYONE,
        "the board shows every hospital's status", open_to=BOARD_VIEW, writes_reach=ORGANISATION,
        body={"status": "closed", "reason_code": "icu_full", "expected_version": 1}),
    "/api/v1/sections/{section_id}/admission": Objects(
        "SELECT id AS section_id FROM sections ORDER BY id LIMIT 3", EVERYONE,
        "the board shows every section's status", open_to=BOARD_VIEW, writes_reach=ORGANISATION,
        body={"status": "closed", "reason_code": "icu_full", "expected_version": 1}),
    # The same status set with the pages' forms, and an administrator's page of a hospital of its authority (an
    # operator's own hospital is their screen): only the hospital's own people and its authority's.
    "/hospitals/{hospital_id:int}/admission": Objects(
        "SELECT organisation_id AS hospital_id FROM hospitals ORDER BY organisation_id LIMIT 3",
        body={"status": "closed", "reason_code": "icu_full", "hours": "4", "expected_version": "1"}),
    "/sections/{section_id:int}/admission": Objects(
        "SELECT id AS section_id FROM sections ORDER BY id LIMIT 3",
        body={"status": "closed", "reason_code": "icu_full", "hours": "4", "expected_version": "1"}),
    "/admin/hospitals/{hospital_id:int}": Objects(
        "SELECT organisation_id AS hospital_id FROM hospitals ORDER BY organisation_id"),
    # The list of admission reasons is the nomenclature's, the country's, like the update intervals.
    "/admin/nomenclature/admission-reasons/{reason_id:int}": Objects(
        "SELECT id AS reason_id FROM admission_reasons WHERE code = 'technical_failure'", EVERYONE,
        "the admission reasons are part of the nomenclature, the country's",
        body={"name_en": "Technical failure", "name_ro": "Defecțiune tehnică"}),
    "/admin/nomenclature/admission-reasons/{reason_id:int}/retire": Objects(
        "SELECT id AS reason_id FROM admission_reasons WHERE code = 'technical_failure'", EVERYONE, "as above"),
    "/admin/nomenclature/admission-reasons/{reason_id:int}/restore": Objects(
        "SELECT id AS reason_id FROM admission_reasons WHERE code = 'technical_failure'", EVERYONE, "as above"),
    "/api/v1/sections/{section_id}/free-beds": Objects("SELECT id AS section_id FROM sections ORDER BY id",
                                                       body={"free_beds": 1, "expected_version": 1}),
    # An alert rule is its owner's (or its authority administrators'), an alert its audience's: another
    # organisation's people are told there is no such rule or alert.
    "/api/v1/alerts/rules/{rule_id}": Objects("SELECT id AS rule_id FROM alert_rules ORDER BY id"),
    "/api/v1/alerts/{alert_id}/acknowledge": Objects("SELECT id AS alert_id FROM alerts ORDER BY id"),
    "/board/alerts/rules/{rule_id}/delete": Objects("SELECT id AS rule_id FROM alert_rules ORDER BY id"),
    "/board/alerts/{alert_id}/acknowledge": Objects("SELECT id AS alert_id FROM alerts ORDER BY id"),
    "/admin/dispatch-tokens/{token_id}/revoke": Objects("SELECT id AS token_id FROM api_tokens WHERE scope = "
                                                        "'dispatch' ORDER BY id"),
    # An announcement is its announcing authority's coordinators' and its hospital's operators': anyone else is told
    # there is no such announcement (issue 22).
    "/api/v1/announcements/{announcement_id}/acknowledge": Objects(
        "SELECT id AS announcement_id FROM announcements ORDER BY id"),
    "/api/v1/announcements/{announcement_id}/arrived": Objects(
        "SELECT id AS announcement_id FROM announcements ORDER BY id"),
    "/api/v1/announcements/{announcement_id}/cancel": Objects(
        "SELECT id AS announcement_id FROM announcements ORDER BY id", body={"reason": "matrix"}),
    "/licenses/usage/tokens/{token_id}/revoke": Objects("SELECT id AS token_id FROM api_tokens WHERE hospital_id "
                                                        "IS NULL ORDER BY id"),
    "/licenses/requests/{request_id}/resubmit": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}/cancel": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}/answer": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}/tasks/{task_id}": Objects(
        "SELECT t.request_id, t.id AS task_id FROM provisioning_tasks t JOIN provisioning_requests r "
        "ON r.id = t.request_id WHERE r.kind LIKE 'licenses.%' ORDER BY t.id"),
    "/licenses/requests/{request_id}/accept": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}/reject": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}/ask": LICENCE_REQUESTS,
    "/licenses/tickets/{request_id}/take": LICENCE_REQUESTS,
    "/licenses/tickets/{request_id}/ask": LICENCE_REQUESTS,
    "/licenses/tickets/{request_id}/resolve": LICENCE_REQUESTS,
    "/licenses/tickets/{request_id}/reject": LICENCE_REQUESTS,
    "/licenses/requests/{request_id}": LICENCE_REQUESTS,
    "/licenses/{license_id}/ask": Objects("SELECT id AS license_id FROM licenses ORDER BY id",
                                          body={"kind": "licenses.support", "description": "Cannot log in"}),
    "/api/v1/roles/login-tickets/{employee_id}": EMPLOYEES,
    "/roles/employees/{employee_id}": EMPLOYEES,
    "/roles/employees/{employee_id}/roles": EMPLOYEES,
    "/roles/employees/{employee_id}/roles/{held_id}/remove": Objects(
        "SELECT employee_id, id AS held_id FROM competence_roles_held ORDER BY id"),
    "/roles/employees/{employee_id}/assignments": EMPLOYEES,
    "/roles/employees/{employee_id}/assignments/{assignment_id}/end": Objects(
        "SELECT employee_id, id AS assignment_id FROM employee_assignments ORDER BY id"),
    "/roles/employees/{employee_id}/tickets": EMPLOYEES,
    "/roles/requests/{request_id}": ROLE_REQUESTS,
    "/roles/requests/{request_id}/take": ROLE_REQUESTS,
    "/roles/requests/{request_id}/done": ROLE_REQUESTS,
    "/roles/requests/{request_id}/reject": ROLE_REQUESTS,
    "/roles/units/{unit_id}": Objects(ROLE_UNITS),
    "/roles/units/{unit_id}/manager": Objects(ROLE_UNITS, body={"manager_user_id": "1"}),
    "/roles/units/{unit_id}/employees": Objects(ROLE_UNITS, body={"employee_id": "1", "unit_id": "1"}),
    "/api/v1/roles/units/{unit_id}/manager": Objects(ROLE_UNITS, body={"manager_user_id": 1}),
    "/api/v1/roles/employees/{employee_id}/unit": Objects(EMPLOYEES.finder, body={"unit_id": 1}),
    "/roles/login-tokens/tokens/{token_id}/revoke": Objects("SELECT id AS token_id FROM api_tokens WHERE scope = "
                                                            "'login-tickets' ORDER BY id"),
    "/roles/catalogues/{catalogue_id}": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/compare": Objects(ROLE_CATALOGUES.finder, query="?from=1&to=1"),
    "/roles/catalogues/{catalogue_id}/export.csv": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/export.json": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/import": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/import/preview": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/import/apply": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/staffing": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/staffing.csv": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/changes/new": ROLE_CATALOGUES,
    "/roles/catalogues/{catalogue_id}/changes": ROLE_CATALOGUES,
    "/roles/changes/{request_id}/approve": ROLE_CHANGES,
    "/roles/changes/{request_id}/decline": ROLE_CHANGES,
    "/roles/changes/{request_id}/start-review": ROLE_CHANGES,
    "/roles/changes/{request_id}/send-back": ROLE_CHANGES,
    "/roles/changes/{request_id}/apply": ROLE_CHANGES,
    "/roles/changes/{request_id}/revise": ROLE_CHANGES,
    "/api/v1/orders/people/{person_id}": ORDER_PEOPLE,
    "/api/v1/orders/{order_id}": ORDERS,
    "/api/v1/orders/{order_id}/tasks/{task_key}": Objects(
        "SELECT t.request_id AS order_id, t.key AS task_key FROM provisioning_tasks t JOIN it_orders o "
        "ON o.request_id = t.request_id ORDER BY t.id", body={"action": "done"}),
    "/orders/{order_id:int}": ORDERS,
    "/orders/{order_id:int}/print": ORDERS,
    "/orders/{order_id:int}/tasks/{task_key}": Objects(
        "SELECT t.request_id AS order_id, t.key AS task_key FROM provisioning_tasks t JOIN it_orders o "
        "ON o.request_id = t.request_id ORDER BY t.id"),
    "/orders/people/{person_id:int}": ORDER_PEOPLE,
    "/orders/catalogues/{key}": Objects("SELECT key FROM order_catalogues ORDER BY key"),
    "/orders/catalogues/{key}/versions/{version}.yaml": ORDER_CATALOGUES,
    "/orders/catalogues/{key}/versions/{version}": ORDER_CATALOGUES,
    # Issue 23 item 1: a removal proposed as not applicable (the demo's Eva Berg), decided by an IT-order administrator.
    "/orders/confirmations/{waiver_id:int}": Objects("SELECT id AS waiver_id FROM order_task_waivers ORDER BY id",
                                                     body={"decision": "refuse", "note": "Ritz listar kontot"}),
    # Issue 23 item 4: a fulfilling group's queue, members and tasks are its organisation's (KLK IT is Uppsala's).
    "/orders/groups/{group_key}": ORDER_GROUPS,
    "/orders/groups/{group_key}/members": ORDER_GROUPS,
    "/api/v1/orders/groups/{group_key}/queue": ORDER_GROUPS,
    "/orders/groups/{group_key}/tasks/{task_id:int}": Objects(HELD_TASKS, body={"step": "release"}),
    "/api/v1/orders/groups/{group_key}/tasks/{task_id}/{step}": Objects(HELD_TASKS),
    "/notifications/{notification_id}/open": Objects("SELECT id AS notification_id FROM notifications ORDER BY id"),
}

# Routes with no path parameter whose reads need a query: "Nearest free bed" (issue 22) needs a place and a section
# type, and answers 422 without them.
ROUTE_QUERIES: dict[str, str] = {"/api/v1/nearest": "?lat=44.4268&lon=26.1025&section_type=icu"}

# Roles the route is for that have, by design, no object of their own behind it in the demo.
INSIDER_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("employee", "/roles/employees/{employee_id}"):
        "an employee reads their own tickets at /roles/tickets; the employee page is their manager's",
}

PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Cell:
    method: str
    template: str
    permission: str
    token_only: bool

    @property
    def has_objects(self) -> bool:
        return PARAMETER.search(self.template) is not None

    def path(self, values: dict[str, object]) -> str:
        objects = ROUTE_OBJECTS.get(self.template)
        query = objects.query if objects else ROUTE_QUERIES.get(self.template, "")
        return PARAMETER.sub(lambda match: str(values[match.group(1)]), self.template) + query


def cells(app: Starlette) -> Iterator[Cell]:
    for route in endpoints(list(app.routes)):
        if not isinstance(route, Route):
            continue  # the board socket: tests/realtime checks its handshake for every role
        permission = getattr(route.endpoint, PERMISSION_ATTRIBUTE)
        token_only = getattr(route.endpoint, TOKEN_ONLY_ATTRIBUTE, False)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            yield Cell(method, route.path, permission, token_only)


def admitted(role: str, permission: str) -> bool:
    return permission in (PUBLIC, SIGNED_IN) or permission in ROLE_ACTIONS[role]


def named_for(role: str, permission: str) -> bool:
    """The route is one of this role's own (not merely open to everyone signed in)."""
    return permission in ROLE_ACTIONS[role]


@dataclass
class Browser:
    """A logged-in user: their HTTP client and the CSRF token their pages carry."""

    username: str
    role: str
    http: httpx.AsyncClient
    csrf_token: str

    async def send(self, cell: Cell, path: str, body: dict[str, object] | None = None) -> httpx.Response:
        if cell.method == "GET":
            return await self.http.get(path)
        headers = {csrf.HEADER: self.csrf_token}
        if path.startswith("/api/"):
            return await self.http.request(cell.method, path, json=body or {}, headers=headers)
        form = {**{key: str(value) for key, value in (body or {}).items()}, "csrf_token": self.csrf_token}
        return await self.http.request(cell.method, path, data=form, headers=headers)


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """SQLite only (the module's docstring says why); for the matrix, a copy of the demo's template."""
    url: str = request.getfixturevalue("demo_sqlite_url" if "demo_loaded" in request.fixturenames else "sqlite_url")
    return url


async def open_browser(app: Starlette, username: str, role: str, password: str, number: int) -> Browser:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(f"10.7.{number // 250}.{number % 250}",
                                                                            40000)),
                             base_url="http://testserver")
    answer = await log_in(http, username, password)
    assert answer.status_code == 303, f"{username} could not log in: {answer.status_code}"
    return Browser(username, role, http, await csrf_from(http, "/account"))


@dataclass
class World:
    insiders: dict[str, list[Browser]]
    outsiders: dict[str, Browser]
    anonymous: httpx.AsyncClient
    rows: dict[str, list[dict[str, object]]]


async def add_objects_the_demo_lacks(insiders: dict[str, list[Browser]]) -> None:
    """A bed token, a licence-usage token, a login-system token, a dispatch-system token and a nomenclature import,
    made through their pages."""
    admin = insiders["admin"][0]
    hospital = await admin.http.get("/admin/api-tokens")
    hospital_id = re.search(r'<option value="(\d+)"', hospital.text)
    assert hospital_id, "no hospital to make a token for"
    made = await admin.http.post("/admin/api-tokens", data={"csrf_token": admin.csrf_token, "name": "HIS matrix",
                                                            "hospital_id": hospital_id.group(1)})
    assert made.status_code == 200, made.text
    officer = insiders["license_officer"][0]
    made = await officer.http.post("/licenses/usage/tokens", data={"csrf_token": officer.csrf_token,
                                                                   "name": "usage matrix"})
    assert made.status_code == 200, made.text
    support = insiders["it_support"][0]
    made = await support.http.post("/roles/login-tokens/tokens", data={"csrf_token": support.csrf_token,
                                                                       "name": "login matrix"})
    assert made.status_code == 200, made.text
    made = await admin.http.post("/admin/dispatch-tokens", data={"csrf_token": admin.csrf_token,
                                                                 "name": "CAD matrix"})
    assert made.status_code == 200, made.text
    example = await admin.http.get("/admin/nomenclature/example.csv")
    preview = await admin.http.post("/admin/nomenclature/preview", data={"csrf_token": admin.csrf_token},
                                    files={"file": ("nomenclature.csv", example.content, "text/csv")})
    assert preview.status_code in (200, 303), preview.text


async def add_dead_letter(services: AppServices, insiders: dict[str, list[Browser]]) -> None:
    """The referent's address set on their page, and a message to it that the outbox gave up on."""
    referent = insiders["referent"][0]
    saved = await referent.http.post("/account/email", data={"csrf_token": referent.csrf_token,
                                                             "email": "referente@example.org"})
    assert saved.status_code == 303, saved.text
    async with services.unit_of_work() as uow:
        user_id = await uow.session.scalar(select(User.id).where(User.username == referent.username))
        message = await enqueue(uow.session, recipient="referente@example.org", subject="matrix", body="matrix",
                                recipient_user_id=user_id)
        message.attempts, message.dead_at = MAX_ATTEMPTS, session_now(uow.session)


async def add_alert(services: AppServices) -> None:
    """An alert of the demo's SAMB authority rule, as if its count had gone below its threshold (issue 21)."""
    async with services.unit_of_work() as uow:
        rule = await uow.session.scalar(select(AlertRule).where(AlertRule.scope == "authority").order_by(AlertRule.id))
        assert rule is not None, "the demo has no authority alert rule"
        await fire(uow, rule=rule, details={"section_type_id": rule.section_type_id, "free_beds": 1,
                                            "threshold": rule.threshold, "hospital_ids": [], "hospital_names": []})


async def add_announcement(services: AppServices, insiders: dict[str, list[Browser]]) -> None:
    """A coordinator's announcement of a patient to the first demo operator's hospital (issue 22)."""
    operator = insiders["operator"][0]
    async with services.session_factory() as session:
        found = (await session.execute(text(
            "SELECT u.organisation_id, s.section_type_id FROM users u JOIN sections s ON s.hospital_id = "
            "u.organisation_id WHERE u.username = :username ORDER BY s.id LIMIT 1"),
            {"username": operator.username})).one()
    coordinator = insiders["coordinator"][0]
    made = await coordinator.http.post("/api/v1/announcements", headers={"X-CSRF-Token": coordinator.csrf_token},
                                       json={"hospital_id": found[0], "section_type_id": found[1],
                                             "category": "trauma", "urgency": "urgent", "age_band": "18-64",
                                             "eta_minutes": 20})
    assert made.status_code == 201, made.text


async def make_outsiders(app: Starlette, services: AppServices) -> dict[str, Browser]:
    """One user per role in an organisation of its own kind that holds nothing of the demo's."""
    outsiders = {}
    for number, role in enumerate(sorted(ROLE_ACTIONS), start=200):
        code = f"OUT-{role.upper().replace('_', '-')}"
        await make_organisation(services, code, sorted(ROLE_ORGANISATION_KINDS[role])[0])
        username = f"out.{role.replace('_', '.')}"
        await make_user(services, username, role=role, organisation=code)
        outsiders[role] = await open_browser(app, username, role, TEST_PASSWORD, number)
    return outsiders


async def demo_rows(services: AppServices) -> dict[str, list[dict[str, object]]]:
    rows = {}
    async with services.session_factory() as session:
        for template, objects in ROUTE_OBJECTS.items():
            rows[template] = [dict(row._mapping) for row in await session.execute(text(objects.finder))]
    return rows


@pytest.fixture
async def world(app: Starlette, services: AppServices, tmp_path: Path,
                demo_loaded: list[DemoLogin]) -> AsyncIterator[World]:
    logins = demo_loaded
    passwords = read_credentials(tmp_path)
    insiders: dict[str, list[Browser]] = {}
    for number, login in enumerate(logins):
        browser = await open_browser(app, login.username, login.role, passwords[login.username], number)
        insiders.setdefault(login.role, []).append(browser)
    await add_objects_the_demo_lacks(insiders)
    await add_dead_letter(services, insiders)
    await add_announcement(services, insiders)
    await add_alert(services)
    rows = await demo_rows(services)  # before the outsiders: their own accounts are not the demo's objects
    outsiders = await make_outsiders(app, services)
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.8.0.1", 40000)),
                                  base_url="http://testserver")
    yield World(insiders, outsiders, anonymous, rows)
    for browser in [*outsiders.values(), *(b for group in insiders.values() for b in group)]:
        await browser.http.aclose()
    await anonymous.aclose()


def test_every_route_with_an_object_declares_how_to_find_it(app: Starlette) -> None:
    templates = {cell.template for cell in cells(app) if cell.has_objects and cell.permission != PUBLIC}
    undeclared = sorted(templates - set(ROUTE_OBJECTS))
    assert not undeclared, f"declare these routes' objects in ROUTE_OBJECTS: {undeclared}"
    assert not sorted(set(ROUTE_OBJECTS) - templates), "ROUTE_OBJECTS names routes that no longer exist"


def first_values(cell: Cell, rows: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    if not cell.has_objects:
        return {}
    found = rows[cell.template]
    assert found, f"the demo has no object for {cell.template}: make one in add_objects_the_demo_lacks"
    return found[0]


async def refused_roles(world: World, cell: Cell) -> list[str]:
    """Cells where a role (or nobody) that the route is not for is not refused."""
    if cell.permission == PUBLIC:
        return []
    path = cell.path(first_values(cell, world.rows))
    wrong = []
    for role, group in sorted(world.insiders.items()):
        if admitted(role, cell.permission) and not cell.token_only:
            continue
        answer = await group[0].send(cell, path)
        expected = 401 if cell.token_only else 403
        if answer.status_code != expected:
            wrong.append(f"{role} {cell.method} {path}: {answer.status_code}, expected {expected}")
    answer = await world.anonymous.request(cell.method, path)
    refused = answer.status_code in (401, 403) or (answer.status_code == 303 and "/login" in
                                                   answer.headers.get("location", ""))
    if not refused:
        wrong.append(f"anonymous {cell.method} {path}: {answer.status_code}")
    return wrong


async def insiders_reach(world: World, cell: Cell) -> list[str]:
    """For a GET: every role the route is for has a demo user who reaches one of its demo objects."""
    if cell.method != "GET" or cell.token_only or cell.permission in (PUBLIC, SIGNED_IN):
        return []
    values = world.rows[cell.template] if cell.has_objects else [{}]
    wrong = []
    for role, group in sorted(world.insiders.items()):
        if not named_for(role, cell.permission) or (role, cell.template) in INSIDER_EXCEPTIONS:
            continue
        statuses = [(await browser.send(cell, cell.path(row))).status_code for browser in group for row in values]
        if not any(status < 400 for status in statuses):
            wrong.append(f"{role} GET {cell.template}: no demo user reaches it ({sorted(set(statuses))})")
    return wrong


async def audit_head(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.max(AuditEvent.seq))) or 0)


async def writes_since(services: AppServices, seq: int) -> set[str]:
    async with services.session_factory() as session:
        actions = set(await session.scalars(select(AuditEvent.action).where(AuditEvent.seq > seq)))
    return actions - REFUSAL_ACTIONS


async def outsiders_refused(world: World, services: AppServices, cell: Cell) -> list[str]:
    """Users of another organisation get 403 or 404 for each demo object, and nothing is written."""
    objects = ROUTE_OBJECTS.get(cell.template)
    if objects is None or cell.permission == PUBLIC or cell.token_only:
        return []
    wrong = []
    for role, outsider in sorted(world.outsiders.items()):
        if not admitted(role, cell.permission):
            continue
        for row in world.rows[cell.template][:OUTSIDER_ROWS]:
            path = cell.path(row)
            before = await audit_head(services)
            answer = await outsider.send(cell, path, objects.body)
            written = await writes_since(services, before)
            reach = objects.reach_of(cell.method)
            if reach == EVERYONE and (objects.open_to is None or objects.open_to in ROLE_ACTIONS[role]):
                if answer.status_code in (401, 403) or answer.status_code >= 500:
                    wrong.append(f"outsider {role} {cell.method} {path}: {answer.status_code} (open to everyone)")
            elif reach == EVERYONE:
                if answer.status_code != 403:
                    wrong.append(f"outsider {role} {cell.method} {path}: {answer.status_code} "
                                 f"(needs {objects.open_to})")
            elif answer.status_code not in (403, 404) or written:
                wrong.append(f"outsider {role} {cell.method} {path}: {answer.status_code}, wrote {sorted(written)}")
    return wrong


async def test_every_route_every_role_own_and_other_organisation(app: Starlette, services: AppServices,
                                                                 world: World) -> None:
    all_cells = list(cells(app))
    wrong: list[str] = []
    checked = 0
    for cell in all_cells:
        wrong += await refused_roles(world, cell)
        wrong += await insiders_reach(world, cell)
        checked += 1
    # Last, so that a hole (an outsider's write that went through) cannot disturb the cells above.
    for cell in all_cells:
        wrong += await outsiders_refused(world, services, cell)
    assert checked > 100
    assert not wrong, f"{len(wrong)} cells of the access matrix do not hold:\n" + "\n".join(wrong)
