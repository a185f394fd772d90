"""The admin's nomenclature page over HTTP: upload, preview, confirm; refusals for everyone else."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from app.beds.models import Section
from app.beds.nomenclature.models import NomenclatureImport
from app.kit.state import AppServices
from tests.beds.factories import make_hospital
from tests.beds.test_nomenclature_support import BASE, Line, csv_bytes
from tests.factories import make_user
from tests.web import csrf_from, log_in

PAGE = "/admin/nomenclature"
FINGERPRINT = re.compile(r'name="fingerprint" value="([0-9a-f]{64})"')


async def count(services: AppServices, model: type[Section | NomenclatureImport]) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def admin(services: AppServices, client: httpx.AsyncClient) -> str:
    await make_user(services, "ana.admin", role="admin", organisation="MS")
    await log_in(client, "ana.admin")
    return await csrf_from(client, PAGE)


async def send_file(client: httpx.AsyncClient, token: str, content: bytes, name: str = "lista.csv",
                    **options: object) -> httpx.Response:
    return await client.post(f"{PAGE}/preview", data={"csrf_token": token},
                             files={"file": (name, content, "text/csv")}, **options)  # type: ignore[arg-type]


async def test_upload_preview_confirm(services: AppServices, client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'src="/static/js/nomenclature.js"' in page.text
    uploaded = await send_file(client, token, csv_bytes(BASE))
    assert uploaded.status_code == 303
    preview = await client.get(uploaded.headers["location"])
    assert preview.status_code == 200
    assert re.search(r"<dt>Sections to add</dt><dd>4</dd>", preview.text)
    assert re.search(r"<dt>Hospitals to add</dt><dd>2</dd>", preview.text)
    assert "Chirurgie generală" in preview.text
    assert await count(services, Section) == 0  # nothing applied before the confirmation
    fingerprint = FINGERPRINT.search(preview.text)
    assert fingerprint
    applied = await client.post(f"{uploaded.headers['location']}/apply",
                                data={"csrf_token": token, "fingerprint": fingerprint.group(1)})
    assert applied.status_code == 303
    result = await client.get(applied.headers["location"])
    assert 'data-testid="status">Applied' in result.text
    assert re.search(r"<dt>Sections added</dt><dd>4</dd>", result.text)
    assert await count(services, Section) == 4
    listing = await client.get(PAGE)
    assert "lista.csv" in listing.text
    assert "4 added, 0 changed, 0 retired" in listing.text


async def test_the_script_path_sends_the_token_in_a_header(services: AppServices, client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    response = await client.post(f"{PAGE}/preview", files={"file": ("l.json", b'{"hospitals": []}')},
                                 headers={"X-CSRF-Token": token}, follow_redirects=True)
    assert response.status_code == 422
    assert 'id="nomenclature-result"' in response.text
    assert "The file lists no hospitals." in response.text


async def test_problems_are_shown_as_a_table_and_nothing_is_kept(services: AppServices,
                                                                 client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    bad = csv_bytes([*BASE, ("H-C", "Spital C", "castle", "S", "S", "surgery", "", "many")])
    response = await send_file(client, token, bad)
    assert response.status_code == 422
    assert "The file has 2 problems." in response.text
    assert "<td>6</td><td><code>hospital_type</code></td><td>Unknown hospital type castle." in response.text
    assert "<td>6</td><td><code>total_beds</code></td>" in response.text
    assert await count(services, NomenclatureImport) == 0


async def test_the_page_speaks_romanian(services: AppServices, client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    response = await send_file(client, token, b"", headers={"accept-language": "ro"})
    assert "<td>1</td><td><code>-</code></td><td>Fișierul este gol.</td>" in response.text
    assert "Fișierul are 1 problemă." in response.text  # the singular of three plural forms
    response = await client.post(f"{PAGE}/preview", data={"csrf_token": token}, headers={"accept-language": "ro"})
    assert response.status_code == 422
    assert "Alegeți un fișier CSV sau JSON de verificat." in response.text


async def test_a_file_over_the_limit_is_refused_before_it_is_read(services: AppServices,
                                                                  client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    response = await send_file(client, token, b"x" * (20 * 1024 * 1024 + 100_000))
    assert response.status_code == 413
    assert "The file is larger than 20 MB." in response.text
    assert await count(services, NomenclatureImport) == 0


async def test_confirming_after_the_data_changed_asks_for_a_new_review(services: AppServices,
                                                                       client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    first = await send_file(client, token, csv_bytes(BASE))
    fingerprint = FINGERPRINT.search((await client.get(first.headers["location"])).text)
    second = await send_file(client, token, csv_bytes(BASE[:1]))
    other = FINGERPRINT.search((await client.get(second.headers["location"])).text)
    assert fingerprint
    assert other
    await client.post(f"{second.headers['location']}/apply", data={"csrf_token": token,
                                                                   "fingerprint": other.group(1)})
    refused = await client.post(f"{first.headers['location']}/apply", data={"csrf_token": token,
                                                                           "fingerprint": fingerprint.group(1)})
    assert refused.status_code == 409
    assert "The data changed since the preview; review it again." in refused.text
    assert "<dt>Sections to add</dt><dd>3</dd>" in refused.text  # the fresh diff, to review again
    assert await count(services, Section) == 1


async def test_cancel_and_unknown_imports(services: AppServices, client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    uploaded = await send_file(client, token, csv_bytes(BASE))
    cancelled = await client.post(f"{uploaded.headers['location']}/cancel", data={"csrf_token": token},
                                  follow_redirects=True)
    assert "The import was cancelled; nothing was changed." in cancelled.text
    assert "Cancelled" in cancelled.text
    assert (await client.get(f"{PAGE}/999")).status_code == 404
    example = await client.get(f"{PAGE}/example.csv")
    assert example.status_code == 200
    assert example.text.startswith("hospital_code,")


@pytest.mark.parametrize("role", ["coordinator", "operator"])
async def test_others_are_refused_and_nothing_is_written(services: AppServices, client: httpx.AsyncClient,
                                                         role: str) -> None:
    organisation = "SAMB"
    if role == "operator":
        await make_hospital(services, "H-OP")
        organisation = "H-OP"
    await make_user(services, "someone", role=role, organisation=organisation)
    await log_in(client, "someone")
    token = await csrf_from(client, "/account")
    assert (await client.get(PAGE)).status_code == 403
    assert (await send_file(client, token, csv_bytes(BASE))).status_code == 403
    for action in ("apply", "cancel"):
        response = await client.post(f"{PAGE}/1/{action}", data={"csrf_token": token, "fingerprint": "0" * 64})
        assert response.status_code == 403
    assert await count(services, NomenclatureImport) == 0
    assert await count(services, Section) == 0


async def test_confirming_without_the_form_token_is_refused(services: AppServices,
                                                            client: httpx.AsyncClient) -> None:
    token = await admin(services, client)
    uploaded = await send_file(client, token, csv_bytes(BASE))
    fingerprint = FINGERPRINT.search((await client.get(uploaded.headers["location"])).text)
    assert fingerprint
    refused = await client.post(f"{uploaded.headers['location']}/apply", data={"fingerprint": fingerprint.group(1)})
    assert refused.status_code == 403
    assert await count(services, Section) == 0


async def test_sections_to_retire_are_counted_in_romanian_plurals(services: AppServices,
                                                                  client: httpx.AsyncClient) -> None:
    # Issue 23 item 9: "1 secție va fi retrasă", "2 secții vor fi retrase", not "secție (secții)".
    token = await admin(services, client)
    uploaded = await send_file(client, token, csv_bytes(BASE))
    preview = await client.get(uploaded.headers["location"])
    fingerprint = FINGERPRINT.search(preview.text)
    assert fingerprint
    await client.post(f"{uploaded.headers['location']}/apply",
                      data={"csrf_token": token, "fingerprint": fingerprint.group(1)})

    async def warning(lines: list[Line]) -> str:
        sent = await send_file(client, token, csv_bytes(lines))
        shown = await client.get(sent.headers["location"], headers={"accept-language": "ro"})
        found = re.search(r'<p class="error">(.*?)</p>', shown.text)
        assert found, shown.text
        return found.group(1)

    assert await warning([BASE[0], BASE[1], BASE[3]]) == (
        "1 secție va fi retrasă: dispare din ecranele operatorilor și din panoul de paturi; istoricul ei se păstrează.")
    assert await warning([BASE[1], BASE[3]]) == (
        "2 secții vor fi retrase: dispar din ecranele operatorilor și din panoul de paturi; "
        "istoricul lor se păstrează.")
