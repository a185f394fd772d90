"""The OpenAPI document in pieces: each domain describes its own operations as a ``Fragment`` (paths and the
components they name), with the JSON Schemas generated from its declared bodies, and the assembly joins them.

A body is declared once, as a pydantic model (requests, app/kit/api_bodies.py) or a typed dict (answers, which
the routes build as plain dicts that mypy checks against the declaration); ``declared_schemas`` turns them into
JSON Schema 2020-12, the dialect of OpenAPI 3.1, with references into ``#/components/schemas``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema
from typing_extensions import TypedDict

from app.kit.openapi_schema import Schema, json_response, ref

REF_TEMPLATE = "#/components/schemas/{model}"
COMPONENT_KINDS = ("schemas", "responses", "parameters")


class _Untitled(GenerateJsonSchema):
    """pydantic titles every field and model after its Python name ("Free Beds"): noise for the API's readers."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        generated = super().model_schema(schema)
        generated.pop("title", None)
        return generated

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        generated = super().typed_dict_schema(schema)
        generated.pop("title", None)
        return generated


def declared_schemas(*declarations: type[Any]) -> Schema:
    """The component schemas of the declarations, by class name, and of every declaration they nest."""
    components: Schema = {}
    for declaration in declarations:
        generated = TypeAdapter(declaration).json_schema(ref_template=REF_TEMPLATE, schema_generator=_Untitled)
        for name, nested in generated.pop("$defs", {}).items():
            _add(components, name, nested, "schemas")
        _add(components, declaration.__name__, generated, "schemas")
    return components


def json_body(declaration: type[Any]) -> Schema:
    """A required JSON request body of this declaration."""
    return {"required": True, "content": {"application/json": {"schema": ref("schemas", declaration.__name__)}}}


@dataclass(frozen=True)
class Fragment:
    """One domain's part of the document: its paths and the components they refer to."""

    paths: Schema
    schemas: Schema = field(default_factory=dict)
    responses: Schema = field(default_factory=dict)
    parameters: Schema = field(default_factory=dict)


def _add(into: Schema, name: str, value: object, kind: str) -> None:
    """Two pieces may share a component (the kit's Error) only if they describe it alike."""
    if name in into and into[name] != value:
        raise ValueError(f"two fragments describe {kind} {name} differently")
    into[name] = value


def joined(fragments: Iterable[Fragment]) -> tuple[Schema, dict[str, Schema]]:
    """The paths and the components of every fragment; a path or component claimed twice, differently, is a bug."""
    paths: Schema = {}
    components: dict[str, Schema] = {kind: {} for kind in COMPONENT_KINDS}
    for fragment in fragments:
        for path, item in fragment.paths.items():
            _add(paths, path, item, "path")
        pieces: Mapping[str, Schema] = {"schemas": fragment.schemas, "responses": fragment.responses,
                                        "parameters": fragment.parameters}
        for kind, named in pieces.items():
            for name, value in named.items():
                _add(components[kind], name, value, kind)
    return paths, components


@with_config(ConfigDict(extra="forbid"))
class ErrorBody(TypedDict):
    code: Annotated[str, Field(examples=["validation_failed", "version_conflict", "forbidden"])]
    message: Annotated[str, Field(description="For people, in the caller's language.")]
    details: Annotated[dict[str, Any], Field(description="For programs: field names, the current section on 409.")]
    request_id: str


@with_config(ConfigDict(extra="forbid"))
class Error(TypedDict):
    """Every refusal (app/kit/error_pages.py), whatever the domain."""

    error: ErrorBody


def shared_fragment(*, max_body_bytes: int) -> Fragment:
    """The error answer every operation may give, and the responses that say when."""
    return Fragment(paths={}, schemas=declared_schemas(Error), responses={
        "401": json_response("Error", "No valid credentials: log in, or send a valid, unrevoked API token."),
        "403": json_response("Error", "Not allowed: beyond the caller's organisation or role, or a session write "
                                      "without the X-CSRF-Token header. The refusal is audited."),
        "413": json_response("Error", f"The body is larger than {max_body_bytes} bytes."),
        "422": json_response("Error", "Invalid input; details.field names it."),
    })
