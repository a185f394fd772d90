"""The licence request from submission to done, through the services, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningTask
from app.provisioning.core.service import TransitionRefused
from app.provisioning.licenses import asking, deciding, requesting
from app.provisioning.licenses.models import ACTIVE, License
from tests.provisioning.licence_world import actor_of, make_licence_world

GOOD = (1, "alba PLAZA santelices", "12.345.678-5", "Femenino")
SECOND = (2, "juan de la FUENTE rojas", "10000013-k", "Masculino")
# Thursday 17 September 2026, 10:00 in Santiago (UTC-3): Chile's 18th and 19th are holidays.
THURSDAY_BEFORE_FIESTAS = datetime(2026, 9, 17, 13, 0, tzinfo=UTC)


async def notifications_of(services: AppServices, username: str) -> list[str]:
    async with services.session_factory() as session:
        rows = await session.execute(select(Notification.message).join(User, Notification.user_id == User.id)
                                     .where(User.username == username).order_by(Notification.id))
        return list(rows.scalars())


async def test_submit_accept_and_finish(services: AppServices, clock: ManualClock) -> None:
    world = await make_licence_world(services)
    clock._now = THURSDAY_BEFORE_FIESTAS
    referent = await actor_of(services, "ref_a")
    async with services.unit_of_work() as uow:
        request = await requesting.submit_new(uow, actor=referent, organisation_id=world.commune_a,
                                              entries=[GOOD, SECOND])
    assert request.state == workflow.SUBMITTED
    # 48 business hours from Thursday 10:00, skipping Friday 18 (holiday), the weekend: Tuesday 22, 10:00.
    assert request.due_at == datetime(2026, 9, 22, 13, 0, tzinfo=UTC)
    assert await notifications_of(services, "officer") == ["Licence request #{number} was submitted and waits for you."]

    officer = await actor_of(services, "officer")
    async with services.unit_of_work() as uow:
        accepted = await deciding.accept(uow, actor=officer, request_id=request.id)
    assert accepted.state == workflow.IN_PROGRESS
    async with services.session_factory() as session:
        licences = list((await session.execute(select(License).order_by(License.run))).scalars())
        tasks = list((await session.execute(select(ProvisioningTask).order_by(ProvisioningTask.position))).scalars())
    assert [(item.run, item.full_name, item.state) for item in licences] == [
        ("10000013-K", "Juan de la Fuente Rojas", ACTIVE), ("12345678-5", "Alba Plaza Santelices", ACTIVE)]
    assert [task.key for task in tasks] == ["12345678-5:node_keys", "10000013-K:node_keys",
                                            "12345678-5:notify_user", "10000013-K:notify_user"]

    # The user cannot be told before their keys exist.
    notify_first = tasks[2]
    with pytest.raises(TransitionRefused):
        async with services.unit_of_work() as uow:
            await asking.advance_task(uow, actor=referent, request_id=request.id, task_id=notify_first.id,
                                      action="complete")
    for task in tasks:
        async with services.unit_of_work() as uow:
            finished = await asking.advance_task(uow, actor=referent, request_id=request.id, task_id=task.id,
                                                 action="complete")
    assert finished.state == workflow.DONE
    messages = await notifications_of(services, "ref_a")
    assert messages[-1] == "Request #{number} is done: every step is complete."
    async with services.session_factory() as session:
        created = await session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.action == "licenses.created"))
    assert created == 2
