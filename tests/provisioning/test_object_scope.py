"""Every object-id route of the licence and IT-order modules (issue 18, defect 1, the review of every provisioning
role): a referent, licence officer and help desk of one health service aimed at another service's requests,
tickets, licences and usage tokens; IT contacts and IT-order administrators aimed at another organisation's
orders, people and catalogues; anyone at another user's notification. Each attempt is 403 (404 where the module
hides what is not yours: a usage token, a notification) and leaves every domain row as it was; a 403 is audited.
The roles module has its own file, test_roles_region_scope.py.

These modules checked their scope in the services already (licenses/scope.py, orders/scope.py): the cases keep it
so, route by route, so that a route added without its check fails here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from accounts import tokens
from accounts.models import Organisation, User
from app.kit.forms import carry_file
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import service
from app.provisioning.core.models import OrganisationCalendar
from app.provisioning.licenses import asking, deciding, kinds, requesting
from app.provisioning.licenses.models import License, LicensePool
from app.provisioning.licenses.usage_tokens import LICENSES_USAGE
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.models import ItOrder
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order
from tests.factories import make_user
from tests.provisioning.licence_world import actor_of, add_organisation, make_licence_world
from tests.provisioning.orders.orders_world import make_orders_world
from tests.provisioning.scope_cases import Case, allowed_to_its_owner, refused_and_unchanged

SKANE, UPPSALA = "skane_audiology", "uppsala_care_providers"
NEW_AUDIOLOGIST = {"clinics": ["Hörselmottagningen Lund", "Hörselmottagningen Malmö"], "profession": "audiologist",
                   "needs_webpriva_read": True, "main_clinic": "Hörselmottagningen Lund"}


# The person of the owning organisation who holds the same role as each attacker: the control that the route
# works for them, so that a case refused for another reason (a wrong field, a wrong state) cannot pass as scope.
OWNERS = {"officer": "officer_x", "helpdesk": "helpdesk_x", "ref_a": "ref_x", "it.omsorg": "it.lund",
          "it.malmo": "it.lund", "orders.uppsala": "orders.skane"}


# --- Licences: a second health service beside licence_world's ----------------------------------------------


@dataclass(frozen=True)
class OtherService:
    submitted: int  # a licence request waiting for the officer
    in_progress: int  # accepted: its licence exists, the referent's steps wait
    task: int  # one of those steps
    asked: int  # accepted, then the officer asked the referent something
    rejected: int  # sent back to be corrected
    ticket: int  # a help-desk ticket about the licence
    licence: int
    token: int  # the officer's usage token
    notification: int  # one of the other service's referent's notifications
    commune: int  # where the other service's referent works


async def _submitted(services: AppServices, commune: int, entry: tuple[int, str, str, str]) -> int:
    async with services.unit_of_work() as uow:
        return (await requesting.submit_new(uow, actor=await actor_of(services, "ref_x"), organisation_id=commune,
                                            entries=[entry])).id


async def make_other_service(services: AppServices) -> OtherService:
    await make_licence_world(services)
    health_service = await add_organisation(services, "SSMOC", "health_service", None)
    await add_organisation(services, "USD-OC", "digital_health_unit", health_service)
    commune = await add_organisation(services, "MAIPU", "commune", health_service)
    async with services.unit_of_work() as uow:
        uow.session.add(OrganisationCalendar(organisation_id=health_service, country="CL"))
        health = await uow.session.get(Organisation, health_service)
        assert health is not None
        health.timezone = "America/Santiago"
        uow.session.add(LicensePool(organisation_id=health_service, size=10))
    for username, role, organisation in (("ref_x", "referent", "MAIPU"), ("officer_x", "license_officer", "USD-OC"),
                                         ("helpdesk_x", "helpdesk", "USD-OC")):
        await make_user(services, username, role=role, organisation=organisation)
    officer = await actor_of(services, "officer_x")
    submitted = await _submitted(services, commune, (1, "alba PLAZA santelices", "20000001-3", "Femenino"))
    in_progress = await _submitted(services, commune, (1, "juan de la FUENTE rojas", "20000002-1", "Masculino"))
    asked = await _submitted(services, commune, (1, "ana TORO diaz", "20000003-K", "Femenino"))
    rejected = await _submitted(services, commune, (1, "luis SOTO vera", "20000004-8", "Masculino"))
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=officer, request_id=in_progress)
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=officer, request_id=asked)
    async with services.unit_of_work() as uow:
        await deciding.ask_requester(uow, actor=officer, request_id=asked, question="¿Qué establecimiento?")
    async with services.unit_of_work() as uow:
        await deciding.reject(uow, actor=officer, request_id=rejected, reason="RUN equivocado")
    async with services.session_factory() as session:
        licence = await session.scalar(select(License.id).where(License.run == "20000002-1"))
        task = (await service.tasks_of(session, in_progress))[0].id
        notification = await session.scalar(select(Notification.id).join(User, User.id == Notification.user_id)
                                            .where(User.username == "ref_x").limit(1))
    assert licence is not None
    assert notification is not None
    async with services.unit_of_work() as uow:
        ticket = await asking.ask_about_licence(uow, actor=await actor_of(services, "ref_x"), license_id=licence,
                                                kind=kinds.SUPPORT.code, description="No puede entrar")
        ticket_id = ticket.id
    async with services.unit_of_work() as uow:
        token = (await tokens.create_token(uow, actor=officer, scope=LICENSES_USAGE, name="Ficha clínica Maipú",
                                           organisation_id=None)).listing
    return OtherService(submitted, in_progress, task, asked, rejected, ticket_id, licence, token.id, notification,
                        commune)


LICENCE_CASES = [
    Case("officer", "GET", "/licenses/requests/{submitted}", 403),
    Case("officer", "POST", "/licenses/requests/{submitted}/accept", 403),
    Case("officer", "POST", "/licenses/requests/{submitted}/reject", 403, (("reason", "No"),)),
    Case("officer", "POST", "/licenses/requests/{submitted}/ask", 403, (("question", "¿Quién?"),)),
    Case("officer", "GET", "/licenses/usage/tokens/{token}/revoke", 404),
    Case("officer", "POST", "/licenses/usage/tokens/{token}/revoke", 404),
    Case("helpdesk", "GET", "/licenses/requests/{ticket}", 403),
    Case("helpdesk", "POST", "/licenses/tickets/{ticket}/take", 403),
    Case("helpdesk", "POST", "/licenses/tickets/{ticket}/ask", 403, (("question", "¿Cuándo?"),)),
    Case("helpdesk", "POST", "/licenses/tickets/{ticket}/resolve", 403, (("resolution", "Listo"),)),
    Case("helpdesk", "POST", "/licenses/tickets/{ticket}/reject", 403, (("reason", "No"),)),
    Case("ref_a", "GET", "/licenses/requests/{submitted}", 403),
    Case("ref_a", "POST", "/licenses/requests/{submitted}/cancel", 403, (("reason", "No"),)),
    Case("ref_a", "POST", "/licenses/requests/{asked}/answer", 403, (("answer", "CESFAM"),)),
    Case("ref_a", "POST", "/licenses/requests/{rejected}/resubmit", 403, (
        ("full_name-1", "luis SOTO vera"), ("run-1", "20000005-6"), ("gender-1", "Masculino"))),
    Case("ref_a", "POST", "/licenses/requests/{in_progress}/tasks/{task}", 403, (("action", "complete"),)),
    Case("ref_a", "POST", "/licenses/{licence}/ask", 403, (("kind", kinds.DEACTIVATION.code),
                                                           ("description", "Se fue"))),
    Case("ref_a", "POST", "/licenses/requests/new", 403, (
        ("organisation_id", "{commune}"), ("full_name-1", "eva ROJAS paz"), ("run-1", "20000005-6"),
        ("gender-1", "Femenino"))),
    Case("ref_a", "POST", "/notifications/{notification}/open", 404),
]


@pytest.mark.parametrize("case", LICENCE_CASES, ids=lambda case: f"{case.username} {case.method} {case.path}")
async def test_another_health_services_object_is_refused_and_nothing_changes(
        client: httpx.AsyncClient, services: AppServices, case: Case) -> None:
    values = asdict(await make_other_service(services))
    await refused_and_unchanged(client, services, case, values)
    await allowed_to_its_owner(client, case, values, OWNERS[case.username])


# --- IT orders: Skåne's clinic Lund and Uppsala's care provider ------------------------------------------------


@dataclass(frozen=True)
class LundOrder:
    order: int
    task: str
    person: int


async def lund_order(services: AppServices) -> LundOrder:
    await make_orders_world(services)
    placer = await actor_of(services, "it.lund")
    async with services.unit_of_work() as uow:
        placed = await place_order(uow, actor=placer, draft=OrderDraft(
            SKANE, "new_user", NEW_AUDIOLOGIST, date(2026, 4, 1), new_person=NewPerson("Karin Ek")))
    async with services.session_factory() as session:
        tasks = await service.tasks_of(session, placed.request_id)
        order = await session.get(ItOrder, placed.request_id)
        assert order is not None
        assert order.person_id is not None
        return LundOrder(placed.request_id, tasks[0].key, order.person_id)


ORDER_CASES = [
    Case("it.omsorg", "GET", "/orders/{order}", 403),
    Case("it.omsorg", "GET", "/orders/{order}/print", 403),
    Case("it.omsorg", "POST", "/orders/{order}/tasks/{task}", 403, (("action", "complete"),)),
    Case("it.omsorg", "GET", "/api/v1/orders/{order}", 403),
    Case("it.omsorg", "POST", "/api/v1/orders/{order}/tasks/{task}", 403, json={"action": "complete"}),
    Case("it.omsorg", "GET", "/orders/people/{person}", 403),
    Case("it.omsorg", "GET", "/api/v1/orders/people/{person}", 403),
    Case("it.omsorg", "GET", "/orders/new?catalogue=" + SKANE + "&event=new_user", 403),
    Case("it.omsorg", "POST", "/api/v1/orders", 403, json={
        "catalogue": SKANE, "event": "new_user", "planned_date": "2026-04-01", "answers": NEW_AUDIOLOGIST,
        "new_person": {"full_name": "Karin Ek"}}),
    # Another clinic of the same region is another organisation too.
    Case("it.malmo", "GET", "/orders/{order}", 403),
    Case("it.malmo", "POST", "/api/v1/orders/{order}/tasks/{task}", 403, json={"action": "complete"}),
    Case("it.malmo", "GET", "/orders/people/{person}", 403),
    Case("it.malmo", "GET", "/orders/new?catalogue=" + SKANE + "&event=new_user&person={person}", 403),
    Case("it.malmo", "POST", "/api/v1/orders", 403, json={
        "catalogue": SKANE, "event": "new_user", "planned_date": "2026-04-01", "answers": NEW_AUDIOLOGIST,
        "person_id": "{person}"}),
    Case("orders.uppsala", "GET", "/orders/catalogues/" + SKANE, 403),
    Case("orders.uppsala", "GET", "/orders/catalogues/" + SKANE + "/versions/1", 403),
    Case("orders.uppsala", "GET", "/orders/catalogues/" + SKANE + "/versions/1.yaml", 403),
    Case("orders.uppsala", "POST", "/orders/catalogues/upload/confirm", 422, (
        ("content", "{skane_file}"), ("file_name", SKANE + ".yaml"), ("base_version", "1"))),
]


@pytest.mark.parametrize("case", ORDER_CASES, ids=lambda case: f"{case.username} {case.method} {case.path}")
async def test_another_organisations_order_person_or_catalogue_is_refused_and_nothing_changes(
        client: httpx.AsyncClient, services: AppServices, case: Case) -> None:
    lund = await lund_order(services)
    values = {**asdict(lund), "skane_file": carry_file(loader.shipped_text(SKANE).encode())}
    if case.json is not None and case.json.get("person_id") == "{person}":
        case = Case(case.username, case.method, case.path, case.status, json={**case.json, "person_id": lund.person})
    refused = await refused_and_unchanged(client, services, case, values)
    owner = await allowed_to_its_owner(client, case, values, OWNERS[case.username])
    if case.status == 422:  # the store's own refusal: the owner's upload of its own key is no conflict
        assert "Another organisation keeps" in refused.text
        assert "Another organisation keeps" not in owner.text
