"""A manager's staff: the employees whose nearest manager they are, recording a new one, and one employee's
page (competence roles, assignments). IT support may open an employee's page to check it, without its forms;
anyone else, another manager included, is refused (and the refusal audited)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import Conflict, DomainError, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.request_pages import reader_time
from app.provisioning.roles import people, staff_queries
from app.provisioning.roles.people_forms import done_message, employee_id

EMPLOYEE_FIELDS = ("full_name", "personal_number", "hsa_person_id", "unit_id", "username")


async def _staff_page(request: Request, *, error: DomainError | None = None,
                      typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        staff = await staff_queries.staff_of(uow.session, actor)
        units = await staff_queries.managed_units(uow.session, actor)
    return render(request, "roles_staff_list.html", {
        "staff": staff, "units": units, "error": error, "typed": dict(typed or {}),
        "done": done_message(request)}, status_code=status_code)


@requires(permissions.ROLES_MANAGE_STAFF)
async def staff_page(request: Request) -> Response:
    return await _staff_page(request)


@requires(permissions.ROLES_MANAGE_STAFF)
async def register_employee(request: Request) -> Response:
    """The unit's manager records an employee; their bedboard account, if named, lets them see their tickets."""
    form = await form_text(request, *EMPLOYEE_FIELDS)
    try:
        async with services(request).unit_of_work() as uow:
            user_id = await staff_queries.account_to_link(uow.session, form["username"])
            employee = await people.register_employee(
                uow.session, actor=current_actor(request), full_name=form["full_name"],
                personal_number=form["personal_number"] or None, hsa_person_id=form["hsa_person_id"] or None,
                unit_id=positive_id(form["unit_id"]) or 0, user_id=user_id)
    except (ValidationFailed, Conflict) as error:
        return await _staff_page(request, error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"/roles/employees/{employee.id}?done=registered", status_code=303)


async def employee_page(request: Request, employee: int, *, error: DomainError | None = None,
                        typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        view = await staff_queries.employee_view(uow.session, current_actor(request), employee)
    today = services(request).clock.now().astimezone(view.zone).date()
    return render(request, "roles_staff_employee.html", {
        "view": view, "error": error, "typed": dict(typed or {}), "done": done_message(request),
        "today": today.isoformat(), "at": lambda moment: reader_time(request)(moment, view.zone)},
        status_code=status_code)


@requires(permissions.ROLES_OWN_TICKETS)
async def employee_detail(request: Request) -> Response:
    # Managers and IT support both hold this action; the read model refuses all but the nearest manager and
    # IT support.
    return await employee_page(request, employee_id(request))


routes = [
    Route("/roles/staff", staff_page, methods=["GET"], name="roles_staff"),
    Route("/roles/staff", register_employee, methods=["POST"], name="roles_staff_register"),
    Route("/roles/employees/{employee_id}", employee_detail, methods=["GET"], name="roles_employee"),
]
