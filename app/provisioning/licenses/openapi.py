"""The licence-usage feed's fragment of the OpenAPI document, its schemas generated from usage_bodies.py."""

from __future__ import annotations

from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import json_response, ref
from app.provisioning.licenses.usage_api import MAX_BODY_BYTES
from app.provisioning.licenses.usage_bodies import UsageBatch, UsageRefusal, UsageResult


def fragment() -> Fragment:
    return Fragment(schemas=declared_schemas(UsageBatch, UsageResult, UsageRefusal), paths={
        "/api/v1/licenses/usage": {"post": {
            "operationId": "reportLicenceUsage",
            "summary": "Report when each RUN last used its licence (a batch from the health record).",
            "description": "Only with a licence-usage token (made by a licence officer on /licenses/usage); it "
                           "reaches the licences of its own health service. Any other token or a session is 403.",
            "security": [{"bearerToken": []}],
            "requestBody": json_body(UsageBatch),
            "responses": {
                "200": json_response("UsageResult", "Recorded (one audit event for the batch)."),
                "401": ref("responses", "401"), "403": ref("responses", "403"),
                "413": json_response("Error", f"The body is larger than {MAX_BODY_BYTES} bytes."),
                "422": json_response("UsageRefusal", "Invalid batch; details.errors names each bad item by its "
                                                     "index.")}}}})
