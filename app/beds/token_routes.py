"""The API-token page of authority administrators: list, create (the token is shown once), revoke."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import tokens
from app.errors import NotFound, ValidationFailed
from app.forms import form_text, positive_id
from app.i18n import _
from app.state import current_actor, services
from app.templating import render


def _token_id(request: Request) -> int:
    token_id = positive_id(request.path_params["token_id"])
    if token_id is None:
        raise NotFound(_("There is no such API token."))
    return token_id



async def _tokens_page(request: Request, *, error: ValidationFailed | None = None, name: str = "",
                       hospital_id: int | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        listings = await tokens.list_tokens(uow, actor=actor)
        hospitals = await tokens.token_hospitals(uow, actor=actor)
    revoked = request.query_params.get("revoked", "")
    return render(request, "api_tokens.html", {
        "tokens": listings, "hospitals": hospitals, "error": error, "name": name, "hospital_id": hospital_id,
        "revoked_name": next((token.name for token in listings if str(token.id) == revoked), None),
        "max_name_length": tokens.MAX_NAME_LENGTH,
        "owned": {token.id for token in listings if permissions.owns(actor, token.owner_organisation_id)},
        "may_take": permissions.may_take_ownership(actor, permissions.API_TOKENS_MANAGE),
        "taken_name": next((token.name for token in listings if str(token.id) == request.query_params.get("taken")),
                           None),
    }, status_code=status_code)


@requires(permissions.API_TOKENS_MANAGE)
async def tokens_page(request: Request) -> Response:
    return await _tokens_page(request)


@requires(permissions.API_TOKENS_MANAGE)
async def create_token(request: Request) -> Response:
    form = await form_text(request, "name", "hospital_id")
    hospital_id = positive_id(form["hospital_id"]) or 0  # 0 is no hospital: the service says "choose one"
    try:
        async with services(request).unit_of_work() as uow:
            created = await tokens.create_token(uow, actor=current_actor(request), name=form["name"],
                                                hospital_id=hospital_id)
    except ValidationFailed as error:
        return await _tokens_page(request, error=error, name=form["name"], hospital_id=hospital_id,
                                  status_code=error.status)
    # Shown in the answer to the POST and nowhere else: only the hash is kept.
    return render(request, "api_tokens_created.html", {"created": created})


@requires(permissions.API_TOKENS_MANAGE)
async def revoke_page(request: Request) -> Response:
    token_id = _token_id(request)
    async with services(request).unit_of_work() as uow:
        token = await tokens.revocable_token(uow, actor=current_actor(request), token_id=token_id)
    return render(request, "api_tokens_revoke.html", {"token": token})


@requires(permissions.API_TOKENS_MANAGE)
async def revoke_token(request: Request) -> Response:
    token_id = _token_id(request)
    async with services(request).unit_of_work() as uow:
        await tokens.revoke_token(uow, actor=current_actor(request), token_id=token_id)
    return RedirectResponse(f"/admin/api-tokens?revoked={token_id}", status_code=303)


@requires(permissions.API_TOKENS_MANAGE)
async def take_ownership(request: Request) -> Response:
    token_id = _token_id(request)
    async with services(request).unit_of_work() as uow:
        await tokens.take_ownership(uow, actor=current_actor(request), token_id=token_id)
    return RedirectResponse(f"/admin/api-tokens?taken={token_id}", status_code=303)


routes: list[BaseRoute] = [
    Route("/admin/api-tokens", tokens_page, methods=["GET"], name="api_tokens"),
    Route("/admin/api-tokens", create_token, methods=["POST"], name="api_token_create"),
    Route("/admin/api-tokens/{token_id}/revoke", revoke_page, methods=["GET"], name="api_token_revoke_page"),
    Route("/admin/api-tokens/{token_id}/take-ownership", take_ownership, methods=["POST"],
          name="api_token_take_ownership"),
    Route("/admin/api-tokens/{token_id}/revoke", revoke_token, methods=["POST"], name="api_token_revoke"),
]
