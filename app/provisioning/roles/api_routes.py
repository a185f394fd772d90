"""``GET /api/v1/roles/login-tickets/{employee_id}``: an employee's login tickets as JSON (docs/api.md), in the
shape api_bodies.py declares.

The choices (unit + competence role) and, for what gives no choice, the reason in the caller's language with
its parameters and a stable code for programs.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit import audit
from app.kit.i18n import translate
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.provisioning.roles import staff_queries, tickets
from app.provisioning.roles.api_bodies import GapCode, LoginTickets
from app.provisioning.roles.login_tokens import is_login_system
from app.provisioning.roles.people_forms import employee_id

# The reasons tickets.py gives, by message id. A reason not listed here has the code "other".
GAP_CODES: Final[dict[str, GapCode]] = {
    "No active employee assignment: ask your manager for one.": "no_active_assignment",
    "No competence role: only your nearest manager can give you one.": "no_competence_role",
    "The role {role} is no longer in its catalogue.": "role_not_in_catalogue",
    "The role {role} is linked to none of your assigned units.": "role_not_linked_to_assigned_unit",
    "No competence role linked to unit {unit} ({hsa_id}).": "unit_without_linked_role",
}


def tickets_json(found: tickets.LoginTickets, today: str, language: str) -> LoginTickets:
    return {
        "employee": {"id": found.employee_id, "full_name": found.employee_name},
        "today": today,
        "choices": [{"unit_id": choice.unit_id, "unit": choice.unit_name, "hsa_id": choice.hsa_id,
                     "role": choice.role_key} for choice in found.choices],
        "gaps": [{"code": GAP_CODES.get(gap.message, "other"),
                  "message": translate(language, gap.message, **gap.params), "params": dict(gap.params)}
                 for gap in found.gaps],
    }


@requires(permissions.ROLES_OWN_TICKETS)
async def login_tickets(request: Request) -> Response:
    """The employee, their nearest manager, IT support and a login system's token of the employee's region may read
    them; anyone else is 403, audited. A token's every read is audited with its name (``token:<name>``): a login
    system reads on behalf of no person, so the log is where one sees which system read whose tickets when."""
    employee = employee_id(request)
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        view = await staff_queries.tickets_view(uow.session, actor, employee, app_services.clock.now(), None)
        if is_login_system(actor):
            await audit.record(uow.session, actor=actor, action="roles.login_tickets_read", object_type="employee",
                               object_id=employee, after={"token_name": actor.display_name,
                                                          "choices": len(view.found.choices)})
    return JSONResponse(tickets_json(view.found, view.today.isoformat(), language_of(request)))


routes: list[BaseRoute] = [
    Route("/api/v1/roles/login-tickets/{employee_id}", login_tickets, methods=["GET"],
          name="api_roles_login_tickets"),
]
