"""A fulfilling group's queue as JSON (issue 23 item 4), for the group's members with their browser session, as the
pages are: the queue, and a step on one of its tasks (take, done, back to the queue) answered with the queue after
it. The answers are declared here once as typed dicts; ``openapi.py`` describes them from here.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field, with_config
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

from accounts import permissions
from accounts.guard import requires
from app.kit.api_parsing import parse_id
from app.kit.errors import NotFound
from app.kit.i18n import _, translate
from app.kit.state import current_actor, services
from app.kit.templating import language_of
from app.provisioning.core import workflow
from app.provisioning.orders import fulfilling, group_queries
from app.provisioning.orders.api_answers import CLOSED, Day, Keyed, Moment, Named, TaskState

QUEUE_PATH: Final = "/api/v1/orders/groups/{group_key}/queue"
STEP_PATH: Final = "/api/v1/orders/groups/{group_key}/tasks/{task_id}/{step}"


@with_config(CLOSED)
class GroupTaskHolder(TypedDict):
    user_id: int
    name: str


@with_config(CLOSED)
class GroupQueuedTask(TypedDict):
    order_id: int
    task_id: int
    task: str
    label: str
    ordered_by: Named
    ordered_at: Moment
    title: Annotated[str, Field(description="The person, or the organisation the order is about.")]
    event: Keyed
    due: Day
    overdue: bool
    state: TaskState
    state_name: str
    holder: GroupTaskHolder | None


@with_config(CLOSED)
class GroupQueue(TypedDict):
    group: Keyed
    tasks: Annotated[list[GroupQueuedTask], Field(description="Overdue orders first, then the oldest.")]


def queue_json(queue: group_queries.GroupQueue, language: str) -> GroupQueue:
    return {"group": {"key": queue.group.key, "name": queue.group.name}, "tasks": [{
        "order_id": entry.order.id, "task_id": entry.line.task.id, "task": entry.line.task.key,
        "label": entry.line.label,
        "ordered_by": {"id": entry.order.view.organisation.id, "name": entry.order.view.organisation.name},
        "ordered_at": entry.waiting_since.isoformat(), "title": entry.order.title,
        "event": {"key": entry.order.view.checklist.event.key, "name": entry.order.view.checklist.event.name},
        "due": entry.order.view.order.planned_date.isoformat(), "overdue": entry.overdue,
        "state": entry.line.state, "state_name": translate(language, workflow.TASK_STATE_LABELS[entry.line.state]),
        "holder": None if entry.holder is None else {"user_id": entry.holder.user_id, "name": entry.holder.name},
    } for entry in queue.entries]}


def _group_key(request: Request) -> str:
    return str(request.path_params["group_key"])[:60]


@requires(permissions.ORDERS_FULFIL)
async def queue(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        found = await group_queries.group_queue(uow.session, current_actor(request), _group_key(request),
                                                app_services.clock.now())
        return JSONResponse(queue_json(found, language_of(request)))


@requires(permissions.ORDERS_FULFIL)
async def step(request: Request) -> Response:
    """200 with the group's queue after the step (409 when someone else has the task, or it waits for another)."""
    task_id = parse_id(request.path_params["task_id"], field="task_id")
    chosen = request.path_params["step"]
    if chosen not in fulfilling.STEPS:
        raise NotFound(_("Unknown action."))
    actor = current_actor(request)
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        await fulfilling.act(uow, actor=actor, group_key=_group_key(request), task_id=task_id, step=chosen)
    async with app_services.unit_of_work() as uow:
        found = await group_queries.group_queue(uow.session, actor, _group_key(request), app_services.clock.now())
        return JSONResponse(queue_json(found, language_of(request)))


routes: list[BaseRoute] = [
    Route(QUEUE_PATH, queue, methods=["GET"], name="api_orders_group_queue"),
    Route(STEP_PATH, step, methods=["POST"], name="api_orders_group_task"),
]
