"""The bed API's fragment of the OpenAPI 3.1 document: its operations, and the schemas of its bodies generated
from their declarations (app/beds/api_bodies.py). The assembly joins it with the other domains' fragments;
tests/beds/test_openapi.py validates the whole, checks that every API route is in it and that real answers match.
"""

from __future__ import annotations

from app.beds.api_bodies import ANSWERS, AdmissionChange, FreeBedsChange
from app.beds.nearest_bodies import NearestRanking
from app.beds.service import MAX_IDEMPOTENCY_KEY_LENGTH
from app.kit.forms import MAX_ID
from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import READ_SECURITY, WRITE_SECURITY, Schema, errors, ref
from app.kit.openapi_schema import json_response as _json

RESPONSES: Schema = {
    "SectionForbidden": _json("Error", "Not allowed: another hospital's section, a role that may not write, or a "
                                       "missing X-CSRF-Token header on a session write. The refusal is audited."),
    "NoSuchSection": _json("Error", "No such section (or it is retired)."),
    "VersionConflict": _json("VersionConflict", "The section changed since expected_version; details.current is "
                                                "its state."),
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
    "HospitalId": {"name": "hospital_id", "in": "path", "required": True,
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


def _bed_errors(*statuses: str) -> Schema:
    named = {"403": "SectionForbidden", "404": "NoSuchSection", "409": "VersionConflict"}
    return {**errors(), **{status: ref("responses", named.get(status, status)) for status in statuses}}


def _admission_paths(parameter: str, noun: str, operation: str) -> Schema:
    target = ref("parameters", parameter)
    return {
        "get": {"operationId": f"get{operation}Admission", "summary": f"The {noun}'s admission status.",
                "security": READ_SECURITY, "parameters": [target],
                "responses": {"200": _json("AdmissionState", "The status."), **_bed_errors("403", "404", "422")}},
        "put": {"operationId": f"set{operation}Admission",
                "summary": f"Set the {noun}'s admission status (open, limited or closed, with a reason and an expiry), "
                           "naming the version read.",
                "security": WRITE_SECURITY, "parameters": [target, ref("parameters", "IdempotencyKey")],
                "requestBody": json_body(AdmissionChange),
                "responses": {
                    "200": {**_json("AdmissionState", "The status after the write (or the first answer, on a "
                                                      "replay)."),
                            "headers": {"Idempotency-Replayed": {
                                "description": "true when this is the stored answer to a repeated key.",
                                "schema": {"type": "string", "const": "true"}}}},
                    **_bed_errors("403", "404", "409", "413", "422")}},
    }


def _paths() -> Schema:
    section_id = ref("parameters", "SectionId")
    filters = [ref("parameters", name) for name in
               ("Hospital", "SectionType", "HospitalType", "UpdatedBefore", "UpdatedAfter")]
    return {
        "/api/v1/sections": {"get": {
            "operationId": "listSections", "summary": "Sections in service that the caller may read.",
            "security": READ_SECURITY, "parameters": filters,
            "responses": {"200": _json("SectionList", "The sections, with the server's time."),
                          **_bed_errors("403", "422")}}},
        "/api/v1/sections/{section_id}": {"get": {
            "operationId": "getSection", "summary": "One section.", "security": READ_SECURITY,
            "parameters": [section_id],
            "responses": {"200": _json("Section", "The section."), **_bed_errors("403", "404", "422")}}},
        "/api/v1/sections/{section_id}/free-beds": {"put": {
            "operationId": "setFreeBeds", "summary": "Set a section's free beds, naming the version read.",
            "security": WRITE_SECURITY, "parameters": [section_id, ref("parameters", "IdempotencyKey")],
            "requestBody": json_body(FreeBedsChange),
            "responses": {
                "200": {**_json("Section", "The section after the write (or the first answer, on a replay)."),
                        "headers": {"Idempotency-Replayed": {
                            "description": "true when this is the stored answer to a repeated key.",
                            "schema": {"type": "string", "const": "true"}}}},
                **_bed_errors("403", "404", "409", "413", "422")}}},
        "/api/v1/hospitals": {"get": {
            "operationId": "listHospitals", "summary": "Hospitals in service that the caller may read.",
            "security": READ_SECURITY,
            "responses": {"200": _json("HospitalList", "The hospitals."), **_bed_errors("403")}}},
        "/api/v1/hospitals/{hospital_id}/admission": _admission_paths("HospitalId", "hospital", "Hospital"),
        "/api/v1/sections/{section_id}/admission": _admission_paths("SectionId", "section", "Section"),
        "/api/v1/admission-reasons": {"get": {
            "operationId": "listAdmissionReasons", "summary": "The reasons a status may be limited or closed for.",
            "security": READ_SECURITY,
            "responses": {"200": _json("AdmissionReasonList", "The reasons in service."), **_bed_errors()}}},
        "/api/v1/nearest": {"get": {
            "operationId": "nearestFreeBed",
            "summary": "Hospitals ranked by distance (as the crow flies) from an incident, with their free beds of the "
                       "chosen section types, under the installation's policy (BEDBOARD_NEAREST_POLICY).",
            "security": READ_SECURITY, "parameters": [
                {"name": "lat", "in": "query", "required": True, "description": "The incident's latitude (WGS 84).",
                 "schema": {"type": "number", "minimum": -90, "maximum": 90}},
                {"name": "lon", "in": "query", "required": True, "description": "The incident's longitude (WGS 84).",
                 "schema": {"type": "number", "minimum": -180, "maximum": 180}},
                {**_list_parameter("section_type", "string", "Section type codes or ids (at least one); an "
                                                             "unknown one is 422."), "required": True}],
            "responses": {"200": _json("NearestRanking", "The ranking."), **_bed_errors("403", "422")}}},
        "/api/v1/section-types": {"get": {
            "operationId": "listSectionTypes", "summary": "The section types, with their codes.",
            "security": READ_SECURITY,
            "responses": {"200": _json("SectionTypeList", "The section types."), **_bed_errors()}}},
    }


def fragment() -> Fragment:
    return Fragment(paths=_paths(), schemas=declared_schemas(FreeBedsChange, AdmissionChange, *ANSWERS, NearestRanking),
                    responses=RESPONSES, parameters=PARAMETERS)
