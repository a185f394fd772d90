"""The e-mail address pages: one's own (``/account/email``) and, for administrators, a user's
(``/admin/users/{id}/email``). One template, two registrations; the rules are in accounts/email_addresses.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import admin_queries, email_addresses, permissions
from accounts.guard import requires
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render


def _page(request: Request, *, target: str, back: str, whose: str | None, email: str,
          error: DomainError | None = None, status_code: int = 200) -> Response:
    return render(request, "email_address.html", {
        "action": target, "back": back, "whose": whose, "email": email, "error": error,
        "max_length": email_addresses.MAX_LENGTH, "sends_mail": services(request).settings.sends_mail,
        "saved": request.query_params.get("saved") == "1",
    }, status_code=status_code)


async def _own_email(request: Request) -> str:
    async with services(request).unit_of_work() as uow:
        return await email_addresses.own_email(uow.session, current_actor(request))


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def own_email_page(request: Request) -> Response:
    return _page(request, target="/account/email", back="/account", whose=None, email=await _own_email(request))


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def own_email_submit(request: Request) -> Response:
    form = await form_text(request, "email")
    try:
        async with services(request).unit_of_work() as uow:
            await email_addresses.change_own_email(uow.session, actor=current_actor(request), email=form["email"])
    except ValidationFailed as error:
        return _page(request, target="/account/email", back="/account", whose=None, email=form["email"],
                     error=error, status_code=error.status)
    return RedirectResponse("/account/email?saved=1", status_code=303)


def _user_id(request: Request) -> int:
    user_id = positive_id(request.path_params["user_id"])
    if user_id is None:
        raise NotFound(_("There is no such user."))
    return user_id


async def _user(request: Request, user_id: int) -> admin_queries.UserRow:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        return await admin_queries.user_detail(uow.session, actor=current_actor(request), user_id=user_id,
                                               now=app_services.clock.now(), to_change=True)


@requires(permissions.USERS_MANAGE)
async def user_email_page(request: Request) -> Response:
    user = await _user(request, _user_id(request))
    return _page(request, target=f"/admin/users/{user.id}/email", back=f"/admin/users/{user.id}",
                 whose=user.display_name, email=user.email or "")


@requires(permissions.USERS_MANAGE)
async def user_email_submit(request: Request) -> Response:
    user_id = _user_id(request)
    form = await form_text(request, "email")
    try:
        async with services(request).unit_of_work() as uow:
            await email_addresses.change_user_email(uow.session, actor=current_actor(request), user_id=user_id,
                                                    email=form["email"])
    except ValidationFailed as error:
        user = await _user(request, user_id)
        return _page(request, target=f"/admin/users/{user_id}/email", back=f"/admin/users/{user_id}",
                     whose=user.display_name, email=form["email"], error=error, status_code=error.status)
    return RedirectResponse(f"/admin/users/{user_id}/email?saved=1", status_code=303)


routes: list[BaseRoute] = [
    Route("/account/email", own_email_page, methods=["GET"], name="account_email"),
    Route("/account/email", own_email_submit, methods=["POST"], name="account_email_submit"),
    Route("/admin/users/{user_id}/email", user_email_page, methods=["GET"], name="admin_user_email"),
    Route("/admin/users/{user_id}/email", user_email_submit, methods=["POST"], name="admin_user_email_submit"),
]
