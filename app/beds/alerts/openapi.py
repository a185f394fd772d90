"""The alerts API's fragment of the OpenAPI document: its operations, with the schemas generated from its bodies
(app/beds/alerts/api_bodies.py). Session only: alerts belong to people at a board, not to hospital systems."""

from __future__ import annotations

from app.beds.alerts.api_bodies import ANSWERS, RuleChange
from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import Schema, errors, id_parameter, json_response, ref

SESSION_READ: list[Schema] = [{"sessionCookie": []}]
SESSION_WRITE: list[Schema] = [{"sessionCookie": [], "csrfHeader": []}]

RESPONSES: Schema = {
    "NoSuchAlertObject": json_response("Error", "No such rule or alert among those the caller sees."),
}


def _paths() -> Schema:
    not_found = {"404": ref("responses", "NoSuchAlertObject")}
    return {
        "/api/v1/alerts/rules": {
            "get": {"operationId": "listAlertRules", "summary": "The caller's rules and their authority's.",
                    "security": SESSION_READ,
                    "responses": {"200": json_response("AlertRuleList", "Newest first."), **errors("403")}},
            "post": {"operationId": "createAlertRule",
                     "summary": "Add a rule: a coordinator's own, or an administrator's for the whole authority.",
                     "security": SESSION_WRITE, "requestBody": json_body(RuleChange),
                     "responses": {"201": json_response("AlertRuleAnswer", "The rule (audited)."),
                                   **errors("403", "413", "422")}}},
        "/api/v1/alerts/rules/{rule_id}": {"delete": {
            "operationId": "deleteAlertRule", "summary": "Delete a rule (its alerts stay).",
            "security": SESSION_WRITE, "parameters": [id_parameter("rule_id")],
            "responses": {"204": {"description": "Deleted (audited)."}, **errors("403", "422"), **not_found}}},
        "/api/v1/alerts": {"get": {
            "operationId": "listAlerts", "summary": "The open (unacknowledged) alerts the caller is told of.",
            "security": SESSION_READ,
            "responses": {"200": json_response("AlertList", "Newest first."), **errors("403")}}},
        "/api/v1/alerts/{alert_id}/acknowledge": {"post": {
            "operationId": "acknowledgeAlert",
            "summary": "Acknowledge an alert, for everyone it was for (audited; a repeat changes nothing).",
            "security": SESSION_WRITE, "parameters": [id_parameter("alert_id")],
            "responses": {"200": json_response("AlertAnswer", "The alert, acknowledged."), **errors("403", "422"),
                          **not_found}}},
    }


def fragment() -> Fragment:
    return Fragment(paths=_paths(), schemas=declared_schemas(RuleChange, *ANSWERS), responses=RESPONSES)
