"""The login tickets' fragment of the OpenAPI document, its schema generated from api_bodies.py."""

from __future__ import annotations

from app.kit.openapi_fragments import Fragment, declared_schemas
from app.kit.openapi_schema import id_parameter, json_response, ref
from app.provisioning.roles.api_bodies import LoginTickets


def fragment() -> Fragment:
    return Fragment(schemas=declared_schemas(LoginTickets), paths={
        "/api/v1/roles/login-tickets/{employee_id}": {"get": {
            "operationId": "getLoginTickets",
            "summary": "An employee's login tickets: each unit + competence role they may log in as, and why not.",
            "description": "For the employee themself, their nearest manager and IT support; anyone else is 403, "
                           "audited.",
            "security": [{"sessionCookie": []}],
            "parameters": [id_parameter("employee_id")],
            "responses": {"200": json_response("LoginTickets", "The tickets, computed now."),
                          "401": ref("responses", "401"), "403": ref("responses", "403"),
                          "404": json_response("Error", "No such employee.")}}}})
