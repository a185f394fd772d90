"""The nearest manager's forms on an employee's page: give and take competence roles, ask IT support for an
employee assignment, end one. The services refuse anyone else (403, audited) and nothing changes."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import Conflict, ValidationFailed
from app.kit.forms import positive_id
from app.kit.state import current_actor, services
from app.provisioning.core.request_pages import path_id
from app.provisioning.roles import assigning, competence
from app.provisioning.roles.people_forms import employee_id, form_date, required_date
from app.provisioning.roles.staff_routes import employee_page

ASSIGNMENT_FIELDS = ("care_area_id", "valid_from", "valid_to")


def _done(employee: int, done: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/roles/employees/{employee}?done={done}{anchor}", status_code=303)


async def _refused(request: Request, employee: int, error: ValidationFailed | Conflict,
                   typed: Mapping[str, str] | None = None) -> Response:
    return await employee_page(request, employee, error=error, typed=typed, status_code=error.status)


@requires(permissions.ROLES_MANAGE_STAFF)
async def assign_role(request: Request) -> Response:
    """The form's value is "catalogue id:role key" (views.RoleGroup)."""
    employee = employee_id(request)
    chosen = (await request.form()).get("role")
    catalogue, _sep, role_key = (chosen if isinstance(chosen, str) else "").partition(":")
    try:
        async with services(request).unit_of_work() as uow:
            await competence.assign_role(uow.session, actor=current_actor(request), employee_id=employee,
                                         catalogue_id=positive_id(catalogue) or 0, role_key=role_key)
    except (ValidationFailed, Conflict) as error:
        return await _refused(request, employee, error)
    return _done(employee, "assigned", "#roles")


@requires(permissions.ROLES_MANAGE_STAFF)
async def remove_role(request: Request) -> Response:
    employee, held = employee_id(request), path_id(request, "held_id")
    async with services(request).unit_of_work() as uow:
        await competence.remove_role(uow.session, actor=current_actor(request), employee_id=employee, held_id=held)
    return _done(employee, "removed", "#roles")


@requires(permissions.ROLES_MANAGE_STAFF)
async def request_assignment(request: Request) -> Response:
    employee = employee_id(request)
    form = await request.form()
    typed = {name: value for name in ASSIGNMENT_FIELDS if isinstance(value := form.get(name), str)}
    units = [found for value in form.getlist("unit_ids") if isinstance(value, str)
             if (found := positive_id(value)) is not None]
    systems = [value for value in form.getlist("systems") if isinstance(value, str)]
    try:
        valid_from = required_date(typed.get("valid_from", ""), "valid_from")
        valid_to = form_date(typed.get("valid_to", ""), "valid_to")
        async with services(request).unit_of_work() as uow:
            await assigning.request_assignment(
                uow, actor=current_actor(request), employee_id=employee,
                care_area_id=positive_id(typed.get("care_area_id", "")) or 0, unit_ids=units,
                valid_from=valid_from, valid_to=valid_to, systems=systems)
    except (ValidationFailed, Conflict) as error:
        return await _refused(request, employee, error, typed | {"units": ",".join(map(str, units)),
                                                                  "systems": "\n".join(systems)})
    return _done(employee, "requested", "#assignments")


@requires(permissions.ROLES_MANAGE_STAFF)
async def end_assignment(request: Request) -> Response:
    employee, assignment = employee_id(request), path_id(request, "assignment_id")
    try:
        async with services(request).unit_of_work() as uow:
            ended = await assigning.end_assignment(uow, actor=current_actor(request), assignment_id=assignment,
                                                   employee_id=employee)
    except (ValidationFailed, Conflict) as error:
        return await _refused(request, employee, error)
    return _done(employee, "ended_in_bedboard" if ended.end_request_id else "ended", "#assignments")


routes = [
    Route("/roles/employees/{employee_id}/roles", assign_role, methods=["POST"], name="roles_employee_assign"),
    Route("/roles/employees/{employee_id}/roles/{held_id}/remove", remove_role, methods=["POST"],
          name="roles_employee_remove"),
    Route("/roles/employees/{employee_id}/assignments", request_assignment, methods=["POST"],
          name="roles_employee_request_assignment"),
    Route("/roles/employees/{employee_id}/assignments/{assignment_id}/end", end_assignment, methods=["POST"],
          name="roles_employee_end_assignment"),
]
