"""User administration pages of authority administrators, and the public activation page.

Routes only parse and render: the scope and lock-out rules live in accounts/admin_service.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import activation, admin_queries, admin_service, permissions
from accounts.guard import requires
from accounts.passwords import MAX_LENGTH, MIN_LENGTH
from accounts.service import AccountsContext
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _
from app.kit.state import client_address, current_actor, services
from app.kit.templating import render

FORM_FIELDS = ("username", "display_name", "role", "hospital_id", "organisation_id")



def _user_id(request: Request) -> int:
    user_id = positive_id(request.path_params["user_id"])
    if user_id is None:
        raise NotFound(_("There is no such user."))
    return user_id



def _hospital_for(form: dict[str, str]) -> int | None:
    """An operator's hospital; for any other role the organisation chosen (none: the administrator's own)."""
    return positive_id(form["hospital_id"] if form["role"] == "operator" else form["organisation_id"])


async def _organisations(request: Request) -> list[tuple[int, str, str]]:
    async with services(request).unit_of_work() as uow:
        return await admin_queries.manageable_organisations(uow.session, actor=current_actor(request))


@requires(permissions.USERS_MANAGE)
async def users_page(request: Request) -> Response:
    query = request.query_params
    role = query.get("role", "") if query.get("role", "") in admin_service.roles_for(current_actor(request)) else ""
    organisation_id = positive_id(query.get("organisation", ""))
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        users = await admin_queries.list_users(uow.session, actor=current_actor(request), now=app_services.clock.now(),
                                               search=query.get("q", "")[:80], organisation_id=organisation_id,
                                               role=role or None)
    notices = {"deleted": _("The user is deleted."), "saved": _("The changes are saved.")}
    return render(request, "admin_users.html", {
        "users": users, "organisations": await _organisations(request),
        "roles": admin_service.roles_for(current_actor(request)),
        "q": query.get("q", "")[:80], "role": role, "organisation_id": organisation_id,
        "may_take": permissions.may_take_ownership(current_actor(request), permissions.USERS_MANAGE),
        "notice": next((text for key, text in notices.items() if query.get(key)), None),
    })


async def _user_form(request: Request, template: str, *, error: DomainError | None = None,
                     values: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, template, {"error": error, "values": values,
                                      "roles": admin_service.roles_for(current_actor(request)),
                                      "organisations": await _organisations(request)}, status_code=status_code)


@requires(permissions.USERS_MANAGE)
async def new_user_page(request: Request) -> Response:
    return await _user_form(request, "admin_user_new.html", values=dict.fromkeys(FORM_FIELDS, ""))


def _link_page(request: Request, issued: admin_service.IssuedLink, purpose: str) -> Response:
    # Shown in the answer to the POST and nowhere else: only the token's hash is kept.
    link = f"{request.url.scheme}://{request.url.netloc}{activation.link_path(issued.token)}"
    return render(request, "admin_link.html", {"issued": issued, "link": link, "purpose": purpose})


@requires(permissions.USERS_MANAGE)
async def create_user(request: Request) -> Response:
    form = await form_text(request, *FORM_FIELDS)
    try:
        async with services(request).unit_of_work() as uow:
            issued = await admin_service.create_user(
                uow.session, actor=current_actor(request), username=form["username"],
                display_name=form["display_name"], role=form["role"], organisation_id=_hospital_for(form))
    except ValidationFailed as error:
        return await _user_form(request, "admin_user_new.html", error=error, values=form, status_code=error.status)
    return _link_page(request, issued, "activate")


async def _edit_page(request: Request, *, error: DomainError | None = None, values: dict[str, Any] | None = None,
                     status_code: int = 200) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        user = await admin_queries.user_detail(uow.session, actor=current_actor(request), user_id=_user_id(request),
                                               now=app_services.clock.now())
    shown = values or {"username": user.username, "display_name": user.display_name, "role": user.role or "",
                       "hospital_id": str(user.organisation_id) if user.organisation_kind == "hospital" else "",
                       "organisation_id": "" if user.organisation_kind == "hospital" else str(user.organisation_id)}
    actor = current_actor(request)
    return render(request, "admin_user_edit.html", {
        "user": user, "error": error, "values": shown, "roles": admin_service.roles_for(current_actor(request)),
        "organisations": await _organisations(request), "is_self": user.id == actor.user_id,
        "may_take": not user.managed and admin_queries.may_take_over(actor, user.organisation_kind),
        "taken": request.query_params.get("taken") == "1",
    }, status_code=status_code)


@requires(permissions.USERS_MANAGE)
async def edit_user_page(request: Request) -> Response:
    return await _edit_page(request)


@requires(permissions.USERS_MANAGE)
async def update_user(request: Request) -> Response:
    form = await form_text(request, *FORM_FIELDS)
    user_id = _user_id(request)
    try:
        async with services(request).unit_of_work() as uow:
            await admin_service.update_user(uow.session, actor=current_actor(request), user_id=user_id,
                                            username=form["username"], display_name=form["display_name"],
                                            role=form["role"], organisation_id=_hospital_for(form))
    except (ValidationFailed, admin_service.LockOut) as error:
        return await _edit_page(request, error=error, values=form, status_code=error.status)
    return RedirectResponse("/admin/users?saved=1", status_code=303)


async def _state_change(request: Request, *, active: bool) -> Response:
    user_id = _user_id(request)
    try:
        async with services(request).unit_of_work() as uow:
            await admin_service.set_active(uow.session, actor=current_actor(request), user_id=user_id,
                                           active=active)
    except admin_service.LockOut as error:
        return await _edit_page(request, error=error, status_code=error.status)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@requires(permissions.USERS_MANAGE)
async def deactivate_user(request: Request) -> Response:
    return await _state_change(request, active=False)


@requires(permissions.USERS_MANAGE)
async def reactivate_user(request: Request) -> Response:
    return await _state_change(request, active=True)


@requires(permissions.USERS_MANAGE)
async def delete_user_page(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        user = await admin_queries.user_detail(uow.session, actor=current_actor(request), user_id=_user_id(request),
                                               now=app_services.clock.now(), to_change=True)
    return render(request, "admin_user_delete.html", {"user": user})


@requires(permissions.USERS_MANAGE)
async def delete_user(request: Request) -> Response:
    try:
        async with services(request).unit_of_work() as uow:
            await admin_service.delete_user(uow.session, actor=current_actor(request), user_id=_user_id(request))
    except admin_service.LockOut as error:
        return await _edit_page(request, error=error, status_code=error.status)
    return RedirectResponse("/admin/users?deleted=1", status_code=303)


@requires(permissions.USERS_MANAGE)
async def reset_password(request: Request) -> Response:
    try:
        async with services(request).unit_of_work() as uow:
            issued = await admin_service.reset_password(uow.session, actor=current_actor(request),
                                                        user_id=_user_id(request))
    except (ValidationFailed, admin_service.LockOut) as error:
        return await _edit_page(request, error=error, status_code=error.status)
    return _link_page(request, issued, "reset")


@requires(permissions.USERS_MANAGE)
async def take_ownership(request: Request) -> Response:
    user_id = _user_id(request)
    try:
        async with services(request).unit_of_work() as uow:
            await admin_service.take_ownership(uow.session, actor=current_actor(request), user_id=user_id)
    except ValidationFailed as error:
        return await _edit_page(request, error=error, status_code=error.status)
    return RedirectResponse(f"/admin/users/{user_id}?taken=1", status_code=303)


def _activation_page(request: Request, pending: activation.PendingActivation, token: str, *,
                     error: DomainError | None = None, status_code: int = 200) -> Response:
    return render(request, "activate.html", {"pending": pending, "token": token, "error": error,
                                             "min_length": MIN_LENGTH, "max_length": MAX_LENGTH},
                  status_code=status_code)


@requires(permissions.PUBLIC)
async def activation_page(request: Request) -> Response:
    token = request.path_params["token"]
    async with services(request).unit_of_work() as uow:
        pending = await activation.pending(uow.session, token=token)
    return _activation_page(request, pending, token)


@requires(permissions.PUBLIC)
async def activation_submit(request: Request) -> Response:
    token = request.path_params["token"]
    form = await form_text(request, "new_password", "confirm_password")
    app_services = services(request)
    try:
        if form["new_password"] != form["confirm_password"]:
            raise ValidationFailed(_("The two new passwords differ."), details={"field": "confirm_password"})
        async with app_services.unit_of_work() as uow:
            user = await activation.activate(uow.session, context=app_services.get(AccountsContext), token=token,
                                             password=form["new_password"], client_address=client_address(request))
    except ValidationFailed as error:
        async with app_services.unit_of_work() as uow:
            pending = await activation.pending(uow.session, token=token)
        return _activation_page(request, pending, token, error=error, status_code=error.status)
    return render(request, "activate_done.html", {"username": user.username})


routes: list[BaseRoute] = [
    Route("/admin/users", users_page, methods=["GET"], name="admin_users"),
    Route("/admin/users", create_user, methods=["POST"], name="admin_user_create"),
    Route("/admin/users/new", new_user_page, methods=["GET"], name="admin_user_new"),
    Route("/admin/users/{user_id}", edit_user_page, methods=["GET"], name="admin_user"),
    Route("/admin/users/{user_id}", update_user, methods=["POST"], name="admin_user_update"),
    Route("/admin/users/{user_id}/deactivate", deactivate_user, methods=["POST"], name="admin_user_deactivate"),
    Route("/admin/users/{user_id}/reactivate", reactivate_user, methods=["POST"], name="admin_user_reactivate"),
    Route("/admin/users/{user_id}/delete", delete_user_page, methods=["GET"], name="admin_user_delete_page"),
    Route("/admin/users/{user_id}/delete", delete_user, methods=["POST"], name="admin_user_delete"),
    Route("/admin/users/{user_id}/reset-password", reset_password, methods=["POST"], name="admin_user_reset"),
    Route("/admin/users/{user_id}/take-ownership", take_ownership, methods=["POST"],
          name="admin_user_take_ownership"),
    Route("/activate/{token}", activation_page, methods=["GET"], name="activate"),
    Route("/activate/{token}", activation_submit, methods=["POST"], name="activate_submit"),
]
