"""The administrator's page of admission reasons: the list, a form to add one, one to rename each, and retire or
restore. Plain forms (no JavaScript needed): POST, then back to the page saying what was saved; a refusal comes back
with its message beside the field and what was typed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.nomenclature import reasons
from app.beds.nomenclature.reasons import ReasonCodeTaken, ReasonText
from app.kit.errors import DomainError, NotFound, ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render

PAGE = "/admin/nomenclature/admission-reasons"


async def _form(request: Request) -> dict[str, str]:
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


def _text(form: dict[str, str]) -> ReasonText:
    return ReasonText(form.get("name_en", ""), form.get("name_ro", ""), form.get("needs_text") == "1")


def _reason_id(request: Request) -> int:
    reason_id = int(request.path_params["reason_id"])
    if not 1 <= reason_id <= MAX_ID:
        raise NotFound(_("There is no such reason."))
    return reason_id


async def _page(request: Request, *, refused_key: str | None = None, error: DomainError | None = None,
                typed: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        rows = await reasons.all_reasons(uow, actor=current_actor(request))
    saved = request.query_params.get("saved", "")[:12]
    return render(request, "nomenclature_reasons.html", {
        "reasons": rows, "refused_key": refused_key, "error": error, "typed": typed or {}, "saved": saved,
        "field": error.details.get("field") if error else None,
    }, status_code=status_code)


@requires(permissions.NOMENCLATURE_IMPORT)
async def reasons_page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.NOMENCLATURE_IMPORT)
async def add_reason(request: Request) -> Response:
    form = await _form(request)
    try:
        async with services(request).unit_of_work() as uow:
            row = await reasons.add_reason(uow, actor=current_actor(request), code=form.get("code", ""),
                                           text=_text(form))
            reason_id = row.id
    except (ValidationFailed, ReasonCodeTaken) as error:
        return await _page(request, refused_key="new", error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"{PAGE}?saved={reason_id}#reason-{reason_id}", status_code=303)


@requires(permissions.NOMENCLATURE_IMPORT)
async def change_reason(request: Request) -> Response:
    reason_id, form = _reason_id(request), await _form(request)
    try:
        async with services(request).unit_of_work() as uow:
            await reasons.change_reason(uow, actor=current_actor(request), reason_id=reason_id, text=_text(form))
    except ValidationFailed as error:
        return await _page(request, refused_key=str(reason_id), error=error, typed=form, status_code=error.status)
    return RedirectResponse(f"{PAGE}?saved={reason_id}#reason-{reason_id}", status_code=303)


async def _retire(request: Request, *, retired: bool) -> Response:
    reason_id = _reason_id(request)
    async with services(request).unit_of_work() as uow:
        await reasons.retire_reason(uow, actor=current_actor(request), reason_id=reason_id, retired=retired)
    return RedirectResponse(f"{PAGE}?saved={reason_id}#reason-{reason_id}", status_code=303)


@requires(permissions.NOMENCLATURE_IMPORT)
async def retire_reason(request: Request) -> Response:
    return await _retire(request, retired=True)


@requires(permissions.NOMENCLATURE_IMPORT)
async def restore_reason(request: Request) -> Response:
    return await _retire(request, retired=False)


routes: list[BaseRoute] = [
    Route(PAGE, reasons_page, methods=["GET"], name="admission_reasons"),
    Route(PAGE, add_reason, methods=["POST"], name="admission_reason_add"),
    Route(PAGE + "/{reason_id:int}", change_reason, methods=["POST"], name="admission_reason_change"),
    Route(PAGE + "/{reason_id:int}/retire", retire_reason, methods=["POST"], name="admission_reason_retire"),
    Route(PAGE + "/{reason_id:int}/restore", restore_reason, methods=["POST"], name="admission_reason_restore"),
]
