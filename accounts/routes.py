"""Login, logout and the user's own account page: parse, authorise, call the service, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions, preferences, service
from accounts.cookies import clear_session_cookie, set_session_cookie
from accounts.guard import requires, safe_next
from accounts.passwords import MAX_LENGTH, MIN_LENGTH
from accounts.service import AccountsContext
from app.kit.error_pages import wants_json
from app.kit.errors import DomainError, ValidationFailed
from app.kit.forms import form_text
from app.kit.i18n import LANGUAGES, _
from app.kit.state import client_address, current_actor, services
from app.kit.templating import render


@requires(permissions.PUBLIC)
async def login_page(request: Request) -> Response:
    if current_actor(request).is_authenticated:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    notice = _("You are logged out.") if request.query_params.get("logged_out") else None
    return render(request, "login.html", {"next": safe_next(request.query_params.get("next")),
                                          "username": "", "error": None, "notice": notice})


@requires(permissions.PUBLIC)
async def login_submit(request: Request) -> Response:
    form = await form_text(request, "username", "password", "next")
    app_services = services(request)
    result = await service.login(app_services.unit_of_work, context=app_services.get(AccountsContext),
                                 username=form["username"], password=form["password"],
                                 client_address=client_address(request))
    if result.refusal is not None or result.token is None or result.actor is None:
        error = result.refusal or ValidationFailed(service.WRONG_CREDENTIALS)
        return render(request, "login.html", {"next": safe_next(form["next"]), "username": form["username"],
                                              "error": error, "notice": None}, status_code=error.status)
    target = "/account/password" if result.actor.must_change_password else safe_next(form["next"])
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, app_services.settings, result.token)
    return response


@requires(permissions.SIGNED_IN, while_password_must_change=True)
async def logout(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        await service.logout(uow.session, actor=current_actor(request))
    response = RedirectResponse("/login?logged_out=1", status_code=303)
    clear_session_cookie(response, app_services.settings)
    return response


@requires(permissions.SIGNED_IN)
async def home(request: Request) -> Response:
    """Each role starts where its work is: an operator on the hospital's sections, a coordinator on the board."""
    actor = current_actor(request)
    if permissions.may(actor, permissions.BEDS_WRITE_OWN_HOSPITAL):
        return RedirectResponse("/operator", status_code=303)
    if actor.roles == frozenset({"coordinator"}):
        return RedirectResponse("/board", status_code=303)
    return render(request, "home.html")


def _account_page(request: Request, *, error: DomainError | None = None, saved: str | None = None,
                  status_code: int = 200) -> Response:
    return render(request, "account.html", {"languages": LANGUAGES, "error": error, "saved": saved,
                                            "board_themes": preferences.BOARD_THEME_CHOICES,
                                            "shows_board": permissions.may(current_actor(request),
                                                                           permissions.BOARD_VIEW)},
                  status_code=status_code)


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def account_page(request: Request) -> Response:
    saved = _("Your changes are saved.") if request.query_params.get("saved") else None
    return _account_page(request, saved=saved)


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def profile_submit(request: Request) -> Response:
    form = await form_text(request, "display_name", "language")
    try:
        async with services(request).unit_of_work() as uow:
            await service.update_profile(uow.session, actor=current_actor(request),
                                         display_name=form["display_name"], language=form["language"])
    except ValidationFailed as error:
        return _account_page(request, error=error, status_code=error.status)
    return RedirectResponse("/account?saved=1", status_code=303)


@requires(permissions.ACCOUNT_MANAGE_OWN)
async def board_theme_submit(request: Request) -> Response:
    """The board's theme toggle and the account page's choice: kept on the account, then back where it was set
    (the board's script asks for JSON and stays on the page)."""
    form = await form_text(request, "board_theme", "next")
    try:
        theme = preferences.parse_board_theme(form["board_theme"])
        async with services(request).unit_of_work() as uow:
            await preferences.set_board_theme(uow.session, actor=current_actor(request), theme=theme)
    except ValidationFailed as error:
        if wants_json(request):
            raise
        return _account_page(request, error=error, status_code=error.status)
    if wants_json(request):
        return JSONResponse({"board_theme": theme})
    return RedirectResponse(safe_next(form["next"]) if form["next"] else "/account?saved=1", status_code=303)


def _password_page(request: Request, *, error: DomainError | None = None, status_code: int = 200) -> Response:
    return render(request, "password.html", {"error": error, "min_length": MIN_LENGTH,
                                             "max_length": MAX_LENGTH}, status_code=status_code)


@requires(permissions.ACCOUNT_MANAGE_OWN, while_password_must_change=True)
async def password_page(request: Request) -> Response:
    return _password_page(request)


@requires(permissions.ACCOUNT_MANAGE_OWN, while_password_must_change=True)
async def password_submit(request: Request) -> Response:
    form = await form_text(request, "current_password", "new_password", "confirm_password")
    app_services = services(request)
    try:
        if form["new_password"] != form["confirm_password"]:
            raise ValidationFailed(_("The two new passwords differ."), details={"field": "confirm_password"})
        async with app_services.unit_of_work() as uow:
            await service.change_password(uow.session, context=app_services.get(AccountsContext),
                                          actor=current_actor(request), current_password=form["current_password"],
                                          new_password=form["new_password"])
    except ValidationFailed as error:
        return _password_page(request, error=error, status_code=error.status)
    return RedirectResponse("/account?saved=1", status_code=303)


routes = [
    Route("/", home, methods=["GET"], name="home"),
    Route("/login", login_page, methods=["GET"], name="login"),
    Route("/login", login_submit, methods=["POST"], name="login_submit"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/account", account_page, methods=["GET"], name="account"),
    Route("/account/profile", profile_submit, methods=["POST"], name="account_profile"),
    Route("/account/board-theme", board_theme_submit, methods=["POST"], name="account_board_theme"),
    Route("/account/password", password_page, methods=["GET"], name="account_password"),
    Route("/account/password", password_submit, methods=["POST"], name="account_password_submit"),
]
