"""The OpenAPI document is valid, names every API route, and real answers match its schemas."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from app import api_document as openapi
from app.kit.plugins import Registry
from app.kit.state import AppServices
from app.main import all_routes, plugins
from tests.beds.test_api_setup import bearer, change, free_beds_path, make_token, make_world, session_login


def api_operations(routes: list[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= api_operations(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith("/api/"):
            path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", prefix + route.path)
            found |= {(path, method.lower()) for method in route.methods or () if method != "HEAD"}
    return found


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_valid_openapi_3_1() -> None:
    document = openapi.document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_is_documented_and_nothing_else() -> None:
    routes = api_operations(all_routes(Registry(plugins())))
    assert ("/api/v1/sections/{section_id}/free-beds", "put") in routes
    assert routes == documented_operations(openapi.document())


def test_the_example_check_finds_a_missing_route() -> None:
    document = openapi.document()
    del document["paths"]["/api/v1/hospitals"]
    assert api_operations(all_routes(Registry(plugins()))) != documented_operations(document)


def schema_errors(schema_name: str, instance: object) -> list[str]:
    """Checks against one component schema, resolving its references within the document."""
    components = openapi.document()["components"]
    validator = OAS31Validator({"$ref": f"#/components/schemas/{schema_name}", "components": components})
    return [str(error.message) for error in validator.iter_errors(instance)]


def check(schema_name: str, response: httpx.Response, status: int = 200) -> None:
    assert response.status_code == status, response.text
    errors = schema_errors(schema_name, response.json())
    assert not errors, errors


def test_the_schemas_refuse_what_they_should() -> None:
    assert schema_errors("FreeBedsChange", {"free_beds": 2.5, "expected_version": 1})
    assert schema_errors("FreeBedsChange", {"free_beds": 2, "expected_version": 1, "extra": 1})
    assert schema_errors("Section", {"id": 1})


async def test_answers_match_the_documented_schemas(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    check("SectionList", await client.get("/api/v1/sections", headers=bearer(raw)))
    check("Section", await client.get(f"/api/v1/sections/{world.a_icu}", headers=bearer(raw)))
    check("HospitalList", await client.get("/api/v1/hospitals", headers=bearer(raw)))
    check("SectionTypeList", await client.get("/api/v1/section-types", headers=bearer(raw)))
    written = await client.put(free_beds_path(world.a_icu), json=change(1), headers=bearer(raw))
    check("Section", written)
    check("VersionConflict", await client.put(free_beds_path(world.a_icu), json=change(2), headers=bearer(raw)),
          409)
    check("Error", await client.put(free_beds_path(world.a_icu), json=change(2.5), headers=bearer(raw)), 422)
    check("Error", await client.get(f"/api/v1/sections/{world.b_surgery}", headers=bearer(raw)), 403)
    check("Error", await client.get("/api/v1/sections/999999", headers=bearer(raw)), 404)
    check("Error", await client.get("/api/v1/sections"), 401)


@pytest.mark.parametrize("logged_in", [False, True])
async def test_the_document_is_served_to_anyone(app: Starlette, client: httpx.AsyncClient,
                                                services: AppServices, logged_in: bool) -> None:
    if logged_in:
        await make_world(services)
        await session_login(client, "coord")
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi.document(session_cookie=services.settings.session_cookie_name)
    assert api_operations(list(app.routes)) == documented_operations(response.json())
