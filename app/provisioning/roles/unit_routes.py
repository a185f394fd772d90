"""The region's units and their managers as pages: the list (a unit without a manager flagged), one unit with its
employees, naming its manager, and moving an employee to another unit or naming their own nearest manager.
Everyone who works with competence roles sees them; ``unit_managers`` lets only IT support of the region and the
head of operations of the care area change anything (403, audited, for anyone else)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.roles import unit_managers, unit_queries

NO_SUCH_UNIT = _("There is no such unit.")
DONE: Final = {
    "manager": _("The unit's manager is changed. They are told, and may record and manage its employees now."),
    "moved": _("The employee's unit and nearest manager are changed."),
}


def unit_id_of(request: Request) -> int:
    found = positive_id(request.path_params["unit_id"])
    if found is None:
        raise NotFound(NO_SUCH_UNIT)
    return found


@requires(permissions.ROLES_CATALOGUE_READ)
async def unit_list(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        rows = await unit_queries.unit_rows(uow.session, current_actor(request))
    return render(request, "roles_unit_list.html", {"rows": rows})


async def unit_page(request: Request, unit_id: int, *, error: DomainError | None = None,
                    typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        view = await unit_queries.unit_view(uow.session, current_actor(request), unit_id)
    return render(request, "roles_unit.html", {
        "view": view, "error": error, "typed": dict(typed or {}),
        "done": DONE.get(request.query_params.get("done", ""))}, status_code=status_code)


@requires(permissions.ROLES_CATALOGUE_READ)
async def unit_detail(request: Request) -> Response:
    return await unit_page(request, unit_id_of(request))


@requires(permissions.ROLES_CATALOGUE_READ)
async def set_manager(request: Request) -> Response:
    unit_id = unit_id_of(request)
    form = await form_text(request, "manager_user_id")
    try:
        async with services(request).unit_of_work() as uow:
            await unit_managers.set_unit_manager(uow.session, actor=current_actor(request), unit_id=unit_id,
                                                 manager_user_id=positive_id(form["manager_user_id"]) or 0)
    except ValidationFailed as error:
        return await unit_page(request, unit_id, error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"/roles/units/{unit_id}?done=manager", status_code=303)


@requires(permissions.ROLES_CATALOGUE_READ)
async def move_employee(request: Request) -> Response:
    unit_id = unit_id_of(request)
    form = await form_text(request, "employee_id", "unit_id", "manager_user_id")
    try:
        async with services(request).unit_of_work() as uow:
            await unit_managers.move_employee(
                uow.session, actor=current_actor(request), employee_id=positive_id(form["employee_id"]) or 0,
                unit_id=positive_id(form["unit_id"]) or 0, manager_user_id=positive_id(form["manager_user_id"]))
    except (ValidationFailed, NotFound) as error:
        return await unit_page(request, unit_id, error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"/roles/units/{unit_id}?done=moved", status_code=303)


routes: list[BaseRoute] = [
    Route("/roles/units", unit_list, methods=["GET"], name="roles_units"),
    Route("/roles/units/{unit_id}", unit_detail, methods=["GET"], name="roles_unit"),
    Route("/roles/units/{unit_id}/manager", set_manager, methods=["POST"], name="roles_unit_manager"),
    Route("/roles/units/{unit_id}/employees", move_employee, methods=["POST"], name="roles_unit_move_employee"),
]
