"""What an IT contact or administrator gets wrong is refused with a message naming the field, and nothing is
written: dates, notes, people, subcontractors, another organisation's catalogue or person, bad uploads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders import people, scope, storing
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import MAX_NOTE, OrderDraft
from tests.provisioning.orders.orders_world import OrdersWorld, actor, make_orders_world
from tests.provisioning.orders.test_order_flow import NEW_AUDIOLOGIST, SKANE, UPPSALA, place


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


def new_user(**changes: object) -> OrderDraft:
    values: dict[str, object] = {"catalogue_key": SKANE, "event_key": "new_user", "answers": NEW_AUDIOLOGIST,
                                 "planned_date": date(2026, 4, 1), "new_person": NewPerson("Karin Ek")}
    values.update(changes)
    return OrderDraft(**values)  # type: ignore[arg-type]


async def orders_count(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(ProvisioningRequest)) or 0)


@pytest.mark.parametrize(("draft", "field"), [
    (new_user(planned_date=None), "planned_date"),
    (new_user(planned_date=date(2031, 1, 1)), "planned_date"),
    (new_user(note="x" * (MAX_NOTE + 1)), "note"),
    (new_user(new_person=None), "person"),
    (new_user(new_person=NewPerson("  ")), "full_name"),
    (new_user(new_person=NewPerson("Karin Ek", "SE123-not-an-id")), "hsa_id"),
])
async def test_a_bad_order_names_its_field_and_writes_nothing(services: AppServices, world: OrdersWorld,
                                                              draft: OrderDraft, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await place(services, "it.lund", draft)
    assert refused.value.details["field"] == field
    assert await orders_count(services) == 0


async def test_a_person_listed_twice_by_hsa_id_is_refused(services: AppServices, world: OrdersWorld) -> None:
    lund = await actor(services, "it.lund")
    async with services.unit_of_work() as uow:
        await people.add_person(uow, actor=lund, organisation_id=world.clinic,
                                person=NewPerson("Karin Ek", "SE2321000198-E1KA"))
    async with services.unit_of_work() as uow:
        with pytest.raises(ValidationFailed) as refused:
            await people.add_person(uow, actor=lund, organisation_id=world.clinic,
                                    person=NewPerson("K. Ek", "SE2321000198-E1KA"))
    assert refused.value.details["field"] == "hsa_id"


async def test_another_clinics_person_cannot_be_ordered_for(services: AppServices, world: OrdersWorld) -> None:
    malmo = await actor(services, "it.malmo")
    async with services.unit_of_work() as uow:
        theirs = await people.add_person(uow, actor=malmo, organisation_id=world.other_clinic,
                                         person=NewPerson("Eva Malm"))
    with pytest.raises(PermissionDenied):
        await place(services, "it.lund", new_user(new_person=None, person_id=theirs.id))
    with pytest.raises(NotFound):
        await place(services, "it.lund", new_user(new_person=None, person_id=theirs.id + 1000))


async def test_an_organisation_orders_its_own_change_and_a_subcontractors_through_its_main_contractor(
        services: AppServices, world: OrdersWorld) -> None:
    with pytest.raises(ValidationFailed):
        await place(services, "it.omsorg", OrderDraft(UPPSALA, "organisation_change", {"change_size": "small"},
                                                      date(2026, 6, 1), subject_organisation_id=world.subcontractor))
    with pytest.raises(PermissionDenied):
        await place(services, "it.omsorg", OrderDraft(UPPSALA, "subcontractor", {"assignment": "begins"},
                                                      date(2026, 6, 1), subject_organisation_id=world.clinic))
    assert await orders_count(services) == 0


async def test_a_catalogue_of_another_region_is_not_offered_nor_usable(services: AppServices,
                                                                       world: OrdersWorld) -> None:
    with pytest.raises(PermissionDenied):
        await place(services, "it.lund", OrderDraft(UPPSALA, "organisation_change", {"change_size": "small"},
                                                    date(2026, 6, 1)))
    with pytest.raises(NotFound):
        await place(services, "it.lund", new_user(catalogue_key="no_such_catalogue"))
    with pytest.raises(PermissionDenied):
        scope.keeping_organisation(await actor(services, "it.lund"))
    async with services.session_factory() as session:
        with pytest.raises(NotFound):
            await storing.version_of(session, SKANE, 99)


@pytest.mark.parametrize(("data", "name"), [
    (b"format: 1\n", ""),
    (b"format: 1\n", "x" * 300 + ".yaml"),
    (b"#" * (storing.MAX_FILE_BYTES + 1), "big.yaml"),
])
def test_an_upload_without_a_name_or_too_large_is_refused_before_reading(data: bytes, name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        storing.read_upload(data, name)
    assert refused.value.details["field"] == "file"


def test_an_upload_that_is_not_utf8_is_named_as_such() -> None:
    with pytest.raises(CatalogueInvalid) as refused:
        storing.read_upload("format: 1\nname: Hörsel\n".encode("latin-1"), "C:\\rutiner\\skane.yaml")
    assert [(problem.file, problem.line) for problem in refused.value.problems] == [("skane.yaml", 1)]
