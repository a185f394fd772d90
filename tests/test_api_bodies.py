"""Typed API bodies (issue 19): a field declared in a body's model shows in the OpenAPI document and the API
enforces it, one example per domain that reads a body; each domain contributes only its own fragment; the
refusals keep the hand parsers' words and order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app import api_document
from app.beds import openapi as beds_openapi
from app.beds.api_bodies import FreeBedsChange, free_beds_refusal
from app.kit.api_bodies import validated
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.openapi_fragments import Fragment, joined
from app.kit.state import AppServices
from app.provisioning.licenses import openapi as licenses_openapi
from app.provisioning.orders import openapi as orders_openapi
from app.provisioning.orders.api_bodies import MAX_KEY
from app.provisioning.roles import openapi as roles_openapi
from tests.beds.test_api_setup import bearer, change, free_beds_path, make_token, make_world
from tests.provisioning.orders.orders_world import make_orders_world
from tests.provisioning.orders.test_orders_api import NEW_AUDIOLOGIST, ORDERS, signed_in
from tests.provisioning.test_usage_api import OURS, USAGE, make_feed, use


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = api_document.document()["components"]["schemas"][name]
    return found


def refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_a_bed_field_is_documented_and_enforced(client: httpx.AsyncClient, services: AppServices) -> None:
    assert schema("FreeBedsChange")["properties"]["expected_version"]["maximum"] == MAX_ID
    world = await make_world(services)
    headers = bearer(await make_token(services, world.hospital_a, "HIS A"))
    error = refused(await client.put(free_beds_path(world.a_icu), json=change(3, MAX_ID + 1), headers=headers))
    assert error["details"] == {"field": "expected_version"}
    assert error["message"] == f"The expected version may be at most {MAX_ID}."


async def test_a_licence_usage_field_is_documented_and_enforced(client: httpx.AsyncClient,
                                                               services: AppServices) -> None:
    item = schema("UsageItem")
    assert (item["required"], item["additionalProperties"]) == (["run", "last_used_at"], False)
    feed = await make_feed(services)
    batch = {"uses": [use(OURS), {"last_used_at": "2026-03-10T12:00:00Z", "seat": 4}]}
    error = refused(await client.post(USAGE, json=batch, headers=bearer(feed.token)))
    assert [(item["index"], item["field"], item["message"]) for item in error["details"]["errors"]] == [
        (1, "seat", "Unknown field seat: send run and last_used_at."),
        (1, "run", "The field run is required, as text.")]


async def test_an_order_field_is_documented_and_enforced(client: httpx.AsyncClient, services: AppServices) -> None:
    assert schema("NewOrder")["properties"]["catalogue"]["maxLength"] == MAX_KEY
    await make_orders_world(services)
    csrf = await signed_in(client, "it.lund")
    error = refused(await client.post(ORDERS, json={**NEW_AUDIOLOGIST, "catalogue": "x" * (MAX_KEY + 1)},
                                      headers=csrf))
    assert error["details"] == {"field": "catalogue"}
    assert error["message"] == f"catalogue must be a text of at most {MAX_KEY} characters."


def test_each_domain_describes_only_its_own_operations() -> None:
    owners = {"/api/v1/sections": beds_openapi, "/api/v1/hospitals": beds_openapi,
              "/api/v1/section-types": beds_openapi, "/api/v1/licenses/": licenses_openapi,
              "/api/v1/roles/": roles_openapi, "/api/v1/orders": orders_openapi}
    for domain in (beds_openapi, licenses_openapi, roles_openapi, orders_openapi):
        paths = domain.fragment().paths
        assert paths
        assert all(owner is domain for path in paths for prefix, owner in owners.items() if path.startswith(prefix))
    assert set(api_document.document()["paths"]) == set(joined(api_document.fragments())[0])


def test_two_fragments_may_not_describe_one_component_differently() -> None:
    first = Fragment(paths={}, schemas={"Error": {"type": "object"}})
    alike = Fragment(paths={}, schemas={"Error": {"type": "object"}})
    assert joined([first, alike])[1]["schemas"] == {"Error": {"type": "object"}}
    with pytest.raises(ValueError, match="schemas Error"):
        joined([first, Fragment(paths={}, schemas={"Error": {"type": "string"}})])


def refusal_of(body: dict[str, object]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validated(FreeBedsChange, body, free_beds_refusal)
    return caught.value


@pytest.mark.parametrize(("body", "field", "message"), [
    # pydantic lists unknown fields last and missing ones among the others: the hand parser named them first.
    ({"free_beds": "x", "expected_version": 1, "beds": 2}, "beds",
     "Unknown field {field}: send free_beds, expected_version and, if needed, reason."),
    ({"free_beds": "x"}, "expected_version", "The field {field} is required."),
    ({"free_beds": 3, "expected_version": 0, "reason": 5}, "expected_version",
     "The expected version must be a whole number from 1."),
    ({"free_beds": 3, "expected_version": 1, "reason": "x" * 201}, "reason",
     "The reason may have at most {max} characters."),
])
def test_the_first_problem_is_the_one_the_hand_parser_named(body: dict[str, object], field: str,
                                                           message: str) -> None:
    error = refusal_of(body)
    assert (error.details, error.message) == ({"field": field}, message)


def test_a_reason_is_measured_after_its_spaces_are_joined_as_the_service_does() -> None:
    change = validated(FreeBedsChange, {"free_beds": 3, "expected_version": 1, "reason": "x" + " " * 300 + "y"},
                       free_beds_refusal)
    assert change.reason == "x y"
    assert validated(FreeBedsChange, {"free_beds": 3, "expected_version": 1, "reason": " \n "},
                     free_beds_refusal).reason is None
