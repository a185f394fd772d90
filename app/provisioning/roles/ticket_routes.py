"""Login tickets as the seed's login shows them ("choose unit and role"): the employee's own, or an employee's
for IT support and the nearest manager to check. Picking one only says where it would log in: nothing is written.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.roles import staff_queries
from app.provisioning.roles.people_forms import employee_id


async def _tickets_page(request: Request, employee: int | None, *, own: bool) -> Response:
    app_services = services(request)
    view = None
    if employee is not None:
        async with app_services.unit_of_work() as uow:
            view = await staff_queries.tickets_view(uow.session, current_actor(request), employee,
                                                    app_services.clock.now(), request.query_params.get("choice"))
    return render(request, "roles_ticket_page.html", {
        "view": view, "own": own, "value_of": staff_queries.choice_value,
        "action": request.url.path})


@requires(permissions.ROLES_OWN_TICKETS)
async def own_tickets(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        employee = await staff_queries.employee_of_user(uow.session, current_actor(request).user_id)
    return await _tickets_page(request, employee, own=True)


@requires(permissions.ROLES_OWN_TICKETS)
async def employee_tickets(request: Request) -> Response:
    # The service lets the employee, their nearest manager and IT support see them; anyone else gets 403.
    return await _tickets_page(request, employee_id(request), own=False)


routes = [
    Route("/roles/tickets", own_tickets, methods=["GET"], name="roles_tickets"),
    Route("/roles/employees/{employee_id}/tickets", employee_tickets, methods=["GET"], name="roles_employee_tickets"),
]
