"""The login tickets' fragment of the OpenAPI document, its schema generated from api_bodies.py."""

from __future__ import annotations

from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import READ_SECURITY, Schema, id_parameter, json_response, ref
from app.provisioning.roles.api_bodies import (
    EmployeeUnit,
    EmployeeUnitChange,
    LoginTickets,
    UnitManager,
    UnitManagerChange,
)

# Written with a person's session only (IT support of the region, the head of operations of the care area).
SESSION_WRITE: list[Schema] = [{"sessionCookie": [], "csrfHeader": []}]


def _write(operation_id: str, summary: str, parameter: str, body: type[object], answer: str) -> Schema:
    return {"put": {
        "operationId": operation_id, "summary": summary,
        "description": "For IT support of the region and the head of operations of the unit's care area; anyone "
                       "else is 403, audited. A manager must be a user with the role manager in the care area or "
                       "one of its units (422 otherwise). Audited; the new manager is notified.",
        "security": SESSION_WRITE, "parameters": [id_parameter(parameter)], "requestBody": json_body(body),
        "responses": {"200": json_response(answer, "The state after the write."), "401": ref("responses", "401"),
                      "403": ref("responses", "403"), "404": json_response("Error", "No such unit or employee."),
                      "422": ref("responses", "422")}}}


def fragment() -> Fragment:
    return Fragment(schemas=declared_schemas(LoginTickets, UnitManagerChange, UnitManager, EmployeeUnitChange,
                                             EmployeeUnit), paths={
        "/api/v1/roles/units/{unit_id}/manager": _write(
            "setUnitManager", "Name a unit's manager (the nearest manager of its employees).", "unit_id",
            UnitManagerChange, "UnitManager"),
        "/api/v1/roles/employees/{employee_id}/unit": _write(
            "setEmployeeUnit", "Set an employee's unit and, optionally, their own nearest manager.", "employee_id",
            EmployeeUnitChange, "EmployeeUnit"),
        "/api/v1/roles/login-tickets/{employee_id}": {"get": {
            "operationId": "getLoginTickets",
            "summary": "An employee's login tickets: each unit + competence role they may log in as, and why not.",
            "description": "For the employee themself, their nearest manager and IT support (a session), and for a "
                           "login system with a token of the `login-tickets` scope, made by IT support of the "
                           "region on /roles/login-tokens: read only, the region's employees only, every read "
                           "audited with the token's name. Anyone else, and a token of another scope, is 403, "
                           "audited.",
            "security": READ_SECURITY,
            "parameters": [id_parameter("employee_id")],
            "responses": {"200": json_response("LoginTickets", "The tickets, computed now."),
                          "401": ref("responses", "401"), "403": ref("responses", "403"),
                          "404": json_response("Error", "No such employee.")}}}})
