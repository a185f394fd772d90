"""The announcements API's fragment of the OpenAPI document: its operations, with the schemas generated from its
bodies (app/beds/dispatch/api_bodies.py). A dispatch system's token (scope ``dispatch``) works as a coordinator of its
authority; acknowledging is the hospital's operators', with their session."""

from __future__ import annotations

from app.beds.dispatch.api_bodies import ANSWERS, AnnouncementBody, CancelBody
from app.kit.forms import MAX_ID
from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import READ_SECURITY, WRITE_SECURITY, Schema, errors, id_parameter, json_response, ref

SESSION_WRITE: list[Schema] = [{"sessionCookie": [], "csrfHeader": []}]

RESPONSES: Schema = {
    "NoSuchAnnouncement": json_response("Error", "No such announcement among those the caller sees."),
    "AnnouncementConflict": json_response("Error", "Already closed (arrived, cancelled, expired), or no bed left "
                                                   "to hold, or the coordinator holds as many beds as allowed."),
}
FILTERS: list[Schema] = [
    {"name": "hospital_id", "in": "query", "required": False, "description": "One hospital's (an operator: only "
     "their own; another is 403).", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    {"name": "state", "in": "query", "required": False, "description": "open (announced or acknowledged) or one "
     "state.", "schema": {"type": "string", "enum": ["open", "announced", "acknowledged", "arrived", "cancelled",
                                                     "expired"]}},
]


def _step(operation: str, summary: str, *, body: type[CancelBody] | None = None,
          security: list[Schema] = WRITE_SECURITY) -> Schema:
    step: Schema = {"operationId": operation, "summary": summary, "security": security,
                    "parameters": [id_parameter("announcement_id")],
                    "responses": {"200": json_response("AnnouncementAnswer", "The announcement, after the step."),
                                  **errors("403", "422"), "404": ref("responses", "NoSuchAnnouncement"),
                                  "409": ref("responses", "AnnouncementConflict")}}
    if body is not None:
        step["requestBody"] = json_body(body)
    return step


def _paths() -> Schema:
    return {
        "/api/v1/announcements": {
            "get": {"operationId": "listAnnouncements", "security": READ_SECURITY, "parameters": FILTERS,
                    "summary": "Announcements the caller sees: their authority's (coordinators) or their "
                               "hospital's (operators), newest first.",
                    "responses": {"200": json_response("AnnouncementList", "Newest first, at most 200."),
                                  **errors("403", "422")}},
            "post": {"operationId": "createAnnouncement", "security": WRITE_SECURITY,
                     "summary": "Announce an incoming patient to a hospital (coordinators), optionally holding a bed. "
                                "A note holding a RUN, CNP or personnummer is refused (422 naming the field).",
                     "requestBody": json_body(AnnouncementBody),
                     "responses": {"201": json_response("AnnouncementAnswer", "Announced (audited)."),
                                   **errors("403", "413", "422"), "409": ref("responses", "AnnouncementConflict")}}},
        "/api/v1/announcements/categories": {"get": {
            "operationId": "listAnnouncementCategories", "security": READ_SECURITY,
            "summary": "The patient categories of the nomenclature.",
            "responses": {"200": json_response("CategoryList", "In the nomenclature's order."), **errors("403")}}},
        "/api/v1/announcements/{announcement_id}/acknowledge": {"post": _step(
            "acknowledgeAnnouncement", "The hospital's operators acknowledge (audited; a repeat changes nothing).",
            security=SESSION_WRITE)},
        "/api/v1/announcements/{announcement_id}/arrived": {"post": _step(
            "announcementArrived", "The patient arrived (the hospital or the coordinator): its hold ends.")},
        "/api/v1/announcements/{announcement_id}/cancel": {"post": _step(
            "cancelAnnouncement", "The coordinator cancels, with a reason: its hold ends.", body=CancelBody)},
    }


def fragment() -> Fragment:
    return Fragment(paths=_paths(), schemas=declared_schemas(AnnouncementBody, CancelBody, *ANSWERS),
                    responses=RESPONSES)
