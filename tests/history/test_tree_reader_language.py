"""The history as a tree auditor reads it (issue 23 items 5 and 9): a Chilean health service's auditor in Spanish, a
Swedish region's in Swedish. Their log opens on every event of their tree (it opened on "Bed changes", which their
tree never has, and said "No event matches these filters"), offers no hospital, section or section-type filter (those
listed the Romanian board's hospitals), and its headings, buttons and CSV header are in the reader's language. The
bed board's auditors keep bed changes first (tests/history/test_log.py)."""

from __future__ import annotations

import csv
import io

import httpx

from app.kit.state import AppServices
from app.provisioning.licenses import deciding, requesting
from tests.beds.factories import make_hospital
from tests.factories import make_user
from tests.provisioning.licence_world import SERVICE, actor_of, make_licence_world
from tests.provisioning.roles_world import REGION, make_roles_world
from tests.web import BrowserFactory, log_in

ES = {"accept-language": "es-CL,es;q=0.9"}
SV = {"accept-language": "sv-SE,sv;q=0.9"}
RUN = "12345678-5"
ENGLISH = ("Bed changes", "Check the chain now", "Export CSV", "No event matches these filters.", "Section type",
           "Old value", "Audit chain: not checked yet.")


async def _romanian_hospital(services: AppServices) -> str:
    await make_hospital(services, "NORD", name="Spitalul Județean Nord")
    return "Spitalul Județean Nord"


async def _chilean_tree(services: AppServices) -> None:
    world = await make_licence_world(services)
    await make_user(services, "audit.ssmso", role="auditor", organisation=SERVICE)
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.commune_a,
                                              entries=[(1, "alba PLAZA santelices", "12.345.678-5", "Femenino")])
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=await actor_of(services, "officer"), request_id=request.id)


def _no_bed_board_filters(page: str, hospital: str) -> None:
    assert hospital not in page
    for field in ('name="hospital"', 'name="section"', 'name="section_type"', 'value="beds"'):
        assert field not in page


async def test_a_health_services_auditor_reads_their_trees_events_in_spanish(client: httpx.AsyncClient,
                                                                             services: AppServices) -> None:
    hospital = await _romanian_hospital(services)
    await _chilean_tree(services)
    client.headers.update(ES)
    await log_in(client, "audit.ssmso")
    response = await client.get("/audit")
    assert response.status_code == 200
    page = response.text
    # Their tree's events by default: the licence request's, in Spanish.
    assert "licencia creada" in page
    assert "solicitud aceptada" in page
    assert "Ningún evento coincide con estos filtros." not in page
    for spanish in ("Historial", "Verificar la cadena ahora", "Exportar CSV", "Filtrar", "Registro", "Acción",
                    "Quién", "Origen", "Cadena de auditoría: aún no verificada."):
        assert spanish in page
    for english in ENGLISH:
        assert english not in page
    _no_bed_board_filters(page, hospital)
    # The bed board's kind is not theirs to ask for.
    refused = await client.get("/audit", params={"kind": "beds"})
    assert refused.status_code == 422
    assert "debe ser uno de: all" in refused.text


async def test_a_health_services_auditors_csv_has_a_spanish_header_and_their_events(client: httpx.AsyncClient,
                                                                                    services: AppServices) -> None:
    await _chilean_tree(services)
    client.headers.update(ES)
    await log_in(client, "audit.ssmso")
    export = await client.get("/audit/export.csv")
    assert export.status_code == 200
    header, *_rows = export.text.splitlines()
    assert header.split(",")[:6] == ["secuencia", "momento_utc", "momento_local", "acción", "actor", "organización"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {"licenses.created", "provisioning.request.accept"} <= {row["acción"] for row in rows}
    assert RUN in export.text


async def test_a_regions_auditor_reads_their_trees_events_in_swedish(client: httpx.AsyncClient,
                                                                     new_client: BrowserFactory,
                                                                     services: AppServices) -> None:
    hospital = await _romanian_hospital(services)
    await make_roles_world(services)
    await make_user(services, "audit.rg", role="auditor", organisation=REGION)
    async with new_client() as support:
        await log_in(support, "it.support")  # an event of the region's tree
    client.headers.update(SV)
    await log_in(client, "audit.rg")
    response = await client.get("/audit")
    assert response.status_code == 200
    page = response.text
    assert "loggade in" in page
    assert "it.support" in page
    for swedish in ("Historik", "Kontrollera kedjan nu", "Exportera CSV", "Filtrera", "Logg", "Användare", "Från",
                    "Till", "Granskningskedjan: inte kontrollerad än."):
        assert swedish in page
    for english in ENGLISH:
        assert english not in page
    _no_bed_board_filters(page, hospital)
    export = await client.get("/audit/export.csv")
    assert export.text.splitlines()[0].split(",")[:4] == ["löpnummer", "tid_utc", "tid_lokal", "händelse"]


async def test_the_bed_boards_auditor_keeps_bed_changes_and_hospitals(client: httpx.AsyncClient,
                                                                      services: AppServices) -> None:
    hospital = await _romanian_hospital(services)
    await make_user(services, "audit.ms", role="auditor", organisation="MS")
    await log_in(client, "audit.ms")
    page = (await client.get("/audit")).text
    assert '<option value="beds" selected>Bed changes</option>' in page
    assert hospital in page
    assert 'name="section_type"' in page
    assert (await client.get("/audit/export.csv")).text.startswith("seq,at_utc,at_local,action,")
