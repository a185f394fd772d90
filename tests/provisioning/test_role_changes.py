"""A catalogue change request from proposal to a new version: out-of-order steps refused, the send-back,
and the version diff after applying."""

from __future__ import annotations

from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.errors import PermissionDenied, ValidationFailed
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.service import TransitionRefused
from app.provisioning.roles import changing
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import RoleCatalogue, RoleUnit
from tests.provisioning.roles_world import HSA_WARD, actor, make_roles_world, role

NEW_UNIT = "SE2321000198-E4KA"
PROPOSAL = [{"op": "add_unit", "hsa_id": NEW_UNIT, "name": "Hjärtmottagning Hudiksvall"},
            role("Kardiologi", "Undersköterska", "", [HSA_WARD, NEW_UNIT])]


async def _audit_count(services: AppServices) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def _step(services: AppServices, username: str, step: str, request_id: int, **extra: object) -> str:
    async with services.unit_of_work() as uow:
        function = getattr(changing, step)
        request = await function(uow, actor=await actor(services, username), request_id=request_id, **extra)
        return str(request.state)


async def _refused(services: AppServices, username: str, step: str, request_id: int,
                   error: type[Exception], **extra: object) -> None:
    before = await _audit_count(services)
    try:
        await _step(services, username, step, request_id, **extra)
    except error:
        pass
    else:
        raise AssertionError(f"{username} could {step}")
    assert await _audit_count(services) == before


async def test_the_full_change_request_flow(services: AppServices) -> None:
    world = await make_roles_world(services)
    async with services.unit_of_work() as uow:
        request = await changing.propose(uow, actor=await actor(services, "contact"), catalogue_id=world.catalogue_id,
                                         description="Undersköterskor behöver logga in på avdelningen",
                                         operations=[role("Kardiologi", "Undersköterska", "", [HSA_WARD])])
    assert request.state == workflow.SUBMITTED
    # Out of order: nobody reviews or applies before the head of operations has approved.
    await _refused(services, "steward", "start_review", request.id, TransitionRefused)
    await _refused(services, "steward", "apply", request.id, TransitionRefused)
    # Only the responsible head of operations approves.
    for username in ("head.digital", "steward", "contact", "admin"):
        await _refused(services, username, "approve", request.id, PermissionDenied)
    assert await _step(services, "head.kard", "approve", request.id) == workflow.ACCEPTED
    await _refused(services, "contact", "start_review", request.id, PermissionDenied)
    assert await _step(services, "steward", "start_review", request.id) == workflow.IN_PROGRESS
    assert await _step(services, "steward", "send_back", request.id,
                       reason="Lägg till den nya mottagningen också") == workflow.WAITING_FOR_REQUESTER
    await _refused(services, "steward", "apply", request.id, TransitionRefused)
    await _refused(services, "mgr.ward", "revise", request.id, PermissionDenied, operations=PROPOSAL, answer="x")
    # The operations changed: what the head approved is not what would be applied, so it goes back to them (issue 23).
    assert await _step(services, "contact", "revise", request.id, operations=PROPOSAL,
                       answer="Mottagningen är tillagd") == workflow.SUBMITTED
    await _refused(services, "steward", "apply", request.id, TransitionRefused)
    assert await _step(services, "head.kard", "approve", request.id) == workflow.ACCEPTED
    assert await _step(services, "steward", "start_review", request.id) == workflow.IN_PROGRESS
    assert await _step(services, "steward", "apply", request.id) == workflow.DONE

    async with services.session_factory() as session:
        stored = await session.get(RoleCatalogue, world.catalogue_id)
        unit = await session.scalar(select(RoleUnit).where(RoleUnit.hsa_id == NEW_UNIT))
        difference = await catalogue.compare_versions(session, world.catalogue_id, 1, 2)
    assert stored is not None
    assert stored.current_version == 2
    assert unit is not None
    assert [added.key for added in difference.added] == ["Kardiologi / Undersköterska"]
    assert difference.removed == () or list(difference.removed) == []


async def test_a_proposal_that_does_not_apply_is_refused_before_anyone_approves(services: AppServices) -> None:
    world = await make_roles_world(services)
    before = await _audit_count(services)
    try:
        async with services.unit_of_work() as uow:
            await changing.propose(uow, actor=await actor(services, "contact"), catalogue_id=world.catalogue_id,
                                   description="Ta bort en roll som inte finns",
                                   operations=[{"op": "remove_role", "role": "Ortopedi / Läkare"}])
    except ValidationFailed:
        pass
    else:
        raise AssertionError("an unknown role was removed")
    assert await _audit_count(services) == before


async def test_a_unit_head_of_the_care_area_may_propose_and_another_may_not(services: AppServices) -> None:
    world = await make_roles_world(services)
    async with services.unit_of_work() as uow:
        request = await changing.propose(uow, actor=await actor(services, "mgr.clinic"),
                                         catalogue_id=world.catalogue_id, description="Läkare på mottagningen",
                                         operations=[{"op": "relink_role", "role": "Kardiologi / Läkare",
                                                     "units": [HSA_WARD]}])
    assert request.state == workflow.SUBMITTED
    try:
        async with services.unit_of_work() as uow:
            await changing.propose(uow, actor=await actor(services, "mgr.primary"), catalogue_id=world.catalogue_id,
                                   description="Inte min", operations=[])
    except PermissionDenied:
        pass
    else:
        raise AssertionError("a unit head of another care area proposed a change")
