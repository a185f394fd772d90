"""The unit pages' two writes as JSON, for a script run with a person's session (docs/api.md; the page's CSRF token
in ``X-CSRF-Token``): ``PUT /api/v1/roles/units/{unit_id}/manager`` names a unit's manager and ``PUT
/api/v1/roles/employees/{employee_id}/unit`` sets an employee's unit and nearest manager. The same service as the
pages: IT support of the region or the head of operations of the care area, a manager of the care area only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.api_parsing import invalid, json_object
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.provisioning.roles import unit_managers
from app.provisioning.roles.people_forms import employee_id
from app.provisioning.roles.unit_routes import unit_id_of

NOT_AN_ID = _("{field} must be a whole number from 1, the id of what it names.")
UNKNOWN = _("Unknown field {field}.")


def _fields(body: dict[str, Any], *, required: tuple[str, ...],
            optional: tuple[str, ...] = ()) -> dict[str, int | None]:
    for name in body:
        if name not in required + optional:
            raise invalid(UNKNOWN, name, field=name)
    found: dict[str, int | None] = {}
    for name in required + optional:
        value = body.get(name)
        if value is None and name in optional:
            found[name] = None
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            found[name] = value
        else:
            raise invalid(NOT_AN_ID, name, field=name)
    return found


@requires(permissions.ROLES_CATALOGUE_READ)
async def put_unit_manager(request: Request) -> Response:
    unit_id = unit_id_of(request)
    fields = _fields(await json_object(request), required=("manager_user_id",))
    async with services(request).unit_of_work() as uow:
        row = await unit_managers.set_unit_manager(uow.session, actor=current_actor(request), unit_id=unit_id,
                                                   manager_user_id=fields["manager_user_id"] or 0)
        answer = {"unit_id": row.organisation_id, "manager_user_id": row.manager_user_id}
    return JSONResponse(answer)


@requires(permissions.ROLES_CATALOGUE_READ)
async def put_employee_unit(request: Request) -> Response:
    employee = employee_id(request)
    fields = _fields(await json_object(request), required=("unit_id",), optional=("manager_user_id",))
    async with services(request).unit_of_work() as uow:
        moved = await unit_managers.move_employee(uow.session, actor=current_actor(request), employee_id=employee,
                                                  unit_id=fields["unit_id"] or 0,
                                                  manager_user_id=fields["manager_user_id"])
        answer = {"employee_id": moved.id, "unit_id": moved.unit_id, "manager_user_id": moved.manager_user_id}
    return JSONResponse(answer)


routes: list[BaseRoute] = [
    Route("/api/v1/roles/units/{unit_id}/manager", put_unit_manager, methods=["PUT"], name="api_roles_unit_manager"),
    Route("/api/v1/roles/employees/{employee_id}/unit", put_employee_unit, methods=["PUT"],
          name="api_roles_employee_unit"),
]
