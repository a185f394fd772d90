"""Small builders for the OpenAPI document's JSON Schema pieces, shared by the modules that describe their API."""

from __future__ import annotations

from typing import Any

from app.kit.forms import MAX_ID

Schema = dict[str, Any]


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_response(schema_name: str, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref("schemas", schema_name)}}}


def nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def or_null(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: Schema, required: list[str] | None = None) -> Schema:
    """A closed object: every property required unless ``required`` says otherwise, nothing else allowed."""
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


def id_parameter(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


# Every error answer (app/kit/error_pages.py): any API operation may refer to these.
READ_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": []}]
WRITE_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": [], "csrfHeader": []}]


def errors(*statuses: str) -> Schema:
    """401 and the given statuses, as the shared responses of the kit's fragment."""
    return {status: ref("responses", status) for status in ("401", *statuses)}
