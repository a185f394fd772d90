"""Small builders for the OpenAPI document's pieces that are not bodies (references, responses, path parameters,
security), shared by the domains' fragments; the bodies' schemas come from their declarations
(app/kit/openapi_fragments.py)."""

from __future__ import annotations

from typing import Any

from app.kit.forms import MAX_ID

Schema = dict[str, Any]


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_response(schema_name: str, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref("schemas", schema_name)}}}


def id_parameter(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


READ_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": []}]
WRITE_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": [], "csrfHeader": []}]


def errors(*statuses: str) -> Schema:
    """401 and the given statuses, as the shared responses of the kit's fragment."""
    return {status: ref("responses", status) for status in ("401", *statuses)}
