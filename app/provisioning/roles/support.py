"""IT support sends an employee-assignment request back: the request is rejected with the reason, the assignment
it would have made ends before it began, and the manager who asked is told why. Also after taking it: creating it
in HSA may show that it cannot be made (its task then fails with the same reason)."""

from __future__ import annotations

from sqlalchemy import select

from accounts.models import User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.i18n import _
from app.notifications.notify import notify
from app.provisioning.core import service, workflow
from app.provisioning.core.models import ProvisioningRequest, ProvisioningTask
from app.provisioning.roles import assigning
from app.provisioning.roles.models import EmployeeAssignment


async def reject_assignment(uow: UnitOfWork, *, actor: Actor, request_id: int, reason: str) -> ProvisioningRequest:
    session = uow.session
    request = await assigning._support_request(uow, actor, request_id)  # the same rule as taking it
    if request.state == workflow.IN_PROGRESS:
        # Taken already: its task could not be done; the reason says why (kinds.ASSIGNMENT allows the rejection).
        task = await session.scalar(select(ProvisioningTask).where(
            ProvisioningTask.request_id == request.id, ProvisioningTask.key == assigning.CREATE_TASK.key,
            ProvisioningTask.state == workflow.PENDING))
        if task is not None:
            await service.advance_task(uow, actor=actor, request=request, task=task, action="fail",
                                       note=(reason or "").strip()[:service.MAX_REASON_LENGTH] or None)
    await service.transition(uow, actor=actor, request=request, action="reject", reason=reason)
    assignment = await session.scalar(select(EmployeeAssignment).where(EmployeeAssignment.request_id == request.id)
                                      .with_for_update())
    if assignment is not None:
        assignment.state = assigning.ENDED
        await audit.record(session, actor=actor, action="roles.assignment_rejected", object_type="employee",
                           object_id=assignment.employee_id, before={"state": assigning.REQUESTED},
                           after={"assignment_id": assignment.id, "state": assigning.ENDED,
                                  "reason": request.reason})
    requester = await session.get(User, request.requester_id)
    link = f"/roles/employees/{assignment.employee_id}" if assignment is not None else None
    await notify(session, recipients=[requester] if requester else [],
                 message=_("IT support rejected employee assignment #{number}: {reason}"),
                 params={"number": request.id, "reason": request.reason or ""}, link=link)
    return request
