"""The state machines: every pair missing from a table is refused (409) and writes nothing; plans are DAGs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import func, select

from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.kit.state import AppServices
from app.provisioning.core import service, workflow
from app.provisioning.core.events import RequestChanged
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.licenses import kinds
from tests.provisioning.licence_world import actor_of, make_licence_world

ALL_REQUEST_ACTIONS = sorted({action for (_state, action) in workflow.REQUEST_TRANSITIONS})
ALL_TASK_ACTIONS = sorted({action for (_state, action) in workflow.TASK_TRANSITIONS})


def test_every_pair_outside_the_tables_has_no_next_state() -> None:
    for state in workflow.REQUEST_STATE_LABELS:
        for action in ALL_REQUEST_ACTIONS:
            expected = workflow.REQUEST_TRANSITIONS.get((state, action))
            assert workflow.next_request_state(state, action) == expected
    assert workflow.request_actions_from(workflow.DONE) == []
    assert workflow.request_actions_from(workflow.CANCELLED) == []
    assert workflow.task_actions_from(workflow.TASK_DONE) == []
    assert set(workflow.request_actions_from(workflow.SUBMITTED)) == {"accept", "reject", "cancel"}


def test_a_plan_with_a_cycle_or_an_unknown_prerequisite_is_refused() -> None:
    a = workflow.TaskSpec("a", "dir", "create", "referent", ("c",))
    b = workflow.TaskSpec("b", "dir", "create", "referent", ("a",))
    c = workflow.TaskSpec("c", "dir", "create", "referent", ("b",))
    with pytest.raises(workflow.PlanError, match="cycle: a, b, c"):
        workflow.ordered_plan([a, b, c])
    with pytest.raises(workflow.PlanError, match="unknown task"):
        workflow.ordered_plan([workflow.TaskSpec("x", "dir", "create", "referent", ("nowhere",))])
    with pytest.raises(workflow.PlanError, match="twice"):
        workflow.ordered_plan([b, b])
    root = workflow.TaskSpec("c", "dir", "create", "referent")
    assert [spec.key for spec in workflow.ordered_plan([b, a, root])] == ["c", "a", "b"]


async def _counts(services: AppServices) -> tuple[int, int, str]:
    async with services.session_factory() as session:
        audit_count = await session.scalar(select(func.count()).select_from(AuditEvent))
        tasks = await session.scalar(select(func.count()).select_from(ProvisioningTask))
        states = ",".join((await session.execute(select(ProvisioningRequest.state)
                                                 .order_by(ProvisioningRequest.id))).scalars())
    return int(audit_count or 0), int(tasks or 0), states


async def _request_in(services: AppServices, actor: Actor, organisation_id: int, path: list[str]) -> int:
    async with services.unit_of_work() as uow:
        request = await service.create_request(uow, actor=actor, kind=kinds.SUPPORT.code,
                                               organisation_id=organisation_id)
        for action in path:
            await service.transition(uow, actor=actor, request=request, action=action,
                                     reason="why" if action in service.REASONED_ACTIONS else None)
        return request.id


PATHS = {
    workflow.DRAFT: [],
    workflow.SUBMITTED: ["submit"],
    workflow.REJECTED: ["submit", "reject"],
    workflow.ACCEPTED: ["submit", "accept"],
    workflow.IN_PROGRESS: ["submit", "accept", "start"],
    workflow.WAITING_FOR_REQUESTER: ["submit", "accept", "start", "ask_requester"],
    workflow.DONE: ["submit", "accept", "start", "complete"],
    workflow.CANCELLED: ["cancel"],
}


async def _attempt(services: AppServices, actor: Actor, request_id: int, action: str) -> None:
    async with services.unit_of_work() as uow:
        request = await service.load_request(uow.session, request_id, for_update=True)
        await service.transition(uow, actor=actor, request=request, action=action, reason="x")


async def test_every_forbidden_request_transition_is_refused_and_writes_nothing(services: AppServices) -> None:
    world = await make_licence_world(services)
    actor = await actor_of(services, "ref_a")
    requests = {state: await _request_in(services, actor, world.commune_a, path) for state, path in PATHS.items()}
    before = await _counts(services)
    refused = 0
    for state, request_id in requests.items():
        for action in ALL_REQUEST_ACTIONS:
            if (state, action) in workflow.REQUEST_TRANSITIONS:
                continue
            with pytest.raises(service.TransitionRefused) as caught:
                await _attempt(services, actor, request_id, action)
            assert caught.value.status == 409
            refused += 1
    assert refused == len(PATHS) * len(ALL_REQUEST_ACTIONS) - len(workflow.REQUEST_TRANSITIONS)
    assert await _counts(services) == before


async def test_tasks_follow_their_table_and_wait_for_prerequisites(services: AppServices,
                                                                   unit_of_work: Callable[[], UnitOfWork]) -> None:
    world = await make_licence_world(services)
    actor = await actor_of(services, "ref_a")
    request_id = await _request_in(services, actor, world.commune_a, ["submit", "accept", "start"])
    plan = [workflow.TaskSpec("account", "directory", "create_account", "referent"),
            workflow.TaskSpec("card", "cards", "order_card", "referent", ("account",))]
    async with services.unit_of_work() as uow:
        request = await service.load_request(uow.session, request_id)
        account, card = await service.add_plan(uow, request=request, specs=plan)

    async def move(task_id: int, action: str, reference: str | None = None) -> bool:
        async with services.unit_of_work() as uow:
            request = await service.load_request(uow.session, request_id, for_update=True)
            task = await uow.session.get(ProvisioningTask, task_id)
            assert task is not None
            return await service.advance_task(uow, actor=actor, request=request, task=task, action=action,
                                              external_reference=reference)

    before = await _counts(services)
    with pytest.raises(service.TransitionRefused, match="has to wait"):
        await move(card.id, "complete")
    for action in ("confirm", "retry"):  # not from pending
        with pytest.raises(service.TransitionRefused):
            await move(account.id, action)
    with pytest.raises(ValidationFailed, match="external reference"):
        await move(account.id, "await_external", "  ")
    assert await _counts(services) == before

    assert await move(account.id, "await_external", "SKAT-4711") is False
    assert await move(account.id, "confirm") is False
    assert await move(card.id, "fail") is False
    assert await move(card.id, "retry") is False
    assert await move(card.id, "complete") is True  # the last open task completes the request
    async with services.session_factory() as session:
        finished = await service.load_request(session, request_id)
        stored = await session.get(ProvisioningTask, account.id)
    assert finished.state == workflow.DONE
    assert finished.closed_at is not None
    assert stored is not None
    assert stored.external_reference == "SKAT-4711"
    with pytest.raises(service.TransitionRefused, match="not in progress"):
        await move(card.id, "retry")


async def test_each_transition_is_published_after_commit_with_its_audit_number(
        services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    actor = await actor_of(services, "ref_a")
    published: list[object] = []

    async def publish(events: Sequence[object]) -> None:
        published.extend(events)

    def unit() -> UnitOfWork:
        return UnitOfWork(services.session_factory, clock=clock, publish=publish)

    async with unit() as uow:
        request = await service.create_request(uow, actor=actor, kind=kinds.SUPPORT.code,
                                               organisation_id=world.commune_a)
        await service.transition(uow, actor=actor, request=request, action="submit")

    async def cancel_then_accept() -> None:
        async with unit() as uow:
            loaded = await service.load_request(uow.session, request.id, for_update=True)
            await service.transition(uow, actor=actor, request=loaded, action="cancel")
            await service.transition(uow, actor=actor, request=loaded, action="accept")  # refused: rolled back

    with pytest.raises(service.TransitionRefused):
        await cancel_then_accept()
    async with services.session_factory() as session:
        seqs = list((await session.execute(select(AuditEvent.seq).where(
            AuditEvent.object_type == "provisioning_request").order_by(AuditEvent.seq))).scalars())
    assert published == [RequestChanged(seqs[0], request.id, kinds.SUPPORT.code, workflow.DRAFT, "create"),
                         RequestChanged(seqs[1], request.id, kinds.SUPPORT.code, workflow.SUBMITTED, "submit")]
