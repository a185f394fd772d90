"""The one API-token page: every scope the user manages, listed, made (the token is shown once) and revoked.

Each registered scope keeps its URLs (the bed board's /admin/api-tokens, the licence officer's /licenses/usage)
and its permission, so that the guard and the access matrix see one action per route; every URL serves the same
page, with a part for each scope the user may manage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import tokens
from accounts.guard import Endpoint, requires
from accounts.tokens import TokenListing, TokenScope
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import NotFound, PermissionDenied, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.state import current_actor, services
from app.kit.templating import render


@dataclass(frozen=True)
class ScopePart:
    """One scope's part of the page: its tokens, the new-token form and what this user may do with each."""

    scope: TokenScope
    tokens: list[TokenListing]
    choices: list[tuple[int, str]]
    revocable: frozenset[int]
    may_take: bool
    error: ValidationFailed | None = None
    name: str = ""
    organisation_id: int | None = None


async def _part(uow: UnitOfWork, actor: Actor, scope: TokenScope) -> ScopePart | None:
    try:
        managed = await tokens.managed_tokens(uow, actor=actor, scope=scope.code)
    except PermissionDenied:
        return None  # not a scope of this user's: the page shows the others
    return ScopePart(scope=scope, tokens=managed.tokens, choices=managed.choices, revocable=managed.revocable,
                     may_take=managed.may_take)


async def _page(request: Request, *, failed: ScopePart | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    parts: list[ScopePart] = []
    async with services(request).unit_of_work() as uow:
        for scope in tokens.registered():
            part = await _part(uow, actor, scope)
            if part is not None and failed is not None and failed.scope.code == scope.code:
                part = replace(part, error=failed.error, name=failed.name, organisation_id=failed.organisation_id)
            if part is not None:
                parts.append(part)
    listed = {str(token.id): token.name for part in parts for token in part.tokens}
    return render(request, "api_tokens.html", {
        "parts": parts, "max_name_length": tokens.MAX_NAME_LENGTH,
        "revoked_name": listed.get(request.query_params.get("revoked", "")),
        "taken_name": listed.get(request.query_params.get("taken", "")),
    }, status_code=status_code)


def _token_id(request: Request) -> int:
    token_id = positive_id(request.path_params["token_id"])
    if token_id is None:
        raise NotFound(tokens.NO_SUCH_TOKEN)
    return token_id


def routes_for(scope: TokenScope) -> list[BaseRoute]:
    """The page, create, revoke (and, for a scope its authorities own, take-ownership) routes of one scope."""

    async def page(request: Request) -> Response:
        return await _page(request)

    async def create(request: Request) -> Response:
        form = await form_text(request, "name", scope.organisation_field)
        # No field (a scope with one choice): the only one there is; 0 is none, the service says "choose one".
        given = scope.organisation_field in await request.form()
        organisation_id = (positive_id(form[scope.organisation_field]) or 0) if given else None
        try:
            async with services(request).unit_of_work() as uow:
                created = await tokens.create_token(uow, actor=current_actor(request), scope=scope.code,
                                                    name=form["name"], organisation_id=organisation_id)
        except ValidationFailed as error:
            failed = ScopePart(scope=scope, tokens=[], choices=[], revocable=frozenset(), may_take=False,
                               error=error, name=form["name"], organisation_id=organisation_id)
            return await _page(request, failed=failed, status_code=error.status)
        # Shown in the answer to the POST and nowhere else: only the hash is kept.
        return render(request, "api_token_created.html", {"created": created, "scope": scope})

    async def revoke_page(request: Request) -> Response:
        token_id = _token_id(request)
        async with services(request).unit_of_work() as uow:
            token = await tokens.revocable_token(uow, actor=current_actor(request), scope=scope.code,
                                                 token_id=token_id)
        return render(request, "api_token_revoke.html", {"token": token, "scope": scope})

    async def revoke(request: Request) -> Response:
        token_id = _token_id(request)
        async with services(request).unit_of_work() as uow:
            await tokens.revoke_token(uow, actor=current_actor(request), scope=scope.code, token_id=token_id)
        return RedirectResponse(f"{scope.page}?revoked={token_id}", status_code=303)

    async def take_ownership(request: Request) -> Response:
        token_id = _token_id(request)
        async with services(request).unit_of_work() as uow:
            await tokens.take_ownership(uow, actor=current_actor(request), scope=scope.code, token_id=token_id)
        return RedirectResponse(f"{scope.page}?taken={token_id}", status_code=303)

    def guarded(endpoint: Endpoint, name: str) -> Endpoint:
        endpoint.__name__ = endpoint.__qualname__ = name  # the route table and the audit log name it
        return requires(scope.manage)(endpoint)

    name = scope.code.replace(".", "_")
    one = f"{scope.tokens_path}/{{token_id}}"
    routes: list[BaseRoute] = [
        Route(scope.page, guarded(page, f"{name}_tokens_page"), methods=["GET"], name=f"{name}_tokens"),
        Route(scope.tokens_path, guarded(create, f"{name}_token_create"), methods=["POST"],
              name=f"{name}_token_create"),
        Route(f"{one}/revoke", guarded(revoke_page, f"{name}_token_revoke_page"), methods=["GET"],
              name=f"{name}_token_revoke_page"),
        Route(f"{one}/revoke", guarded(revoke, f"{name}_token_revoke"), methods=["POST"],
              name=f"{name}_token_revoke"),
    ]
    if not scope.owned_by_organisation:
        routes.append(Route(f"{one}/take-ownership", guarded(take_ownership, f"{name}_token_take_ownership"),
                            methods=["POST"], name=f"{name}_token_take_ownership"))
    return routes
