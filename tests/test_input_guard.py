"""NUL characters and lone surrogates are refused as invalid input wherever they come in (issue 18, defects 3, 4).

Before the guard, each of these was a 500 on PostgreSQL (NUL) or on both databases (a lone surrogate reached
the audit hash and the driver as a string that cannot be encoded).
"""

from __future__ import annotations

import httpx
import pytest

from app.kit.state import AppServices
from tests.beds.test_api_setup import audit_count, bearer, free_beds_path, make_token, make_world, section_row
from tests.factories import make_user
from tests.web import csrf_from, log_in


async def test_a_nul_in_the_login_username_is_the_forms_error_not_a_500(client: httpx.AsyncClient,
                                                                          services: AppServices) -> None:
    await make_user(services, "ana.pop")
    response = await log_in(client, "ana\x00pop")
    assert response.status_code == 422
    assert "username contains a NUL character" in response.text
    assert "<html" in response.text.lower()  # a person gets the error page, not JSON


async def test_a_nul_in_a_query_parameter_is_refused_naming_it(client: httpx.AsyncClient,
                                                               services: AppServices) -> None:
    await make_user(services, "ada.admin", role="admin")
    await log_in(client, "ada.admin")
    response = await client.get("/admin/users", params={"q": "x\x00y"}, headers={"accept": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"] == {"field": "q", "problem": "nul"}


async def test_a_nul_in_a_path_is_refused(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "ada.admin", role="admin")
    await log_in(client, "ada.admin")
    response = await client.get("/api/v1/sections/1%00")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "path"


async def test_a_lone_surrogate_escape_in_json_is_refused(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = {**bearer(await make_token(services, world.hospital_a, "HIS A")), "content-type": "application/json"}
    before = await audit_count(services)
    body = '{"free_beds": 3, "expected_version": 1, "reason": "a\\ud800b"}'
    response = await client.put(free_beds_path(world.a_icu), content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "body", "problem": "lone_surrogate"}
    assert "lone surrogate" in response.json()["error"]["message"]
    assert await audit_count(services) == before
    # A pair is a character (an ambulance), and an escaped backslash before "ud800" is plain text.
    paired = '{"free_beds": 3, "expected_version": 1, "reason": "\\ud83d\\ude91 \\\\ud800"}'
    response = await client.put(free_beds_path(world.a_icu), content=paired, headers=headers)
    assert response.status_code == 200, response.text
    assert (await section_row(services, world.a_icu)).free_beds == 3


async def test_a_nul_escape_in_json_is_refused(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_world(services)
    headers = {**bearer(await make_token(services, world.hospital_a, "HIS A")), "content-type": "application/json"}
    body = '{"free_beds": 3, "expected_version": 1, "reason": "a\\u0000b"}'
    response = await client.put(free_beds_path(world.a_icu), content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "body", "problem": "nul"}
    assert (await section_row(services, world.a_icu)).version == 1


async def test_a_nul_in_a_multipart_text_field_is_refused_but_not_in_a_file(client: httpx.AsyncClient,
                                                                            services: AppServices) -> None:
    await make_user(services, "ada.admin", role="admin")
    await log_in(client, "ada.admin")
    token = await csrf_from(client, "/account")
    refused = await client.post("/admin/nomenclature/preview", data={"csrf_token": token, "note": "a\x00b"},
                                files={"file": ("n.csv", b"x", "text/csv")})
    assert refused.status_code == 422
    assert "note contains a NUL character" in refused.text
    # The file's bytes are the importer's to judge: it answers with its own list of problems.
    passed = await client.post("/admin/nomenclature/preview", data={"csrf_token": token},
                               files={"file": ("n.csv", b"a\x00b", "text/csv")})
    assert passed.status_code == 422
    assert "note contains" not in passed.text


BOUNDARY = "hostile-boundary"


def multipart(*parts: bytes) -> bytes:
    return b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts) + (
        b"--" + BOUNDARY.encode() + b"--\r\n")


@pytest.mark.parametrize(("content_type", "body", "status", "says"), [
    (f"multipart/form-data; boundary={BOUNDARY}",
     multipart(b'Content-Disposition: form-data; name="file"; filename="a\x00.csv"\r\n\r\nx'), 422, "part headers"),
    (f"multipart/form-data; boundary={BOUNDARY}",
     multipart(b'Content-Disposition: form-data; name="username"\r\n\r\nana\x00'), 422, "username contains"),
    # What the guard leaves alone reaches the route, whose CSRF check then refuses it (no token was sent):
    (f"multipart/form-data; boundary={BOUNDARY}", b"--" + BOUNDARY.encode() + b"\r\nbroken", 403, "csrf_failed"),
    ("application/x-www-form-urlencoded", b"username=%ED%A0%80&password=x", 403, "csrf_failed"),  # read as U+FFFD
    ("multipart/form-data; boundary=" + "b" * 100, b"--x", 400, "could not be understood"),  # Starlette's refusal
])
async def test_what_the_guard_refuses_in_forms_and_what_it_leaves_to_the_route(
        client: httpx.AsyncClient, content_type: str, body: bytes, status: int, says: str) -> None:
    response = await client.post("/login", content=body, headers={"content-type": content_type,
                                                                  "accept": "application/json"})
    assert response.status_code == status, response.text[:300]
    assert says in response.text


@pytest.mark.parametrize(("content_type", "body", "says"), [
    ("application/json", b'{"free_beds": 3, "expected_version": 1, "reason": "\xed\xa0\x80"}',
     "body is not valid UTF-8"),
    ("application/json", b'\xef\xbb\xbf{"free_beds": 3, "expected_version": 1, "reason": "\\u0000"}',
     "body contains a NUL"),
    ("application/json", b'{"reason": "\\udc00"}', "body contains a lone surrogate"),
])
async def test_what_the_guard_refuses_in_json(client: httpx.AsyncClient, services: AppServices, content_type: str,
                                              body: bytes, says: str) -> None:
    world = await make_world(services)
    headers = {**bearer(await make_token(services, world.hospital_a, "HIS A")), "content-type": content_type}
    response = await client.put(free_beds_path(world.a_icu), content=body, headers=headers)
    assert response.status_code == 422
    assert says in response.json()["error"]["message"]
