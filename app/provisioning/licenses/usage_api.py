"""``POST /api/v1/licenses/usage``: the health record reports, in batches, when each RUN last used its licence.

All or nothing: every item is checked before anything is written, and a batch with one bad item is refused
(422) with the index and reason of each bad item, so that the sender fixes its feed rather than losing uses
silently. Only a licence-usage token may call it, and it reaches only its own health service's licences.
docs/api.md describes it; app/beds/openapi.py documents it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.bearer import TokenActor, is_bearer_request
from accounts.guard import Endpoint, requires
from app.kit import api_parsing
from app.kit.error_pages import error_response
from app.kit.errors import PermissionDenied
from app.kit.forms import DAY_OUT_OF_RANGE, DAY_RANGE, day_in_range
from app.kit.i18n import _, translate
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.notifications.notify import organisation_ids_under
from app.provisioning.licenses import usage, usage_tokens
from app.provisioning.licenses.collaborators import InvalidValue, normalise_run

MAX_USES = 5000
# 5,000 items of about 60 bytes, with room for spacing.
MAX_BODY_BYTES = 1024 * 1024
# A sender with a broken feed gets the first errors, enough to see the pattern, not a megabyte of them.
MAX_LISTED_ERRORS = 100
ITEM_FIELDS = ("run", "last_used_at")
# RFC 3339: a full date, "T" (or a space), a full time and an offset; fromisoformat alone takes more (week dates,
# basic format, no offset).
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
TIME_FORMAT = _("Give last_used_at as an RFC 3339 time with its offset, e.g. 2026-10-01T12:00:00Z.")
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


def parse_moment(text: str) -> datetime:
    if not RFC_3339.fullmatch(text):
        raise InvalidValue(TIME_FORMAT)
    digits = re.sub(r"\.(\d{6})\d+", r".\1", text.upper())  # Python keeps microseconds; more digits are noise
    try:
        moment = datetime.fromisoformat(digits).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidValue(_("{value} is not a real date and time."), value=text) from None
    if not day_in_range(moment.date()):  # year 1 would be stored, then overflow when shown
        raise InvalidValue(DAY_OUT_OF_RANGE, field="last_used_at", **DAY_RANGE)
    return moment


def _item(index: int, item: object) -> tuple[tuple[str, datetime] | None, list[ItemError]]:
    if not isinstance(item, dict):
        return None, [ItemError(index, "item", _("Each use is an object with run and last_used_at."))]
    errors = [ItemError(index, name, _("Unknown field {field}: send run and last_used_at."), {"field": name})
              for name in item if name not in ITEM_FIELDS]
    values: dict[str, Any] = {}
    for name, check in (("run", normalise_run), ("last_used_at", parse_moment)):
        value = item.get(name)
        if not isinstance(value, str):
            errors.append(ItemError(index, name, _("The field {field} is required, as text."), {"field": name}))
            continue
        try:
            values[name] = check(value)
        except InvalidValue as refused:
            errors.append(ItemError(index, name, refused.reason.message, refused.reason.params))
    if errors:
        return None, errors
    return (values["run"], values["last_used_at"]), []


def parse_uses(body: Mapping[str, object]) -> list[tuple[str, datetime]] | Refusal:
    """The (RUN, last use) pairs of a batch, or why it is refused. Pure CPU: run it in a thread."""
    unknown = [name for name in body if name != "uses"]
    if unknown:
        return Refusal(_("Unknown field {field}: send only uses."), {"field": unknown[0]}, field=unknown[0])
    listed = body.get("uses")
    if not isinstance(listed, list) or not listed:
        return Refusal(_("Send uses: a list of at least one use."))
    if len(listed) > MAX_USES:
        return Refusal(_("{count} uses are in the batch; send at most {max} at a time."),
                       {"count": len(listed), "max": MAX_USES})
    uses: list[tuple[str, datetime]] = []
    errors: list[ItemError] = []
    for index, item in enumerate(listed):
        use, problems = _item(index, item)
        errors.extend(problems)
        if use is not None:
            uses.append(use)
    if errors:
        bad = len({error.index for error in errors})
        return Refusal(_("{bad} of the {count} uses are not valid; nothing was recorded."),
                       {"bad": bad, "count": len(listed)}, items=tuple(errors))
    return uses


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


def answer(report: usage.UsageReport) -> dict[str, object]:
    return {"updated": report.updated, "unchanged": report.unchanged, "unknown_runs": list(report.unknown_runs)}


routes: Sequence[BaseRoute] = [
    Route("/api/v1/licenses/usage", report_usage, methods=["POST"], name="api_licenses_usage"),
]
