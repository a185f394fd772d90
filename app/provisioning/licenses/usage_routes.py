"""The licence officer's CSV import of licence use (the health record's API tokens are on the one token page,
accounts/token_routes.py, at /licenses/usage).

The import is two steps, like the nomenclature's: upload shows what would change and every bad line; apply
sends the checked text back (a hidden field) and records it through ``usage.record_usage``, all or nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import ValidationFailed
from app.kit.forms import form_text
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.notifications.notify import organisation_ids_under
from app.provisioning.core.deadlines import calendar_of
from app.provisioning.licenses import usage, usage_import, usage_tokens

TOO_LARGE = _("The file is larger than {max} KB; split it.")


async def _service_scope(uow: UnitOfWork, actor: Actor) -> tuple[frozenset[int], ZoneInfo]:
    """The organisations whose licences the officer's import reaches, and the service's time zone."""
    service_id = await usage_tokens.officer_service(uow.session, actor)
    reach = frozenset(await organisation_ids_under(uow.session, service_id))
    return reach, (await calendar_of(uow.session, service_id)).zone


def _import_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    defaults = {"error": None, "parsed": None, "preview": None, "content": "", "applied": None,
                "max_kb": usage_import.MAX_FILE_BYTES // 1024, "max_lines": usage_import.MAX_LINES}
    return render(request, "usage_import.html", {**defaults, **context}, status_code=status_code)


@requires(permissions.LICENSES_DECIDE)
async def import_page(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        await usage_tokens.officer_service(uow.session, current_actor(request))
    return _import_page(request, {})


async def _uploaded_text(request: Request) -> str:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(_("Choose a CSV file to check."), details={"field": "file"})
    content = await upload.read(usage_import.MAX_FILE_BYTES + 1)
    if len(content) > usage_import.MAX_FILE_BYTES:
        raise ValidationFailed(TOO_LARGE, max=usage_import.MAX_FILE_BYTES // 1024, details={"field": "file"})
    return usage_import.decode(content)


async def _checked(request: Request, text: str) -> tuple[usage_import.UsageFile, usage_import.Preview | None]:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        reach, zone = await _service_scope(uow, actor)
        parsed = await asyncio.to_thread(usage_import.parse_usage_csv, text, zone)
        shown = await usage_import.preview(uow.session, parsed.uses, reach) if parsed.ok else None
    return parsed, shown


@requires(permissions.LICENSES_DECIDE)
async def upload(request: Request) -> Response:
    try:
        text = await _uploaded_text(request)
    except ValidationFailed as error:
        return _import_page(request, {"error": error}, error.status)
    finally:
        await request.close()
    parsed, shown = await _checked(request, text)
    return _import_page(request, {"parsed": parsed, "preview": shown, "content": text},
                        200 if parsed.ok else 422)


@requires(permissions.LICENSES_DECIDE)
async def apply(request: Request) -> Response:
    """Checks the text again (it came back from the browser) and records it only if every line is valid."""
    text = (await form_text(request, "content"))["content"]
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        reach, zone = await _service_scope(uow, actor)
        parsed = await asyncio.to_thread(usage_import.parse_usage_csv, text, zone)
        if not parsed.ok:
            report = None
        else:
            report = await usage.record_usage(uow, actor=actor, uses=parsed.uses, organisation_ids=reach)
    if report is None:
        return _import_page(request, {"parsed": parsed, "content": text}, 422)
    return _import_page(request, {"applied": report})


routes: list[BaseRoute] = [
    Route("/licenses/usage/import", import_page, methods=["GET"], name="licenses_usage_import"),
    Route("/licenses/usage/import", upload, methods=["POST"], name="licenses_usage_import_preview"),
    Route("/licenses/usage/import/apply", apply, methods=["POST"], name="licenses_usage_import_apply"),
]
