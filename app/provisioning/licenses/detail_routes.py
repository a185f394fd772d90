"""One request's page, shared by its referent, the officer and the help desk (notifications link here).

Each sees what scope.py lets them and the forms of their own role; a form that fails comes back to this
page with the reason and what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import DomainError
from app.provisioning.core.request_pages import RequestPages, detail_response, path_id, read_view
from app.provisioning.licenses import request_forms
from app.provisioning.licenses.collaborators import GENDERS
from app.provisioning.licenses.request_queries import request_view


async def detail_page(request: Request, request_id: int, *, error: DomainError | None = None,
                      table: list[request_forms.TableRow] | None = None, typed: Mapping[str, str] | None = None,
                      status_code: int = 200) -> Response:
    view = await read_view(request, request_view, request_id)
    if table is None and view.allowed.resubmit:
        table = request_forms.with_spare_row([request_forms.TableRow(row.full_name, row.run, row.gender)
                                              for row in view.collaborators])
    return detail_response(request, "licenses_request.html", view, done=request_forms.done_message(request),
                           error=error, typed=typed, status_code=status_code, table=table or [],
                           genders=GENDERS)


PAGES = RequestPages("/licenses/requests", detail_page)


@requires(permissions.SIGNED_IN)
async def request_detail(request: Request) -> Response:
    # Any signed-in person may ask; the read model refuses all but the request's referents and handlers.
    return await detail_page(request, path_id(request))


routes = [
    Route("/licenses/requests/{request_id}", request_detail, methods=["GET"], name="license_request"),
]
