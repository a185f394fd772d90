"""Thirty malformed bodies: each gets 422 with a message naming the field, and nothing is written."""

from __future__ import annotations

import json

import httpx
import pytest

from app.kit.state import AppServices
from tests.beds.test_api_setup import (
    audit_count,
    bearer,
    change,
    free_beds_path,
    make_token,
    make_world,
    section_row,
    session_login,
)

JSON = "application/json"


def encoded(value: object) -> bytes:
    return json.dumps(value).encode()


# (case id, content type, body, the field the error names)
MALFORMED: list[tuple[str, str | None, bytes, str]] = [
    ("free_beds as a string", JSON, encoded(change("5")), "free_beds"),
    ("free_beds as a float", JSON, encoded(change(2.0)), "free_beds"),
    ("free_beds as a fraction", JSON, encoded(change(2.5)), "free_beds"),
    ("free_beds as an exponent", JSON, b'{"free_beds": 1e3, "expected_version": 1}', "free_beds"),
    ("free_beds true", JSON, encoded(change(True)), "free_beds"),
    ("free_beds null", JSON, encoded(change(None)), "free_beds"),
    ("free_beds a list", JSON, encoded(change([5])), "free_beds"),
    ("free_beds an object", JSON, encoded(change({"value": 5})), "free_beds"),
    ("free_beds above the range", JSON, encoded(change(10_000)), "free_beds"),
    ("free_beds below the range", JSON, encoded(change(-1000)), "free_beds"),
    ("free_beds huge", JSON, encoded(change(10**40)), "free_beds"),
    ("free_beds NaN", JSON, b'{"free_beds": NaN, "expected_version": 1}', "body"),
    ("free_beds Infinity", JSON, b'{"free_beds": Infinity, "expected_version": 1}', "body"),
    ("free_beds missing", JSON, encoded({"expected_version": 1}), "free_beds"),
    ("expected_version missing", JSON, encoded({"free_beds": 3}), "expected_version"),
    ("expected_version zero", JSON, encoded(change(3, 0)), "expected_version"),
    ("expected_version a string", JSON, encoded(change(3, "1")), "expected_version"),
    ("expected_version a float", JSON, encoded(change(3, 1.0)), "expected_version"),
    ("expected_version huge", JSON, encoded(change(3, 10**30)), "expected_version"),
    ("reason a number", JSON, encoded(change(3, reason=12)), "reason"),
    ("reason too long", JSON, encoded(change(3, reason="x" * 201)), "reason"),
    ("an unknown field", JSON, encoded(change(3, free_bed=3)), "free_bed"),
    ("a field given twice", JSON, b'{"free_beds": 3, "free_beds": 4, "expected_version": 1}', "free_beds"),
    ("an empty object", JSON, b"{}", "free_beds"),
    ("a JSON array", JSON, encoded([3, 1]), "body"),
    ("a bare number", JSON, b"3", "body"),
    ("invalid JSON", JSON, b'{"free_beds": 3, "expected_version": 1', "body"),
    ("an empty body", JSON, b"", "body"),
    ("not UTF-8", JSON, b'{"free_beds": 3, "expected_version": 1, "reason": "\xff"}', "body"),
    ("a form instead of JSON", "application/x-www-form-urlencoded", b"free_beds=3&expected_version=1",
     "Content-Type"),
    ("no content type", None, encoded(change(3)), "Content-Type"),
    ("text/plain", "text/plain", encoded(change(3)), "Content-Type"),
    ("deeply nested", JSON, b"[" * 2000 + b"]" * 2000, "body"),
]


@pytest.mark.parametrize(("content_type", "body", "field"), [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
async def test_a_malformed_body_gets_422_and_writes_nothing(
    client: httpx.AsyncClient, services: AppServices, content_type: str | None, body: bytes, field: str
) -> None:
    world = await make_world(services)
    headers = bearer(await make_token(services, world.hospital_a, "HIS A"))
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = await audit_count(services)
    response = await client.put(free_beds_path(world.a_icu), content=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["field"] == field
    assert len(error["message"]) > 10
    row = await section_row(services, world.a_icu)
    assert (row.free_beds, row.version) == (2, 1)
    assert await audit_count(services) == before


def test_there_are_at_least_thirty_cases() -> None:
    assert len(MALFORMED) >= 30


async def test_a_body_over_4_kib_gets_413(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = await session_login(client, "op.a")
    body = encoded(change(3, reason=" " * 5000))
    response = await client.put(free_beds_path(world.a_icu), content=body,
                                headers={**headers, "Content-Type": JSON})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert (await section_row(services, world.a_icu)).version == 1


@pytest.mark.parametrize("section_id", ["abc", "0", "1e3", "99999999999999999999"])
async def test_a_bad_section_id_gets_422(client: httpx.AsyncClient, services: AppServices, section_id: str) -> None:
    world = await make_world(services)
    headers = bearer(await make_token(services, world.hospital_a, "HIS A"))
    response = await client.put(free_beds_path(section_id), json=change(3), headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "section_id"}


async def test_messages_are_translated(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = {**bearer(await make_token(services, world.hospital_a, "HIS A")), "Accept-Language": "ro"}
    response = await client.put(free_beds_path(world.a_icu), json=change(3.5), headers=headers)
    assert response.json()["error"]["message"] == "Numărul de paturi libere trebuie să fie un număr întreg."
