"""The IT orders' fragment of the OpenAPI document (seeds 002, 004): its operations, and the schemas generated
from the declared bodies (api_bodies.py) and answers (api_answers.py).
"""

from __future__ import annotations

from app.kit.api_parsing import MAX_BODY_BYTES
from app.kit.openapi_fragments import Fragment, declared_schemas, json_body
from app.kit.openapi_schema import Schema, id_parameter, json_response, ref
from app.provisioning.orders.api_answers import ANSWERS
from app.provisioning.orders.api_bodies import NewOrder, TaskStep
from app.provisioning.orders.api_routes import MAX_ORDER_BODY_BYTES
from app.provisioning.orders.group_api import QUEUE_PATH, STEP_PATH, GroupQueue

SCHEMAS: Schema = declared_schemas(*ANSWERS, NewOrder, TaskStep, GroupQueue)

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


def _group_paths() -> Schema:
    """A fulfilling group's queue (issue 23 item 4): its members only."""
    group_key = {"name": "group_key", "in": "path", "required": True,
                 "schema": {"type": "string", "examples": ["klk_it", "region_it"]}}
    refused = {"401": ref("responses", "401"),
               "403": json_response("Error", "Not a member of the group (audited), or a write without the "
                                             "X-CSRF-Token header."),
               "404": json_response("Error", "No such group kept by the caller's organisation, task or step.")}
    queue = json_response("GroupQueue", "The tasks waiting on the group, overdue orders first, then the oldest.")
    return {
        QUEUE_PATH: {"get": {"operationId": "groupQueue", "summary": "A fulfilling group's queue.",
                             "security": SESSION_READ, "parameters": [group_key],
                             "responses": {"200": queue, **refused}}},
        STEP_PATH: {"post": {
            "operationId": "stepOnGroupTask",
            "summary": "Take a task of the group's queue, mark the task one holds done, or put it back.",
            "security": SESSION_WRITE,
            "parameters": [group_key, id_parameter("task_id"), {
                "name": "step", "in": "path", "required": True,
                "schema": {"type": "string", "enum": ["take", "done", "release"]}}],
            "responses": {"200": queue, **refused, "409": json_response(
                "Error", "Someone else has the task (task_held), or it cannot go that way (transition_refused, "
                         "task_waits)."), "422": json_response("Error", "Invalid task id.")}}},
    }


def fragment() -> Fragment:
    return Fragment(paths={**_paths(), **_group_paths()}, schemas=SCHEMAS)
