"""The OpenAPI 3.1 description of ``/api/v1``, joined from the domains' fragments (each one describes its own
operations, with the schemas generated from its declared bodies) and served at ``/api/v1/openapi.json``.

The assembly is the one place that knows every domain; tests/beds/test_openapi.py validates the document, checks
that every API route is in it and nothing else, and that real answers match its schemas.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import openapi as beds_openapi
from app.beds.alerts import openapi as alerts_openapi
from app.beds.dispatch import openapi as dispatch_openapi
from app.kit.api_parsing import MAX_BODY_BYTES
from app.kit.openapi_fragments import Fragment, joined, shared_fragment
from app.kit.openapi_schema import READ_SECURITY, Schema
from app.kit.state import services
from app.provisioning.licenses import openapi as licenses_openapi
from app.provisioning.orders import openapi as orders_openapi
from app.provisioning.roles import openapi as roles_openapi

DOCUMENT_PATH = "/api/v1/openapi.json"


def _own_fragment() -> Fragment:
    return Fragment(paths={DOCUMENT_PATH: {"get": {
        "operationId": "openapi", "summary": "This document.", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}})


def fragments() -> list[Fragment]:
    return [shared_fragment(max_body_bytes=MAX_BODY_BYTES), beds_openapi.fragment(), alerts_openapi.fragment(),
            dispatch_openapi.fragment(),
            licenses_openapi.fragment(), roles_openapi.fragment(), orders_openapi.fragment(), _own_fragment()]


def document(*, session_cookie: str = "bedboard_session") -> Schema:
    paths, components = joined(fragments())
    return {
        "openapi": "3.1.0",
        "info": {"title": "bedboard API", "version": "1",
                 "description": "Free beds of hospital sections, for hospital information systems and scripts, "
                                "the licence-usage feed of the health record, login tickets and IT orders for "
                                "people with their session. See docs/api.md."},
        "security": READ_SECURITY,
        "paths": paths,
        "components": {
            **components,
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "An API token (bb_...). A hospital's token, made by an authority "
                                               "administrator on /admin/api-tokens, works on the bed API; a "
                                               "licence-usage token, made by a licence officer on "
                                               "/licenses/usage, works on /api/v1/licenses/usage only."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": session_cookie,
                                  "description": "The browser's login session."},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                               "description": "With a session, writes carry the page's csrf-token meta value."},
            },
        },
    }


@requires(permissions.PUBLIC)
async def openapi_document(request: Request) -> Response:
    """Public: it describes the API and holds nothing that is not in docs/api.md."""
    return JSONResponse(document(session_cookie=services(request).settings.session_cookie_name))


routes: list[BaseRoute] = [Route(DOCUMENT_PATH, openapi_document, methods=["GET"], name="api_openapi")]
