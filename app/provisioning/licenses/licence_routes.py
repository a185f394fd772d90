"""The referent's licences: state and last use, and per licence a request to the officer (reactivate,
deactivate when the professional left) or a help-desk ticket."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import Conflict, DomainError, ValidationFailed
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core.request_pages import path_id, reader_time
from app.provisioning.licenses import asking, kinds, queries, request_forms
from app.provisioning.licenses.models import ACTIVE

# What a referent may ask about a licence in each of its states.
ASKS_BY_STATE: Mapping[str, tuple[str, ...]] = {
    ACTIVE: (kinds.SUPPORT.code, kinds.DEACTIVATION.code),
}
ASK_ABOUT_DEACTIVATED = (kinds.REACTIVATION.code,)
DEACTIVATION_REASONS = {"unused": _("unused for a month"), "left": _("the professional left"),
                        "officer": _("by the officer")}


async def _licences_page(request: Request, *, error: DomainError | None = None, failed_id: int | None = None,
                         typed: str = "", status_code: int = 200) -> Response:
    async with services(request).unit_of_work() as uow:
        rows = await queries.referent_licences(uow.session, current_actor(request))
    return render(request, "licenses_list.html", {
        "rows": rows, "at": reader_time(request), "done": request_forms.done_message(request), "error": error,
        "failed_id": failed_id, "typed": typed, "asks_by_state": ASKS_BY_STATE, "asks_otherwise": ASK_ABOUT_DEACTIVATED,
        "kind_labels": {code: kind.label for code, kind in kinds.LICENSE_KINDS.items()},
        "deactivation_reasons": DEACTIVATION_REASONS, "active": ACTIVE,
    }, status_code=status_code)


@requires(permissions.LICENSES_REQUEST)
async def licences_page(request: Request) -> Response:
    return await _licences_page(request)


@requires(permissions.LICENSES_REQUEST)
async def ask_about_licence(request: Request) -> Response:
    license_id = path_id(request, "license_id")
    form = await request.form()
    kind, description = request_forms.text_of(form, "kind"), request_forms.text_of(form, "description")
    try:
        async with services(request).unit_of_work() as uow:
            created = await asking.ask_about_licence(uow, actor=current_actor(request), license_id=license_id,
                                                     kind=kind, description=description)
    except (ValidationFailed, Conflict) as error:
        return await _licences_page(request, error=error, failed_id=license_id, typed=description,
                                    status_code=error.status)
    return RedirectResponse(f"/licenses/requests/{created.id}?done=licence_asked", status_code=303)


routes = [
    Route("/licenses", licences_page, methods=["GET"], name="licenses"),
    Route("/licenses/{license_id}/ask", ask_about_licence, methods=["POST"], name="license_ask"),
]
