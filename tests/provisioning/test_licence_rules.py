"""Who may do what in the licence module, and the request's rules: each refusal writes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.errors import Conflict, DomainError, PermissionDenied
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.licenses import asking, deciding, requesting
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, License
from tests.provisioning.licence_world import LicenceWorld, actor_of, make_licence_world

ALBA = (1, "Alba Plaza Santelices", "12345678-5", "Femenino")
JUAN = (2, "Juan Pérez Soto", "10000013-K", "Masculino")
# Monday 2 November 2026, 09:00 in Santiago (UTC-3).
MONDAY = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


async def _written(services: AppServices) -> tuple[int, int, int]:
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
        requests_ = await session.scalar(select(func.count()).select_from(ProvisioningRequest))
        licences = await session.scalar(select(func.count()).select_from(License))
    return int(events or 0), int(requests_ or 0), int(licences or 0)


async def _submitted(services: AppServices, world: LicenceWorld, username: str = "ref_a",
                     entries: tuple[tuple[int, str, str, str], ...] = (ALBA,)) -> int:
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, username),
                                              organisation_id=world.commune_a if username == "ref_a"
                                              else world.commune_b, entries=list(entries))
        return request.id


async def _refused(services: AppServices, attempt: Callable[[], Awaitable[object]],
                   error: type[DomainError] = PermissionDenied) -> None:
    before = await _written(services)
    with pytest.raises(error):
        await attempt()
    assert await _written(services) == before


async def test_a_referent_of_another_commune_can_neither_see_nor_act(services: AppServices) -> None:
    world = await make_licence_world(services)
    request_id = await _submitted(services, world)
    other = await actor_of(services, "ref_b")

    async def cancel() -> None:
        async with services.unit_of_work() as uow:
            await requesting.cancel(uow, actor=other, request_id=request_id, reason=None)

    async def ask_for_commune_a() -> None:
        async with services.unit_of_work() as uow:
            await requesting.submit_new(uow, actor=other, organisation_id=world.commune_a, entries=[JUAN])

    async def load() -> None:
        async with services.unit_of_work() as uow:
            await requesting.own_request(uow.session, other, request_id)

    for attempt in (cancel, ask_for_commune_a, load):
        await _refused(services, attempt)


async def test_the_establishment_referent_is_limited_to_the_establishment(services: AppServices) -> None:
    world = await make_licence_world(services)
    request_id = await _submitted(services, world)  # for the commune above the establishment
    establishment = await actor_of(services, "ref_est")

    async def cancel() -> None:
        async with services.unit_of_work() as uow:
            await requesting.cancel(uow, actor=establishment, request_id=request_id, reason=None)

    await _refused(services, cancel)
    # ...while the commune's referent may ask for the establishment.
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=await actor_of(services, "ref_a"),
                                              organisation_id=world.establishment_a, entries=[JUAN])
    assert request.state == workflow.SUBMITTED


async def test_only_the_officer_decides_and_the_help_desk_never_activates(services: AppServices) -> None:
    world = await make_licence_world(services)
    request_id = await _submitted(services, world)
    for username in ("helpdesk", "ref_a", "ref_b"):
        actor = await actor_of(services, username)

        async def accept(actor: object = actor) -> None:
            async with services.unit_of_work() as uow:
                await deciding.accept(uow, actor=actor, request_id=request_id)  # type: ignore[arg-type]

        await _refused(services, accept)
    # Reactivation requests are the officer's too: the help desk cannot take one.
    officer = await actor_of(services, "officer")
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=officer, request_id=request_id)
    async with services.session_factory() as session:
        licence_id = await session.scalar(select(License.id))
    assert licence_id is not None
    async with services.unit_of_work() as uow:
        licence = await uow.session.get(License, licence_id)
        assert licence is not None
        await deciding.deactivate(uow.session, actor=officer, licence=licence, reason="unused")
    async with services.unit_of_work() as uow:
        reactivation = await asking.ask_about_licence(uow, actor=await actor_of(services, "ref_a"),
                                                      license_id=licence_id, kind="licenses.reactivation",
                                                      description="back from leave")
    helpdesk = await actor_of(services, "helpdesk")

    async def helpdesk_reactivates() -> None:
        async with services.unit_of_work() as uow:
            await deciding.accept(uow, actor=helpdesk, request_id=reactivation.id)

    await _refused(services, helpdesk_reactivates)

    async def ticket_on_a_deactivated_licence() -> None:
        async with services.unit_of_work() as uow:
            await asking.ask_about_licence(uow, actor=await actor_of(services, "ref_a"), license_id=licence_id,
                                           kind="licenses.support", description="please activate it")

    await _refused(services, ticket_on_a_deactivated_licence, Conflict)
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=officer, request_id=reactivation.id)
    async with services.session_factory() as session:
        assert (await session.get(License, licence_id)).state == ACTIVE  # type: ignore[union-attr]


async def test_a_rejected_request_is_corrected_and_resubmitted_with_its_history(services: AppServices,
                                                                                clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = MONDAY
    request_id = await _submitted(services, world)
    officer = await actor_of(services, "officer")
    async with services.unit_of_work() as uow:
        rejected = await deciding.reject(uow, actor=officer, request_id=request_id,
                                         reason="El segundo apellido falta")
    assert (rejected.state, rejected.reason) == (workflow.REJECTED, "El segundo apellido falta")
    clock.advance(days=1)
    referent = await actor_of(services, "ref_a")
    async with services.unit_of_work() as uow:
        again = await requesting.resubmit(uow, actor=referent, request_id=request_id, entries=[ALBA, JUAN])
    assert again.id == request_id
    assert again.state == workflow.SUBMITTED
    assert again.reason is None
    assert again.due_at == datetime(2026, 11, 5, 12, 0, tzinfo=UTC)  # two business days from the new receipt
    async with services.session_factory() as session:
        history = list((await session.execute(select(AuditEvent.action).where(
            AuditEvent.object_type == "provisioning_request", AuditEvent.object_id == str(request_id))
            .order_by(AuditEvent.seq))).scalars())
    assert history == ["provisioning.request.created", "provisioning.request.submit",
                       "provisioning.request.reject", "provisioning.request.resubmit"]


async def test_a_run_with_an_active_licence_or_an_open_request_is_flagged(services: AppServices) -> None:
    world = await make_licence_world(services)
    first = await _submitted(services, world)

    async def ask_again() -> None:
        await _submitted(services, world, "ref_b", (JUAN, (2, "Alba Plaza Santelices", "12.345.678-5", "F")))

    before = await _written(services)
    with pytest.raises(requesting.CollaboratorsRefused) as caught:
        await ask_again()
    assert await _written(services) == before
    (flagged,) = caught.value.batch.line_errors
    assert flagged.line == 2
    assert flagged.errors["run"].text() == f"Request #{first} already asks for this RUN; it is still open."
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=await actor_of(services, "officer"), request_id=first)
    with pytest.raises(requesting.CollaboratorsRefused) as caught:
        await ask_again()
    assert caught.value.batch.line_errors[0].errors["run"].message.startswith("This RUN already has an active")


async def test_the_pool_limits_creation_and_a_deactivation_frees_a_seat(services: AppServices) -> None:
    world = await make_licence_world(services, pool_size=1)
    officer = await actor_of(services, "officer")
    first = await _submitted(services, world)
    second = await _submitted(services, world, "ref_b", (JUAN,))
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=officer, request_id=first)

    async def accept_second() -> None:
        async with services.unit_of_work() as uow:
            await deciding.accept(uow, actor=officer, request_id=second)

    await _refused(services, accept_second, deciding.PoolExhausted)
    async with services.unit_of_work() as uow:
        licence = await uow.session.scalar(select(License))
        assert licence is not None
        await deciding.deactivate(uow.session, actor=officer, licence=licence, reason="left")
    await accept_second()
    async with services.session_factory() as session:
        states = sorted((await session.execute(select(License.state))).scalars())
    assert states == [ACTIVE, DEACTIVATED]


async def test_the_clock_pauses_while_the_requester_is_asked(services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = MONDAY
    async with services.unit_of_work() as uow:
        licence = License(organisation_id=world.commune_a, run="12345678-5", full_name="Alba Plaza Santelices",
                          gender="female", state=ACTIVE, created_at=MONDAY, activated_at=MONDAY, version=1)
        uow.session.add(licence)
    async with services.unit_of_work() as uow:
        ticket = await asking.ask_about_licence(uow, actor=await actor_of(services, "ref_a"), license_id=licence.id,
                                                kind="licenses.support", description="No puede entrar")
    assert ticket.due_at == datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
    helpdesk = await actor_of(services, "helpdesk")
    async with services.unit_of_work() as uow:
        await deciding.accept(uow, actor=helpdesk, request_id=ticket.id)
    clock.advance(hours=3)
    async with services.unit_of_work() as uow:
        await deciding.ask_requester(uow, actor=helpdesk, request_id=ticket.id, question="¿Qué nodo?")
    clock.advance(days=4)  # Monday 12:00 to Friday 12:00: four business days waiting
    async with services.unit_of_work() as uow:
        answered = await asking.answer_question(uow, actor=await actor_of(services, "ref_a"), request_id=ticket.id,
                                                answer="Nodo urgencia")
    assert answered.state == workflow.IN_PROGRESS
    assert answered.due_at == datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # Wednesday + 4 business days
    async with services.unit_of_work() as uow:
        done = await deciding.resolve_ticket(uow, actor=helpdesk, request_id=ticket.id, resolution="Clave nueva")
    assert done.state == workflow.DONE
    assert done.answered_at == clock.now()
