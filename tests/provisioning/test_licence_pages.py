"""The licence module's pages through HTTP, on both databases: forms, decisions, boundaries, Spanish."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.licenses.models import License
from tests.provisioning.licence_world import LicenceWorld, make_licence_world
from tests.web import BrowserFactory, csrf_from, log_in, post_form

GOOD = ("alba PLAZA santelices", "12.345.678-5", "female")
SECOND = ("juan de la FUENTE rojas", "10000013-k", "male")
BAD_CHECK_DIGIT = ("pedro soto LARA", "12345678-9", "male")  # the seed's own example: a wrong check digit


def table(organisation_id: int, *rows: tuple[str, str, str]) -> dict[str, str]:
    form = {"organisation_id": str(organisation_id), "rows": str(len(rows)), "intent": "submit"}
    for line, (full_name, run, gender) in enumerate(rows, start=1):
        form |= {f"full_name-{line}": full_name, f"run-{line}": run, f"gender-{line}": gender}
    return form


async def submitted(client: httpx.AsyncClient, world: LicenceWorld, *rows: tuple[str, str, str]) -> int:
    response = await post_form(client, "/licenses/requests/new", table(world.commune_a, *rows))
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/licenses/requests/(\d+)\?done=submitted", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


async def request_state(services: AppServices, request_id: int) -> tuple[str, str | None, int]:
    async with services.session_factory() as session:
        request = await session.get(ProvisioningRequest, request_id)
        assert request is not None
        return request.state, request.reason, request.version


async def count(services: AppServices, model: type[ProvisioningRequest] | type[License]) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_referent_submits_collaborators_through_the_form(client: httpx.AsyncClient,
                                                                services: AppServices) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    form_page = await client.get("/licenses/requests/new")
    assert form_page.status_code == 200
    assert f'<option value="{world.commune_a}"' in form_page.text
    assert f'<option value="{world.establishment_a}"' in form_page.text  # the commune's establishment too
    request_id = await submitted(client, world, GOOD, SECOND)
    page = await client.get(f"/licenses/requests/{request_id}?done=submitted")
    assert page.status_code == 200
    assert "The request is sent." in page.text
    assert "Alba Plaza Santelices" in page.text
    assert "12345678-5" in page.text
    assert "Juan de la Fuente Rojas" in page.text
    assert "10000013-K" in page.text
    assert 'data-testid="request-state">Submitted<' in page.text
    assert "America/Santiago" in page.text  # the organisation's calendar zone, said on the page
    listing = await client.get("/licenses/requests")
    assert f'href="/licenses/requests/{request_id}"' in listing.text


async def test_a_bad_run_is_refused_next_to_its_field_and_the_typed_values_stay(client: httpx.AsyncClient,
                                                                              services: AppServices) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    response = await post_form(client, "/licenses/requests/new", table(world.commune_a, GOOD, BAD_CHECK_DIGIT))
    assert response.status_code == 422
    error = re.search(r'data-testid="error-run-2">([^<]*)<', response.text)
    assert error
    assert "check digit does not match" in error.group(1)
    assert 'data-testid="error-run-1"' not in response.text
    assert 'data-testid="error-full_name-2"' not in response.text
    assert 'id="run-2" name="run-2" value="12345678-9"' in response.text
    assert 'value="alba PLAZA santelices"' in response.text  # typed, not yet normalised
    assert await count(services, ProvisioningRequest) == 0


async def test_add_a_row_without_javascript_keeps_what_was_typed(client: httpx.AsyncClient,
                                                                services: AppServices) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    response = await post_form(client, "/licenses/requests/new", table(world.commune_a, GOOD) | {"intent": "add_row"})
    assert response.status_code == 200
    assert 'name="full_name-2"' in response.text
    assert 'name="rows" value="2"' in response.text
    assert 'value="alba PLAZA santelices"' in response.text
    assert await count(services, ProvisioningRequest) == 0


async def test_a_csv_file_fills_the_table_and_lists_its_refused_lines(client: httpx.AsyncClient,
                                                                     services: AppServices) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    content = "Nombre;RUN;Género\nalba plaza santelices;12.345.678-5;Femenino\nPedro Soto;12345678-9;M\n"
    token = await csrf_from(client, "/licenses/requests/new")
    response = await client.post("/licenses/requests/new/csv",
                                 data={"csrf_token": token, "organisation_id": str(world.commune_a)},
                                 files={"file": ("colaboradores.csv", content.encode("utf-8"), "text/csv")})
    assert response.status_code == 422
    assert 'value="Alba Plaza Santelices"' in response.text
    assert 'value="12345678-5"' in response.text
    listed = re.search(r'data-testid="file-errors">(.*?)</div>', response.text, re.S)
    assert listed
    assert "Line 3" in listed.group(1)
    assert "check digit" in listed.group(1)
    assert await count(services, ProvisioningRequest) == 0


async def test_the_officer_accepts_and_rejects_through_the_pages(client: httpx.AsyncClient, services: AppServices,
                                                                 new_client: BrowserFactory) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    first = await submitted(client, world, GOOD)
    second = await submitted(client, world, SECOND)
    async with new_client() as officer:
        await log_in(officer, "officer")
        queue = await officer.get("/licenses/queue")
        assert queue.status_code == 200
        assert f"#{first}<" in queue.text
        assert f"#{second}<" in queue.text
        accepted = await post_form(officer, f"/licenses/requests/{first}/accept", {})
        assert (accepted.status_code, accepted.headers["location"]) == (
            303, f"/licenses/requests/{first}?done=accepted")
        empty_reason = await post_form(officer, f"/licenses/requests/{second}/reject", {"reason": " "})
        assert empty_reason.status_code == 422
        assert "Write the reason" in empty_reason.text
        rejected = await post_form(officer, f"/licenses/requests/{second}/reject",
                                   {"reason": "El RUN no corresponde al colaborador."})
        assert rejected.status_code == 303
        pool = await officer.get("/licenses/pool")
        assert pool.status_code == 200
        assert "FLORIDA" in pool.text
    assert (await request_state(services, first))[0] == workflow.IN_PROGRESS
    assert await count(services, License) == 1

    detail = await client.get(f"/licenses/requests/{first}")
    assert "Generate the access keys to the user&#39;s nodes" in detail.text
    async with services.session_factory() as session:
        tasks = list((await session.execute(select(ProvisioningTask).order_by(ProvisioningTask.position))).scalars())
    waiting = await post_form(client, f"/licenses/requests/{first}/tasks/{tasks[1].id}", {"action": "complete"})
    assert waiting.status_code == 409
    assert "has to wait" in waiting.text
    for task in tasks:
        assert (await post_form(client, f"/licenses/requests/{first}/tasks/{task.id}",
                                {"action": "complete"})).status_code == 303
    assert (await request_state(services, first))[0] == workflow.DONE

    returned = await client.get(f"/licenses/requests/{second}")
    assert "El RUN no corresponde al colaborador." in returned.text
    assert 'value="Juan de la Fuente Rojas"' in returned.text  # the correction form starts from the rows sent
    resent = await post_form(client, f"/licenses/requests/{second}/resubmit",
                             table(world.commune_a, ("Juan de la Fuente Rojas", "10000013-K", "male")))
    assert resent.status_code == 303
    assert (await request_state(services, second))[:2] == (workflow.SUBMITTED, None)
    history = (await client.get(f"/licenses/requests/{second}")).text
    assert "Corrected and submitted again" in history
    assert "Rejected" in history


async def test_another_communes_referent_cannot_see_or_act(client: httpx.AsyncClient, services: AppServices,
                                                           new_client: BrowserFactory) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    request_id = await submitted(client, world, GOOD)
    before = await request_state(services, request_id)
    async with new_client() as other:
        await log_in(other, "ref_b")
        assert (await other.get(f"/licenses/requests/{request_id}")).status_code == 403
        for action, form in (("cancel", {"reason": "x"}), ("answer", {"answer": "x"}),
                             ("resubmit", table(world.commune_a, SECOND))):
            response = await post_form(other, f"/licenses/requests/{request_id}/{action}", form)
            assert response.status_code == 403, action
        listing = await other.get("/licenses/requests")
        assert f"#{request_id}<" not in listing.text
        foreign = await post_form(other, "/licenses/requests/new", table(world.commune_a, SECOND))
        assert foreign.status_code == 403
    assert await request_state(services, request_id) == before
    assert await count(services, ProvisioningRequest) == 1


async def test_the_help_desk_cannot_accept_a_licence_request(client: httpx.AsyncClient, services: AppServices,
                                                             new_client: BrowserFactory) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    request_id = await submitted(client, world, GOOD)
    async with new_client() as helpdesk:
        await log_in(helpdesk, "helpdesk")
        assert (await post_form(helpdesk, f"/licenses/requests/{request_id}/accept", {})).status_code == 403
        assert (await post_form(helpdesk, f"/licenses/tickets/{request_id}/take", {})).status_code == 403
        assert (await helpdesk.get(f"/licenses/requests/{request_id}")).status_code == 403
    assert (await request_state(services, request_id))[0] == workflow.SUBMITTED
    assert await count(services, License) == 0


async def test_a_ticket_from_the_licence_page_to_its_resolution(client: httpx.AsyncClient, services: AppServices,
                                                                new_client: BrowserFactory) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    request_id = await submitted(client, world, GOOD)
    async with new_client() as officer:
        await log_in(officer, "officer")
        await post_form(officer, f"/licenses/requests/{request_id}/accept", {})
    async with services.session_factory() as session:
        license_id = await session.scalar(select(License.id))
    licences = await client.get("/licenses")
    assert "Alba Plaza Santelices" in licences.text
    assert "never" in licences.text
    no_description = await post_form(client, f"/licenses/{license_id}/ask", {"kind": "licenses.support"})
    assert no_description.status_code == 422
    assert "Describe the difficulty" in no_description.text
    asked = await post_form(client, f"/licenses/{license_id}/ask",
                            {"kind": "licenses.support", "description": "No puede entrar al nodo."})
    assert asked.status_code == 303
    ticket = int(asked.headers["location"].split("/")[-1].split("?")[0])
    async with new_client() as helpdesk:
        await log_in(helpdesk, "helpdesk")
        assert f"#{ticket}<" in (await helpdesk.get("/licenses/tickets")).text
        assert (await post_form(helpdesk, f"/licenses/tickets/{ticket}/take", {})).status_code == 303
        resolved = await post_form(helpdesk, f"/licenses/tickets/{ticket}/resolve",
                                   {"resolution": "Clave del nodo regenerada."})
        assert resolved.status_code == 303
    page = await client.get(f"/licenses/requests/{ticket}")
    assert "Clave del nodo regenerada." in page.text
    assert 'data-testid="request-state">Done<' in page.text


async def test_the_help_desk_sends_an_activation_ticket_back_to_the_referent(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    request_id = await submitted(client, world, GOOD)
    async with new_client() as officer:
        await log_in(officer, "officer")
        await post_form(officer, f"/licenses/requests/{request_id}/accept", {})
    async with services.session_factory() as session:
        license_id = await session.scalar(select(License.id))
    asked = await post_form(client, f"/licenses/{license_id}/ask",
                            {"kind": "licenses.support", "description": "Activen la licencia de nuevo."})
    ticket = int(asked.headers["location"].split("/")[-1].split("?")[0])
    async with new_client() as helpdesk:
        await log_in(helpdesk, "helpdesk")
        page = await helpdesk.get(f"/licenses/requests/{ticket}")
        assert f'action="/licenses/tickets/{ticket}/reject"' in page.text
        refused = await post_form(helpdesk, f"/licenses/tickets/{ticket}/reject",
                                  {"reason": "La activación la decide la Unidad de Salud Digital."})
        assert refused.status_code == 303
    page = await client.get(f"/licenses/requests/{ticket}")
    assert 'data-testid="request-state">Rejected<' in page.text
    assert "La activación la decide la Unidad de Salud Digital." in page.text


async def test_the_pages_speak_spanish(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_licence_world(services)
    await log_in(client, "ref_a")
    client.headers["accept-language"] = "es-CL,es;q=0.9"
    form_page = await client.get("/licenses/requests/new")
    assert "Solicitar licencias" in form_page.text
    assert "Nombre completo" in form_page.text
    assert ">Femenino<" in form_page.text
    refused = await post_form(client, "/licenses/requests/new", table(world.commune_a, BAD_CHECK_DIGIT))
    assert refused.status_code == 422
    assert "El dígito verificador no corresponde" in refused.text
    request_id = await submitted(client, world, GOOD)
    detail = await client.get(f"/licenses/requests/{request_id}")
    assert "Enviada" in detail.text
    assert "Colaboradores" in detail.text
