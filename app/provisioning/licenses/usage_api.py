"""``POST /api/v1/licenses/usage``: the health record reports, in batches, when each RUN last used its licence.

All or nothing: every item is checked before anything is written, and a batch with one bad item is refused
(422) with the index and reason of each bad item, so that the sender fixes its feed rather than losing uses
silently. Only a licence-usage token may call it, and it reaches only its own health service's licences.
docs/api.md describes it; usage_bodies.py declares its bodies, openapi.py documents it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.bearer import TokenActor, is_bearer_request
from accounts.guard import Endpoint, requires
from app.kit import api_parsing
from app.kit.api_bodies import Problem, problems_of
from app.kit.error_pages import error_response
from app.kit.errors import PermissionDenied
from app.kit.i18n import _, translate
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.notifications.notify import organisation_ids_under
from app.provisioning.core.refusals import Reason
from app.provisioning.licenses import usage, usage_tokens
from app.provisioning.licenses.usage_bodies import MAX_LISTED_ERRORS, MAX_USES, REFUSED, UsageBatch, UsageResult

# 5,000 items of about 60 bytes, with room for spacing.
MAX_BODY_BYTES = 1024 * 1024
ITEM_FIELDS = ("run", "last_used_at")
TOKEN_ONLY = _("Only a licence-usage API token may report use; a licence officer makes one on /licenses/usage.")
# Marks an endpoint that only API tokens may call: with no session to ride on, a forged request has nothing to
# forge, so a caller without a token is told to authenticate (401) instead of being asked for a CSRF token.
TOKEN_ONLY_ATTRIBUTE = "bedboard_token_only"
NO_TOKEN = _("Send a licence-usage API token in the header 'Authorization: Bearer <token>'.")


@dataclass(frozen=True)
class ItemError:
    index: int
    field: str
    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """A refused batch: one message for the whole, and the bad items (field None: the body's shape)."""

    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    field: str = "uses"
    items: tuple[ItemError, ...] = ()


def _item_error(problem: Problem) -> ItemError:
    index, place = int(problem.place[1]), problem.place[2:]
    if not place:
        return ItemError(index, "item", _("Each use is an object with run and last_used_at."))
    name = str(place[0])
    if problem.unknown:
        return ItemError(index, name, _("Unknown field {field}: send run and last_used_at."), {"field": name})
    if problem.kind == REFUSED:
        reason: Reason = problem.limits["reason"]
        return ItemError(index, name, reason.message, reason.params)
    return ItemError(index, name, _("The field {field} is required, as text."), {"field": name})


def _batch_refusal(body: Mapping[str, object], problems: list[Problem]) -> Refusal:
    """The hand parser's order: an unknown field, then the list itself, then every bad item (unknown fields of an
    item before its run and time)."""
    unknown = [problem.field for problem in problems if problem.place[0] != "uses"]
    if unknown:
        return Refusal(_("Unknown field {field}: send only uses."), {"field": unknown[0]}, field=unknown[0])
    listed = body.get("uses")
    if not isinstance(listed, list) or not listed:
        return Refusal(_("Send uses: a list of at least one use."))
    if len(listed) > MAX_USES:
        return Refusal(_("{count} uses are in the batch; send at most {max} at a time."),
                       {"count": len(listed), "max": MAX_USES})
    errors = sorted((_item_error(problem) for problem in problems if len(problem.place) >= 2),
                    key=lambda error: (error.index, error.field in ITEM_FIELDS))
    bad = len({error.index for error in errors})
    return Refusal(_("{bad} of the {count} uses are not valid; nothing was recorded."),
                   {"bad": bad, "count": len(listed)}, items=tuple(errors))


def parse_uses(body: Mapping[str, object]) -> list[tuple[str, datetime]] | Refusal:
    """The (RUN, last use) pairs of a batch (app/provisioning/licenses/usage_bodies.py declares it), or why it is
    refused. Pure CPU: run it in a thread."""
    try:
        batch = UsageBatch.model_validate(body)
    except pydantic.ValidationError as error:
        return _batch_refusal(body, problems_of(error))
    return [(use.run, use.last_used_at) for use in batch.uses]


def _refused(request: Request, refusal: Refusal) -> Response:
    language = language_of(request)
    items = [{"index": error.index, "field": error.field,
              "message": translate(language, error.message, **error.params)}
             for error in refusal.items[:MAX_LISTED_ERRORS]]
    details: dict[str, object] = {"field": refusal.field}
    if refusal.items:
        details.update(errors=items, error_count=len(refusal.items))
    return error_response(request, 422, refusal.message, params=refusal.params, details=details)


def usage_token_actor(request: Request) -> tuple[TokenActor, int]:
    """The token's actor and its health service; anyone else (a person, a hospital's token) is refused."""
    actor = current_actor(request)
    if not isinstance(actor, TokenActor) or actor.token_scope != usage_tokens.LICENSES_USAGE:
        raise PermissionDenied(TOKEN_ONLY)
    if actor.organisation_id is None:
        raise PermissionDenied(TOKEN_ONLY)
    return actor, actor.organisation_id


def token_only(endpoint: Endpoint) -> Endpoint:
    """401 before the guard for a request without a token: only tokens may call, so a session's missing CSRF
    header (the guard's first question) is not the real problem."""

    @functools.wraps(endpoint)
    async def checked(request: Request) -> Response:
        if not is_bearer_request(request):
            return error_response(request, 401, NO_TOKEN, code="not_authenticated")
        return await endpoint(request)

    setattr(checked, TOKEN_ONLY_ATTRIBUTE, True)
    return checked


@token_only
@requires(permissions.SIGNED_IN)
async def report_usage(request: Request) -> Response:
    """The token's actor is the health service; the batch reaches the licences of its organisations only."""
    actor, service_id = usage_token_actor(request)
    body = await api_parsing.json_object(request, max_bytes=MAX_BODY_BYTES)
    parsed = await asyncio.to_thread(parse_uses, body)
    if isinstance(parsed, Refusal):
        return _refused(request, parsed)
    async with services(request).unit_of_work() as uow:
        reach = frozenset(await organisation_ids_under(uow.session, service_id))
        report = await usage.record_usage(uow, actor=actor, uses=parsed, organisation_ids=reach)
    return JSONResponse(answer(report))


def answer(report: usage.UsageReport) -> UsageResult:
    return {"updated": report.updated, "unchanged": report.unchanged, "unknown_runs": list(report.unknown_runs)}


routes: Sequence[BaseRoute] = [
    Route("/api/v1/licenses/usage", report_usage, methods=["POST"], name="api_licenses_usage"),
]
