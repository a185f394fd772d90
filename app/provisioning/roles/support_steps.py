"""The two steps of IT support's one-task requests (create an assignment in HSA, end one there): taking the request
makes its task, and finishing the task finishes the request."""

from __future__ import annotations

from sqlalchemy import select

from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.i18n import _
from app.provisioning.core import service
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.core.workflow import TaskSpec


async def take(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, task: TaskSpec) -> None:
    """IT support takes the request: accepted, its one task planned, started."""
    await service.transition(uow, actor=actor, request=request, action="accept")
    await service.add_plan(uow, request=request, specs=[task])
    await service.transition(uow, actor=actor, request=request, action="start")


async def complete(uow: UnitOfWork, *, actor: Actor, request: ProvisioningRequest, task: TaskSpec,
                   external_reference: str | None) -> None:
    """The one task done, which completes the request; refused before the request was taken."""
    planned = await uow.session.scalar(select(ProvisioningTask).where(ProvisioningTask.request_id == request.id,
                                                                      ProvisioningTask.key == task.key))
    if planned is None:
        raise service.TransitionRefused(_("Take the request first."))
    await service.advance_task(uow, actor=actor, request=request, task=planned, action="complete",
                               external_reference=external_reference)
