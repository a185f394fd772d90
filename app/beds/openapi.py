"""The OpenAPI 3.1 description of ``/api/v1``, as data. tests/beds/test_openapi.py validates it, checks
that every API route is in it and that real answers match its schemas, so it cannot drift from the code.
"""

from __future__ import annotations

from app.beds.models import MAX_FREE_BEDS, MIN_FREE_BEDS
from app.beds.service import MAX_IDEMPOTENCY_KEY_LENGTH, MAX_REASON_LENGTH
from app.kit.api_parsing import MAX_BODY_BYTES
from app.kit.forms import MAX_ID
from app.kit.openapi_schema import Schema
from app.kit.openapi_schema import json_response as _json
from app.kit.openapi_schema import nullable as _nullable
from app.kit.openapi_schema import obj as _object
from app.kit.openapi_schema import ref as _ref
from app.provisioning.licenses.usage_api import MAX_BODY_BYTES as MAX_USAGE_BODY_BYTES
from app.provisioning.licenses.usage_api import MAX_LISTED_ERRORS, MAX_USES
from app.provisioning.orders import api_schemas as order_api_schemas

READ_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": []}]
WRITE_SECURITY: list[Schema] = [{"bearerToken": []}, {"sessionCookie": [], "csrfHeader": []}]


def _errors(*statuses: str) -> Schema:
    return {status: _ref("responses", status) for status in ("401", *statuses)}


SECTION: Schema = _object({
    "id": {"type": "integer"},
    "hospital_id": {"type": "integer"},
    "hospital_name": {"type": "string"},
    "hospital_code": {"type": "string", "description": "The hospital's short code."},
    "hospital_type": {"type": "string", "description": "Hospital type code, see GET /api/v1/hospitals."},
    "section_type": {"type": "string", "description": "Section type code, see GET /api/v1/section-types."},
    "section_type_id": {"type": "integer"},
    "code": {"type": "string", "description": "The section's code in the approved list of its hospital."},
    "name": {"type": "string"},
    "parent_id": _nullable("integer", description="The section this one is a sub-section of."),
    "total_beds": {"type": "integer", "minimum": 0},
    "free_beds": {"type": "integer", "minimum": MIN_FREE_BEDS, "maximum": MAX_FREE_BEDS,
                  "description": "May be negative in exceptional cases (more patients than approved beds)."},
    "occupancy_pct": _nullable("number", description="Percent of approved beds occupied; null without beds."),
    "version": {"type": "integer", "minimum": 1, "description": "Send it back as expected_version to write."},
    "updated_at": _nullable("string", format="date-time"),
    "updated_by": _nullable("string"),
    "confirmed_at": _nullable("string", format="date-time"),
    "confirmed_by": _nullable("string"),
    "reported_at": _nullable("string", format="date-time",
                             description="The later of updated_at and confirmed_at."),
})

FREE_BEDS_CHANGE: Schema = _object({
    "free_beds": {"type": "integer", "minimum": MIN_FREE_BEDS, "maximum": MAX_FREE_BEDS},
    "expected_version": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                         "description": "The version the writer read; a different current version gets 409."},
    "reason": _nullable("string", maxLength=MAX_REASON_LENGTH,
                        description="Why, e.g. for a negative count; kept in the audit log."),
}, required=["free_beds", "expected_version"])

ERROR: Schema = _object({"error": _object({
    "code": {"type": "string", "examples": ["validation_failed", "version_conflict", "forbidden"]},
    "message": {"type": "string", "description": "For people, in the caller's language."},
    "details": {"type": "object", "description": "For programs: field names, the current section on 409."},
    "request_id": {"type": "string"},
})})

CONFLICT: Schema = _object({"error": _object({
    "code": {"const": "version_conflict"},
    "message": {"type": "string"},
    "details": _object({"current": _ref("schemas", "Section")}),
    "request_id": {"type": "string"},
})})

USAGE_BATCH: Schema = _object({"uses": {
    "type": "array", "minItems": 1, "maxItems": MAX_USES,
    "description": "All or nothing: one invalid item refuses the batch (422) and nothing is recorded.",
    "items": _object({
        "run": {"type": "string", "examples": ["12345678-5"],
                "description": "The RUN; dots, spaces and a lower-case k are accepted and normalised."},
        "last_used_at": {"type": "string", "format": "date-time",
                         "description": "RFC 3339 with its offset, e.g. 2026-10-01T12:00:00Z. A later time than "
                                        "the server's counts as now; an older one than recorded changes nothing."},
    }),
}})

USAGE_RESULT: Schema = _object({
    "updated": {"type": "integer", "minimum": 0, "description": "Licences whose last use moved later."},
    "unchanged": {"type": "integer", "minimum": 0,
                  "description": "Licences that already had this use or a later one."},
    "unknown_runs": {"type": "array", "items": {"type": "string"},
                     "description": "RUNs (normalised) without an active licence in the token's health service."},
})

USAGE_REFUSAL: Schema = _object({"error": _object({
    "code": {"const": "validation_failed"},
    "message": {"type": "string"},
    "details": {"type": "object", "required": ["field"], "properties": {
        "field": {"type": "string"},
        "error_count": {"type": "integer"},
        "errors": {"type": "array", "maxItems": MAX_LISTED_ERRORS, "items": _object({
            "index": {"type": "integer", "minimum": 0, "description": "The item's position in uses, from 0."},
            "field": {"type": "string", "description": "run, last_used_at, item (not an object) or an unknown "
                                                       "field's name."},
            "message": {"type": "string"},
        })},
    }},
    "request_id": {"type": "string"},
})})

LOGIN_TICKETS: Schema = _object({
    "employee": _object({"id": {"type": "integer"}, "full_name": {"type": "string"}}),
    "today": {"type": "string", "format": "date",
              "description": "The day the tickets hold for, in the employee's calendar."},
    "choices": {"type": "array", "description": "One per unit of an active assignment and role linked to it.",
                "items": _object({
                    "unit_id": {"type": "integer"}, "unit": {"type": "string", "description": "The unit's name."},
                    "hsa_id": {"type": "string", "examples": ["SE2321000198-E1KA"]},
                    "role": {"type": "string", "examples": ["Kardiologi / Sjuksköterska / Hjärtsvikt"],
                             "description": "Specialty / Profession / Capability (the capability may be absent)."},
                })},
    "gaps": {"type": "array", "description": "Why an assignment or a role gives no choice.",
             "items": _object({
                 "code": {"type": "string", "enum": ["no_active_assignment", "no_competence_role",
                                                    "role_not_in_catalogue", "role_not_linked_to_assigned_unit",
                                                    "unit_without_linked_role", "other"]},
                 "message": {"type": "string", "description": "For people, in the caller's language."},
                 "params": {"type": "object", "additionalProperties": {"type": "string"},
                            "description": "What the message names: role, unit, hsa_id."},
             })},
})

SCHEMAS: Schema = {
    "Section": SECTION,
    "SectionList": _object({"sections": {"type": "array", "items": _ref("schemas", "Section")},
                            "server_time": {"type": "string", "format": "date-time"}}),
    "FreeBedsChange": FREE_BEDS_CHANGE,
    "Hospital": _object({"id": {"type": "integer"}, "code": {"type": "string"}, "short_code": {"type": "string"},
                         "name": {"type": "string"}, "hospital_type": {"type": "string"}}),
    "HospitalList": _object({"hospitals": {"type": "array", "items": _ref("schemas", "Hospital")}}),
    "SectionType": _object({"id": {"type": "integer"}, "code": {"type": "string"}, "name_en": {"type": "string"},
                            "name_ro": {"type": "string"}}),
    "SectionTypeList": _object({"section_types": {"type": "array", "items": _ref("schemas", "SectionType")}}),
    "Error": ERROR,
    "VersionConflict": CONFLICT,
    "UsageBatch": USAGE_BATCH,
    "UsageResult": USAGE_RESULT,
    "UsageRefusal": USAGE_REFUSAL,
    "LoginTickets": LOGIN_TICKETS,
    **order_api_schemas.SCHEMAS,
}

RESPONSES: Schema = {
    "401": _json("Error", "No valid credentials: log in, or send a valid, unrevoked API token."),
    "403": _json("Error", "Not allowed: another hospital's section, a role that may not write, or a missing "
                          "X-CSRF-Token header on a session write. The refusal is audited."),
    "404": _json("Error", "No such section (or it is retired)."),
    "409": _json("VersionConflict", "The section changed since expected_version; details.current is its state."),
    "413": _json("Error", f"The body is larger than {MAX_BODY_BYTES} bytes."),
    "422": _json("Error", "Invalid input; details.field names it."),
}


def _list_parameter(name: str, kind: str, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": description, "schema": {"type": "array", "items": {"type": kind}}}


def _moment_parameter(name: str, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "format": "date-time"}}


PARAMETERS: Schema = {
    "SectionId": {"name": "section_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    "Hospital": _list_parameter("hospital", "integer", "Hospital ids; repeat or separate with commas."),
    "SectionType": _list_parameter("section_type", "string", "Section type codes or ids; an unknown code is 422."),
    "HospitalType": _list_parameter("hospital_type", "string", "Hospital type codes; an unknown code is 422."),
    "UpdatedBefore": _moment_parameter("updated_before", "Updated strictly before this time (with its offset); "
                                                         "sections never updated are included."),
    "UpdatedAfter": _moment_parameter("updated_after", "Updated at or after this time (with its offset)."),
    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "A repeat with the same key returns the first answer and writes nothing; "
                                      "the same key with a different body is 422.",
                       "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH}},
}


def _paths() -> Schema:
    section_id = _ref("parameters", "SectionId")
    filters = [_ref("parameters", name) for name in
               ("Hospital", "SectionType", "HospitalType", "UpdatedBefore", "UpdatedAfter")]
    return {
        "/api/v1/sections": {"get": {
            "operationId": "listSections", "summary": "Sections in service that the caller may read.",
            "security": READ_SECURITY, "parameters": filters,
            "responses": {"200": _json("SectionList", "The sections, with the server's time."),
                          **_errors("403", "422")}}},
        "/api/v1/sections/{section_id}": {"get": {
            "operationId": "getSection", "summary": "One section.", "security": READ_SECURITY,
            "parameters": [section_id],
            "responses": {"200": _json("Section", "The section."), **_errors("403", "404", "422")}}},
        "/api/v1/sections/{section_id}/free-beds": {"put": {
            "operationId": "setFreeBeds", "summary": "Set a section's free beds, naming the version read.",
            "security": WRITE_SECURITY, "parameters": [section_id, _ref("parameters", "IdempotencyKey")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("schemas", "FreeBedsChange")}}},
            "responses": {
                "200": {**_json("Section", "The section after the write (or the first answer, on a replay)."),
                        "headers": {"Idempotency-Replayed": {
                            "description": "true when this is the stored answer to a repeated key.",
                            "schema": {"type": "string", "const": "true"}}}},
                **_errors("403", "404", "409", "413", "422")}}},
        "/api/v1/hospitals": {"get": {
            "operationId": "listHospitals", "summary": "Hospitals in service that the caller may read.",
            "security": READ_SECURITY,
            "responses": {"200": _json("HospitalList", "The hospitals."), **_errors("403")}}},
        "/api/v1/section-types": {"get": {
            "operationId": "listSectionTypes", "summary": "The section types, with their codes.",
            "security": READ_SECURITY,
            "responses": {"200": _json("SectionTypeList", "The section types."), **_errors()}}},
        "/api/v1/licenses/usage": {"post": {
            "operationId": "reportLicenceUsage",
            "summary": "Report when each RUN last used its licence (a batch from the health record).",
            "description": "Only with a licence-usage token (made by a licence officer on /licenses/usage); it "
                           "reaches the licences of its own health service. Any other token or a session is 403.",
            "security": [{"bearerToken": []}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("schemas", "UsageBatch")}}},
            "responses": {
                "200": _json("UsageResult", "Recorded (one audit event for the batch)."),
                "401": _ref("responses", "401"), "403": _ref("responses", "403"),
                "413": _json("Error", f"The body is larger than {MAX_USAGE_BODY_BYTES} bytes."),
                "422": _json("UsageRefusal", "Invalid batch; details.errors names each bad item by its index.")}}},
        "/api/v1/roles/login-tickets/{employee_id}": {"get": {
            "operationId": "getLoginTickets",
            "summary": "An employee's login tickets: each unit + competence role they may log in as, and why not.",
            "description": "For the employee themself, their nearest manager and IT support; anyone else is 403, "
                           "audited.",
            "security": [{"sessionCookie": []}],
            "parameters": [{"name": "employee_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "responses": {"200": _json("LoginTickets", "The tickets, computed now."),
                          "401": _ref("responses", "401"), "403": _ref("responses", "403"),
                          "404": _json("Error", "No such employee.")}}},
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document.", "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        **order_api_schemas.paths(),
    }


def document(*, session_cookie: str = "bedboard_session") -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {"title": "bedboard API", "version": "1",
                 "description": "Free beds of hospital sections, for hospital information systems and scripts, "
                                "the licence-usage feed of the health record, login tickets and IT orders for "
                                "people with their session. See docs/api.md."},
        "security": READ_SECURITY,
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS, "responses": RESPONSES, "parameters": PARAMETERS,
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
