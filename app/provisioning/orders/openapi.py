"""The IT orders' fragment of the OpenAPI document (seeds 002, 004); the request bodies' schemas are generated from
their declarations (api_bodies.py).

Catalogue texts (system names, question labels) are the catalogue's own words, as written; messages are in the
caller's language.
"""

from __future__ import annotations

from app.kit.api_parsing import MAX_BODY_BYTES
from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import Schema, id_parameter, json_response, nullable, obj, or_null, ref
from app.provisioning.core import workflow
from app.provisioning.orders import working
from app.provisioning.orders.api_bodies import NewOrder, TaskStep
from app.provisioning.orders.api_routes import MAX_ORDER_BODY_BYTES
from app.provisioning.orders.catalogue.definitions import CHANNEL_KINDS

_ID: Schema = {"type": "integer", "minimum": 1}
_NAMED: Schema = obj({"id": {"type": "integer"}, "name": {"type": "string"}})
_KEYED: Schema = obj({"key": {"type": "string"}, "name": {"type": "string"}})
_TEXTS: Schema = {"type": "array", "items": {"type": "string"}}
_LOCALISED = "For people, in the caller's language."


ORDER_LEAD_TIME: Schema = obj({
    "status": {"enum": ["in_time", "tight", "too_late"]},
    "available_days": {"type": "integer", "minimum": 0,
                       "description": "Business days from today up to the day before planned_date."},
    "order_by": {"type": "string", "format": "date",
                 "description": "The last day that still leaves the longest lead time."},
    "message": {"type": "string", "description": _LOCALISED},
})

ORDER_TASK: Schema = obj({
    "key": {"type": "string", "description": "Names the task in POST .../tasks/{task_key}."},
    "label": {"type": "string", "examples": ["Priva – vårdgivar-id: Beställ (Hörselmottagningen Lund)"]},
    "system": nullable("string"), "system_name": nullable("string"),
    "action": {"type": "string"}, "action_name": {"type": "string"},
    "item": nullable("string", description="The list item a fanned-out task is for, e.g. a clinic."),
    "who": {"type": "string"}, "who_name": {"type": "string"},
    "party": nullable("string", description="The party of the event that does it, when the catalogue names one."),
    "state": {"enum": list(workflow.TASK_STATE_LABELS)},
    "state_name": {"type": "string", "description": _LOCALISED},
    "external_reference": nullable("string"), "note": nullable("string"),
    "blocked": {"type": "boolean", "description": "Pending, and a task it depends on is still open."},
    "waiting_on": {**_TEXTS, "description": "Labels of the open tasks it depends on."},
    "depends_on": {**_TEXTS, "description": "Keys of the tasks it depends on."},
    "applies": {"type": "boolean", "description": "False: the answers make it not needed (state not_applicable)."},
    "actions": {"type": "array", "items": {"enum": sorted(working.TASK_ACTIONS)},
                "description": "What the caller may do with it now."},
    "via": or_null(obj({"kind": {"enum": list(CHANNEL_KINDS)}, "label": {"type": "string"},
                             "url": nullable("string"), "email": nullable("string")})),
    "links": {"type": "array", "items": obj({"label": {"type": "string"}, "url": nullable("string")})},
})

_ORDER_HEADING: Schema = {
    "id": {"type": "integer"},
    "catalogue": obj({"key": {"type": "string"}, "version": _ID, "name": {"type": "string"}}),
    "event": _KEYED,
    "state": {"enum": list(workflow.REQUEST_STATE_LABELS)},
    "state_name": {"type": "string", "description": _LOCALISED},
    "planned_date": {"type": "string", "format": "date", "description": "The day the change takes effect."},
    "overdue": {"type": "boolean", "description": "Open on or after planned_date."},
    "person": or_null(obj({"id": {"type": "integer"}, "full_name": {"type": "string"}})),
    "organisation": _NAMED,
    "subject_organisation": or_null(_NAMED),
    "lead_time": or_null(ref("schemas", "OrderLeadTime")),
}
_ANSWER: Schema = {"type": ["boolean", "string", "integer", "array"], "items": {"type": "string"}}

ORDER: Schema = obj({
    **_ORDER_HEADING,
    "created_at": {"type": "string", "format": "date-time"},
    "note": nullable("string"),
    "answers": {"type": "object", "additionalProperties": _ANSWER, "description": "By question key."},
    "may_work": {"type": "boolean", "description": "Whether the caller may work its tasks now."},
    "checks": {"type": "array", "items": obj({
        "key": {"type": "string"}, "name": {"type": "string"},
        "status": {"enum": ["met", "not_met", "open", "not_applicable"]},
        "message": {"type": "string", "description": _LOCALISED}})},
    "tasks": {"type": "array", "items": ref("schemas", "OrderTask")},
})

ORDER_SUMMARY: Schema = obj({**_ORDER_HEADING, "title": {"type": "string"},
                                 "open_tasks": {"type": "integer", "minimum": 0}})
_SUMMARIES: Schema = {"type": "array", "items": ref("schemas", "OrderSummary")}

ORDER_QUEUE: Schema = obj({"tasks": {"type": "array", "items": obj({
    "order_id": {"type": "integer"}, "due": {"type": "string", "format": "date"}, "overdue": {"type": "boolean"},
    "title": {"type": "string", "description": "The person, or the organisation the order is about."},
    "event": _KEYED, "task": {"type": "string"}, "label": {"type": "string"}, "system": nullable("string"),
    "action": {"type": "string"}, "state": {"enum": list(workflow.TASK_STATE_LABELS)},
    "state_name": {"type": "string"}, "blocked": {"type": "boolean"}, "waiting_on": _TEXTS})}})

PERSON_ORDERS: Schema = obj({
    "person": obj({"id": {"type": "integer"}, "full_name": {"type": "string"}, "hsa_id": nullable("string")}),
    "orders": _SUMMARIES,
    "register": {"type": "array", "description": "The systems they have now, from the done tasks of their orders.",
                 "items": obj({"catalogue": {"type": "string"}, "system": {"type": "string"},
                                   "system_name": {"type": "string"}, "item": nullable("string"),
                                   "since": {"type": "string", "format": "date-time"},
                                   "order_id": {"type": "integer"}})},
})

ORDER_ANSWERS_REFUSAL: Schema = obj({"error": obj({
    "code": {"const": "order_answers_invalid"}, "message": {"type": "string"},
    "details": obj({"problems": {"type": "array", "items": obj({
        "question": {"type": "string", "description": "The question's key; - for the event itself."},
        "message": {"type": "string", "description": _LOCALISED},
        "params": {"type": "object", "description": "What the message names."}})}}),
    "request_id": {"type": "string"}})})

ORDER_TASK_REFUSAL: Schema = obj({"error": obj({
    "code": {"enum": ["task_waits", "transition_refused"]}, "message": {"type": "string"},
    "details": {"type": "object", "properties": {"waiting_on": {
        **_TEXTS, "description": "With task_waits: the labels of the open tasks it depends on."}}},
    "request_id": {"type": "string"}})})

SCHEMAS: Schema = {
    "OrderLeadTime": ORDER_LEAD_TIME,
    "OrderTask": ORDER_TASK,
    "Order": ORDER,
    "OrderSummary": ORDER_SUMMARY,
    "OrderSummaryList": obj({"orders": _SUMMARIES}),
    "OrderQueue": ORDER_QUEUE,
    "PersonOrders": PERSON_ORDERS,
    **declared_schemas(NewOrder, TaskStep),
    "OrderAnswersRefusal": ORDER_ANSWERS_REFUSAL,
    "OrderTaskRefusal": ORDER_TASK_REFUSAL,
}

SESSION_READ: list[Schema] = [{"sessionCookie": []}]
SESSION_WRITE: list[Schema] = [{"sessionCookie": [], "csrfHeader": []}]


def _order_errors(others: Schema | None = None, *, not_found: str | None = None) -> Schema:
    """An IT contact's session only: another organisation's order or person is 403, audited."""
    found = {"404": json_response("Error", not_found)} if not_found else {}
    return {"401": ref("responses", "401"),
            "403": json_response("Error", "Not an IT contact, another organisation's order or person (audited), or a "
                                  "write without the X-CSRF-Token header."), **found, **(others or {})}


def _paths() -> Schema:
    order_id, order = id_parameter("order_id"), json_response("Order", "The order, with its checklist.")
    invalid = json_response("Error", "Invalid input; details.field names it.")
    return {
        "/api/v1/orders": {"post": {
            "operationId": "placeOrder", "summary": "Place an IT order: its checklist is generated from the answers.",
            "security": SESSION_WRITE,
            "requestBody": json_body(NewOrder),
            "responses": {"201": {**order, "headers": {"Location": {
                "description": "The order's address.", "schema": {"type": "string"}}}}, **_order_errors({
                "413": json_response("Error", f"The body is larger than {MAX_ORDER_BODY_BYTES} bytes."),
                "422": {"description": "Answers that need correcting (details.problems, per question), or other "
                                       "invalid input (details.field).",
                        "content": {"application/json": {"schema": {"anyOf": [
                            ref("schemas", "OrderAnswersRefusal"), ref("schemas", "Error")]}}}}})}}},
        "/api/v1/orders/queue": {"get": {
            "operationId": "orderQueue", "summary": "The open tasks of the caller's organisation's orders, overdue "
                                                    "orders first, then by planned date.",
            "security": SESSION_READ,
            "responses": {"200": json_response("OrderQueue", "The tasks."), **_order_errors()}}},
        "/api/v1/orders/organisation": {"get": {
            "operationId": "organisationOrders",
            "summary": "The orders placed by the caller's organisation, or about it, that are not about a person.",
            "security": SESSION_READ,
            "responses": {"200": json_response("OrderSummaryList", "Newest first."), **_order_errors()}}},
        "/api/v1/orders/people/{person_id}": {"get": {
            "operationId": "personOrders", "summary": "A person's orders and access register.",
            "security": SESSION_READ, "parameters": [id_parameter("person_id")],
            "responses": {"200": json_response("PersonOrders", "Orders newest first; the systems they have now."),
                          **_order_errors({"422": invalid}, not_found="No such person.")}}},
        "/api/v1/orders/{order_id}": {"get": {
            "operationId": "getOrder", "summary": "One IT order with its checklist.", "security": SESSION_READ,
            "parameters": [order_id],
            "responses": {"200": order, **_order_errors({"422": invalid}, not_found="No such order.")}}},
        "/api/v1/orders/{order_id}/tasks/{task_key}": {"post": {
            "operationId": "actOnOrderTask", "summary": "Move one task of an order (the order's IT contacts only).",
            "security": SESSION_WRITE,
            "parameters": [order_id, {"name": "task_key", "in": "path", "required": True,
                                      "schema": {"type": "string", "examples": ["skat", "priva.1"]}}],
            "requestBody": json_body(TaskStep),
            "responses": {"200": json_response("Order", "The order after the step."), **_order_errors(
                {"409": json_response("OrderTaskRefusal", "The task waits for others (task_waits, details.waiting_on), "
                                                  "or cannot go that way from its state (transition_refused)."),
                 "413": json_response("Error", f"The body is larger than {MAX_BODY_BYTES} bytes."),
                 "422": json_response("Error", "A missing reason or reference, or other invalid input; details.field "
                                       "names it.")}, not_found="No such order, or no such task in it.")}}},
    }


def fragment() -> Fragment:
    return Fragment(paths=_paths(), schemas=SCHEMAS)
