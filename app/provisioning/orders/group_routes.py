"""The fulfilling groups' pages (issue 23 item 4): a member's groups and each group's queue, where they take a task,
mark it done or put it back; the IT-order administrator's list of the groups their organisation keeps and the page
that adds and removes members.

A refused step (someone else has the task, it waits for another) comes back as the queue with the message next to
the task and the refusal's status; a step done redirects to the queue, naming what was done.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.kit.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.kit.forms import MAX_ID, form_text, positive_id
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import render
from app.provisioning.core import request_pages
from app.provisioning.orders import fulfilling, fulfilment, group_queries, membership, scope
from app.provisioning.orders.order_routes import LABELS

DONE_MESSAGES: Final = {
    "take": _("The task is yours: the orderer sees that you have it."),
    "done": _("Marked as done."),
    "release": _("The task is back in the group's queue."),
    "finished": _("Marked as done: that was the order's last task, the order is done."),
    "added": _("The member is added."),
    "removed": _("The member is removed."),
}
STEP_LABELS: Final = {"take": _("Take"), "done": _("Done"), "release": _("Back to queue")}


def _group_key(request: Request) -> str:
    return str(request.path_params["group_key"])[:60]


def _done(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


@requires(permissions.ORDERS_FULFIL)
async def groups_page(request: Request) -> Response:
    """The groups the member belongs to, with how many tasks wait in each."""
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        groups = await fulfilment.member_groups(uow.session, actor)
        sizes = await group_queries.queue_sizes(uow.session, actor, groups, app_services.clock.now())
    return render(request, "orders/groups.html", {"groups": groups, "sizes": sizes})


async def _queue_page(request: Request, group_key: str, *, error: DomainError | None = None,
                      error_task: int | None = None, status_code: int = 200) -> Response:
    app_services = services(request)
    actor = current_actor(request)
    async with app_services.unit_of_work() as uow:
        queue = await group_queries.group_queue(uow.session, actor, group_key, app_services.clock.now())
        # Each order's moments belong to its own organisation's zone; the reader reads them in theirs (named when
        # they differ: a care provider in another zone than the group keeping the queue).
        zones = request_pages.Zones(uow.session)
        ordering = {entry.order.view.request.organisation_id for entry in queue.entries}
        order_zones = {organisation_id: await zones.of(organisation_id) for organisation_id in ordering}
    return render(request, "orders/group_queue.html", {
        "queue": queue, "mine": queue.held_by(actor.user_id), "done": _done(request), "error": error,
        "error_task": error_task, "step_labels": STEP_LABELS, "at": request_pages.reader_time(request),
        "zones": order_zones,
        "user_id": actor.user_id, **LABELS}, status_code=status_code)


@requires(permissions.ORDERS_FULFIL)
async def queue_page(request: Request) -> Response:
    return await _queue_page(request, _group_key(request))


@requires(permissions.ORDERS_FULFIL)
async def act(request: Request) -> Response:
    group_key = _group_key(request)
    task_id: int = request.path_params["task_id"]
    if task_id > MAX_ID:
        raise NotFound(_("This order has no such task."))
    form = await form_text(request, "step")
    try:
        async with services(request).unit_of_work() as uow:
            finished = await fulfilling.act(uow, actor=current_actor(request), group_key=group_key, task_id=task_id,
                                            step=form["step"])
    except (Conflict, ValidationFailed) as error:
        return await _queue_page(request, group_key, error=error, error_task=task_id, status_code=error.status)
    done = "finished" if finished else form["step"]
    return RedirectResponse(f"/orders/groups/{group_key}?done={done}", status_code=303)


@requires(permissions.ORDERS_CATALOGUES)
async def kept_page(request: Request) -> Response:
    """The administrator's view: the groups their organisation's catalogues declare, each with its members."""
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        groups = await fulfilment.kept_groups(uow.session, scope.keeping_organisation(actor))
        members = {group.key: await membership.members(uow, actor=actor, group_key=group.key) for group in groups}
    return render(request, "orders/groups_kept.html", {"groups": groups, "members": members})


async def _members_page(request: Request, group_key: str, *, error: DomainError | None = None,
                        status_code: int = 200) -> Response:
    actor = current_actor(request)
    async with services(request).unit_of_work() as uow:
        group = await fulfilment.kept_group(uow.session, scope.keeping_organisation(actor), group_key)
        members = await membership.members(uow, actor=actor, group_key=group_key)
        candidates = await membership.candidates(uow, actor=actor, group_key=group_key)
    return render(request, "orders/group_members.html", {
        "group": group, "members": members, "candidates": candidates, "error": error, "done": _done(request)},
        status_code=status_code)


@requires(permissions.ORDERS_CATALOGUES)
async def members_page(request: Request) -> Response:
    return await _members_page(request, _group_key(request))


@requires(permissions.ORDERS_CATALOGUES)
async def change_members(request: Request) -> Response:
    group_key = _group_key(request)
    form = await form_text(request, "user_id", "change")
    user_id = positive_id(form["user_id"])
    try:
        if user_id is None:
            raise ValidationFailed(_("Choose a user."), details={"field": "user_id"})
        async with services(request).unit_of_work() as uow:
            if form["change"] == "remove":
                await membership.remove_member(uow, actor=current_actor(request), group_key=group_key,
                                               user_id=user_id)
            else:
                await membership.add_member(uow, actor=current_actor(request), group_key=group_key, user_id=user_id)
    except (Conflict, ValidationFailed, PermissionDenied, NotFound) as error:
        return await _members_page(request, group_key, error=error, status_code=error.status)
    done = "removed" if form["change"] == "remove" else "added"
    return RedirectResponse(f"/orders/groups/{group_key}/members?done={done}", status_code=303)


routes: list[BaseRoute] = [
    Route("/orders/groups", groups_page, methods=["GET"], name="orders_groups"),
    Route("/orders/groups/kept", kept_page, methods=["GET"], name="orders_groups_kept"),
    Route("/orders/groups/{group_key}", queue_page, methods=["GET"], name="orders_group_queue"),
    Route("/orders/groups/{group_key}/tasks/{task_id:int}", act, methods=["POST"], name="orders_group_task"),
    Route("/orders/groups/{group_key}/members", members_page, methods=["GET"], name="orders_group_members"),
    Route("/orders/groups/{group_key}/members", change_members, methods=["POST"], name="orders_group_members_change"),
]
